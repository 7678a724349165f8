/**
 * Just enough SVG for the benchmark's charts: grouped bars with labelled values, and an optional
 * reference marker per group. Hand-written to keep the benchmark free of charting dependencies.
 */

export interface BarSeries {
  name: string;
  color: string;
  values: number[];
}

export interface BarChart {
  title: string;
  subtitle?: string;
  yLabel: string;
  groups: string[];
  series: BarSeries[];
  /** A dashed line over each group (e.g. the lower bound, or the target). */
  marker?: { name: string; values: number[]; color: string };
  format?: (v: number) => string;
}

const escape = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

export function niceMax(v: number): number {
  if (!(v > 0)) return 1;
  const exp = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (m * exp >= v) return m * exp;
  return 10 * exp;
}

/** One chart panel at (x, y) of the given size; returns SVG elements. */
export function barPanel(chart: BarChart, x: number, y: number, width: number, height: number): string {
  const fmt = chart.format ?? ((v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(2)));
  const top = y + 48;
  const left = x + 56;
  const bottom = y + height - 46;
  const right = x + width - 12;
  const all = [...chart.series.flatMap((s) => s.values), ...(chart.marker?.values ?? [])];
  const max = niceMax(Math.max(...all, 0) * 1.08);
  const sy = (v: number) => bottom - ((bottom - top) * v) / max;
  const out: string[] = [];
  out.push(`<text x="${x + 8}" y="${y + 18}" font-size="14" font-weight="bold">${escape(chart.title)}</text>`);
  if (chart.subtitle) out.push(`<text x="${x + 8}" y="${y + 34}" font-size="11" fill="#555">${escape(chart.subtitle)}</text>`);
  for (let i = 0; i <= 4; i++) {
    const v = (max * i) / 4;
    const yy = sy(v);
    out.push(`<line x1="${left}" y1="${yy}" x2="${right}" y2="${yy}" stroke="#e3e3e3"/>`);
    out.push(`<text x="${left - 6}" y="${yy + 4}" font-size="10" text-anchor="end" fill="#555">${fmt(v)}</text>`);
  }
  out.push(`<text x="${x + 12}" y="${(top + bottom) / 2}" font-size="11" fill="#333" transform="rotate(-90 ${x + 12} ${(top + bottom) / 2})" text-anchor="middle">${escape(chart.yLabel)}</text>`);
  const groupWidth = (right - left) / chart.groups.length;
  const barWidth = Math.min(46, (groupWidth * 0.7) / chart.series.length);
  chart.groups.forEach((group, g) => {
    const gx = left + g * groupWidth + (groupWidth - barWidth * chart.series.length) / 2;
    chart.series.forEach((s, k) => {
      const v = s.values[g];
      const bx = gx + k * barWidth;
      out.push(`<rect x="${bx + 2}" y="${sy(v)}" width="${barWidth - 4}" height="${Math.max(0, bottom - sy(v))}" fill="${s.color}"/>`);
      out.push(`<text x="${bx + barWidth / 2}" y="${sy(v) - 4}" font-size="10" text-anchor="middle">${fmt(v)}</text>`);
    });
    if (chart.marker) {
      const my = sy(chart.marker.values[g]);
      out.push(`<line x1="${gx - 4}" y1="${my}" x2="${gx + barWidth * chart.series.length + 4}" y2="${my}" stroke="${chart.marker.color}" stroke-width="2" stroke-dasharray="5 3"/>`);
    }
    out.push(`<text x="${left + g * groupWidth + groupWidth / 2}" y="${bottom + 16}" font-size="11" text-anchor="middle">${escape(group)}</text>`);
  });
  out.push(`<line x1="${left}" y1="${bottom}" x2="${right}" y2="${bottom}" stroke="#333"/>`);
  // Legend.
  let lx = left;
  const ly = y + height - 14;
  for (const s of chart.series) {
    out.push(`<rect x="${lx}" y="${ly - 9}" width="10" height="10" fill="${s.color}"/><text x="${lx + 14}" y="${ly}" font-size="11">${escape(s.name)}</text>`);
    lx += 22 + s.name.length * 6.2;
  }
  if (chart.marker) {
    out.push(`<line x1="${lx}" y1="${ly - 4}" x2="${lx + 16}" y2="${ly - 4}" stroke="${chart.marker.color}" stroke-width="2" stroke-dasharray="5 3"/><text x="${lx + 20}" y="${ly}" font-size="11">${escape(chart.marker.name)}</text>`);
  }
  return out.join("\n");
}

/** Panels laid out in a grid, wrapped in one SVG document. */
export function svgDocument(panels: BarChart[], columns: number, panelWidth = 420, panelHeight = 300): string {
  const rows = Math.ceil(panels.length / columns);
  const width = columns * panelWidth;
  const height = rows * panelHeight;
  const body = panels.map((p, i) => barPanel(p, (i % columns) * panelWidth, Math.floor(i / columns) * panelHeight, panelWidth, panelHeight)).join("\n");
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif">
<rect width="100%" height="100%" fill="white"/>
${body}
</svg>
`;
}
