/**
 * A process-wide, per-key sliding-window limiter. One provider host serves every resource of a
 * stack at once, so all operations that share a cloud quota (per action and key, or per endpoint
 * and key, as each cloud documents) must queue on the same lane. Waiters are served first come,
 * first served, so no cluster starves.
 */

export interface RateLimit {
  /** Requests allowed in any window. */
  limit: number;
  /** The window the cloud counts in, in ms. */
  windowMs: number;
  /**
   * Extra spacing added to the window on our side, so that network jitter between granting a
   * request here and its arrival there cannot squeeze limit+1 requests into the cloud's window.
   */
  marginMs: number;
}

/** Both clouds document 20 requests per second for every API we call. */
export const DEFAULT_RATE_LIMIT: RateLimit = { limit: 20, windowMs: 1000, marginMs: 50 };

interface Waiter {
  /** The slot stays in flight (counted as "now" forever) until released. */
  held: boolean;
  resolve: () => void;
  reject: (reason: unknown) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

interface Lane {
  /** Grant (or release) times of the last `limit` requests, oldest first; +Infinity while held. */
  grants: number[];
  queue: Waiter[];
  timer?: NodeJS.Timeout;
}

export class SlidingWindowLimiter {
  private readonly lanes = new Map<string, Lane>();

  constructor(
    readonly rate: RateLimit = DEFAULT_RATE_LIMIT,
    private readonly now: () => number = Date.now,
  ) {}

  /** Resolves when a request on `key` may be sent. Rejects if `signal` aborts first. */
  acquire(key: string, signal?: AbortSignal): Promise<void> {
    return this.enqueue(key, false, signal);
  }

  /**
   * Like `acquire`, but the slot counts from when the caller releases it (its response arrived),
   * not from the grant. The cloud counts a request when it arrives, somewhere between our grant
   * and the response; a new connection's handshake can delay early requests by more than
   * `marginMs` and squeeze limit+1 arrivals into one window. Holding the slot until the response
   * rules that out whatever the latency.
   */
  async acquireHeld(key: string, signal?: AbortSignal): Promise<() => void> {
    await this.enqueue(key, true, signal);
    const lane = this.laneFor(key);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const i = lane.grants.lastIndexOf(Number.POSITIVE_INFINITY);
      if (i >= 0) {
        lane.grants.splice(i, 1);
        insertSorted(lane.grants, this.now());
      }
      this.pump(key, lane);
    };
  }

  private enqueue(key: string, held: boolean, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    const lane = this.laneFor(key);
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { held, resolve, reject, signal };
      if (signal) {
        waiter.onAbort = () => {
          const i = lane.queue.indexOf(waiter);
          if (i >= 0) lane.queue.splice(i, 1);
          reject(signal.reason);
        };
        signal.addEventListener("abort", waiter.onAbort, { once: true });
      }
      lane.queue.push(waiter);
      this.pump(key, lane);
    });
  }

  /** How many requests are queued on a lane (for tests and progress output). */
  queued(key: string): number {
    return this.lanes.get(key)?.queue.length ?? 0;
  }

  private laneFor(key: string): Lane {
    let lane = this.lanes.get(key);
    if (!lane) {
      lane = { grants: [], queue: [] };
      this.lanes.set(key, lane);
    }
    return lane;
  }

  private pump(key: string, lane: Lane): void {
    if (lane.timer) return;
    const span = this.rate.windowMs + this.rate.marginMs;
    while (lane.queue.length > 0) {
      const now = this.now();
      if (lane.grants.length >= this.rate.limit) {
        const oldest = lane.grants[lane.grants.length - this.rate.limit];
        // Every counted slot is still in flight: the next release pumps again.
        if (oldest === Number.POSITIVE_INFINITY) return;
        const wait = oldest + span - now;
        if (wait > 0) {
          lane.timer = setTimeout(() => {
            lane.timer = undefined;
            this.pump(key, lane);
          }, wait);
          return;
        }
      }
      const waiter = lane.queue.shift()!;
      if (waiter.signal && waiter.onAbort) waiter.signal.removeEventListener("abort", waiter.onAbort);
      insertSorted(lane.grants, waiter.held ? Number.POSITIVE_INFINITY : now);
      if (lane.grants.length > this.rate.limit) lane.grants.shift();
      waiter.resolve();
    }
    if (lane.queue.length === 0 && lane.grants.every((t) => t + span <= this.now())) this.lanes.delete(key);
  }
}

function insertSorted(list: number[], value: number): void {
  let i = list.length;
  while (i > 0 && list[i - 1] > value) i--;
  list.splice(i, 0, value);
}

/** The limiter shared by every client in this process. */
export const processLimiter = new SlidingWindowLimiter();
