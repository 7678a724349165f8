/** The emulator's own enforcement of "N requests per second": a 1 s sliding window per key. */
export class RateWindow {
  private readonly hits = new Map<string, number[]>();

  constructor(
    private readonly limit: number,
    private readonly windowMs = 1000,
  ) {}

  /** Records and allows the request, or refuses it when `limit` were already admitted in the window. */
  admit(key: string, now: number): boolean {
    const list = this.hits.get(key) ?? [];
    while (list.length > 0 && list[0] <= now - this.windowMs) list.shift();
    if (list.length >= this.limit) {
      this.hits.set(key, list);
      return false;
    }
    list.push(now);
    this.hits.set(key, list);
    return true;
  }
}
