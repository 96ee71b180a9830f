/**
 * A self-contained SVG line chart of median wall time against N, one line per variant. Both axes
 * are logarithmic: sizes span decades (1k, 10k, 100k) and so do times (a no-op against a cold build).
 */
import type { BenchReport } from "./summarize.ts";
import type { VariantKey } from "./variants.ts";

const WIDTH = 860;
const HEIGHT = 500;
const PLOT = { left: 80, right: 640, top: 70, bottom: 430 };

/** wirefeed's builds solid and bright; the baseline and floors dashed, so they read as references. */
const STYLE: Record<VariantKey, { colour: string; dash?: string }> = {
  "cold-all": { colour: "#d62728" },
  "cold-archive": { colour: "#8c564b" },
  default: { colour: "#1f77b4" },
  "warm-one-edit": { colour: "#2ca02c" },
  "rebuild-all": { colour: "#bcbd22" },
  "check-all": { colour: "#e377c2" },
  "no-op": { colour: "#9467bd" },
  naive: { colour: "#ff7f0e", dash: "7 4" },
  "floor-read": { colour: "#7f7f7f", dash: "2 3" },
  "floor-render": { colour: "#17becf", dash: "2 3" },
  "floor-render-cores": { colour: "#17becf", dash: "6 3" },
  "floor-render-default": { colour: "#1f77b4", dash: "2 3" },
};

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c] as string);
}

const fixed = (value: number) => Number(value.toFixed(1)).toString();

/** 1-2-5 steps per decade from below `min` to above `max`. */
function niceTicks(min: number, max: number): number[] {
  const ticks: number[] = [];
  for (let exponent = Math.floor(Math.log10(min)) - 1; exponent <= Math.ceil(Math.log10(max)) + 1; exponent++) {
    for (const step of [1, 2, 5]) ticks.push(Number((step * 10 ** exponent).toPrecision(1)));
  }
  const below = ticks.filter((tick) => tick <= min).at(-1) ?? min;
  const above = ticks.find((tick) => tick >= max) ?? max;
  return ticks.filter((tick) => tick >= below && tick <= above);
}

function formatCount(n: number): string {
  if (n >= 1000 && n % 1000 === 0) return `${n / 1000}k`;
  return String(n);
}

function formatSeconds(s: number): string {
  return s >= 1 ? String(s) : s.toPrecision(1);
}

export function renderChart(report: BenchReport): string {
  const sizes = [...new Set(report.options.sizes)].sort((a, b) => a - b);
  const points = report.results.filter((result) => result.median !== undefined);
  const walls = points.map((result) => (result.median?.wallMs as number) / 1000);

  // One size gives a single column of points: widen the domain so it sits in the middle.
  const [minN, maxN] = sizes.length === 0 ? [100, 1000] : [sizes[0] as number, sizes.at(-1) as number];
  const xDomain = minN === maxN ? [minN / 2, maxN * 2] : [minN / 1.25, maxN * 1.25];
  const yTicks = niceTicks(walls.length ? Math.min(...walls) : 0.1, walls.length ? Math.max(...walls) : 10);
  const yDomain = [yTicks[0] as number, yTicks.at(-1) as number];
  if (yDomain[0] === yDomain[1]) {
    yDomain[0] = (yDomain[0] as number) / 2;
    yDomain[1] = (yDomain[1] as number) * 2;
  }

  const log = Math.log10;
  const x = (n: number) => PLOT.left + ((log(n) - log(xDomain[0] as number)) / (log(xDomain[1] as number) - log(xDomain[0] as number))) * (PLOT.right - PLOT.left);
  const y = (s: number) => PLOT.bottom - ((log(s) - log(yDomain[0] as number)) / (log(yDomain[1] as number) - log(yDomain[0] as number))) * (PLOT.bottom - PLOT.top);

  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="12">`,
  );
  out.push(`<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`);
  const { machine } = report;
  out.push(`<text x="${PLOT.left}" y="28" font-size="16" font-weight="bold">wirefeed bench: median wall time against corpus size</text>`);
  const subtitle =
    `${machine.cpu}, ${machine.cores} cores, ${(machine.totalMemoryBytes / 2 ** 30).toFixed(0)} GB RAM, ` +
    `Node ${machine.node}, ${machine.date.slice(0, 10)}; median of ${report.options.runs} run${report.options.runs === 1 ? "" : "s"}` +
    (machine.commit ? `; wirefeed ${machine.commit}` : "");
  out.push(`<text x="${PLOT.left}" y="48" fill="#555555">${escapeXml(subtitle)}</text>`);

  // Grid and axes.
  out.push(`<g stroke="#e5e5e5" stroke-width="1">`);
  for (const tick of yTicks) out.push(`<line x1="${PLOT.left}" x2="${PLOT.right}" y1="${fixed(y(tick))}" y2="${fixed(y(tick))}"/>`);
  for (const n of sizes) out.push(`<line x1="${fixed(x(n))}" x2="${fixed(x(n))}" y1="${PLOT.top}" y2="${PLOT.bottom}"/>`);
  out.push(`</g>`);
  out.push(`<g stroke="#333333" stroke-width="1"><line x1="${PLOT.left}" x2="${PLOT.right}" y1="${PLOT.bottom}" y2="${PLOT.bottom}"/><line x1="${PLOT.left}" x2="${PLOT.left}" y1="${PLOT.top}" y2="${PLOT.bottom}"/></g>`);
  out.push(`<g fill="#333333">`);
  for (const tick of yTicks) {
    out.push(`<text x="${PLOT.left - 8}" y="${fixed(y(tick) + 4)}" text-anchor="end">${formatSeconds(tick)}</text>`);
  }
  for (const n of sizes) out.push(`<text x="${fixed(x(n))}" y="${PLOT.bottom + 18}" text-anchor="middle">${formatCount(n)}</text>`);
  out.push(`</g>`);
  out.push(`<text x="${(PLOT.left + PLOT.right) / 2}" y="${PLOT.bottom + 44}" text-anchor="middle">articles, N (log scale)</text>`);
  const yMiddle = (PLOT.top + PLOT.bottom) / 2;
  out.push(`<text x="24" y="${yMiddle}" text-anchor="middle" transform="rotate(-90 24 ${yMiddle})">median wall time, s (log scale)</text>`);

  // One line per variant, broken where a size has no result; a point per measured size.
  report.variants.forEach((variant, index) => {
    const style = STYLE[variant.key];
    const series = sizes.map((n) => report.results.find((result) => result.variant === variant.key && result.n === n));
    const dash = style.dash ? ` stroke-dasharray="${style.dash}"` : "";
    out.push(`<g stroke="${style.colour}" fill="${style.colour}">`);
    let segment: string[] = [];
    const flush = () => {
      if (segment.length > 1) out.push(`<polyline fill="none" stroke-width="2"${dash} points="${segment.join(" ")}"/>`);
      segment = [];
    };
    for (const result of series) {
      if (!result?.median) {
        flush();
        continue;
      }
      const seconds = result.median.wallMs / 1000;
      segment.push(`${fixed(x(result.n))},${fixed(y(seconds))}`);
    }
    flush();
    for (const result of series) {
      if (!result?.median) continue;
      const seconds = result.median.wallMs / 1000;
      const label = `${variant.label}, N = ${result.n}: ${seconds.toFixed(2)} s, ${(result.median.maxRssKB / 1024).toFixed(0)} MB peak`;
      out.push(`<circle cx="${fixed(x(result.n))}" cy="${fixed(y(seconds))}" r="3.5"><title>${escapeXml(label)}</title></circle>`);
    }
    out.push(`</g>`);

    // Legend entry.
    const ly = PLOT.top + 8 + index * 22;
    const lx = PLOT.right + 24;
    out.push(`<line x1="${lx}" x2="${lx + 28}" y1="${ly}" y2="${ly}" stroke="${style.colour}" stroke-width="2"${dash}/>`);
    out.push(`<circle cx="${lx + 14}" cy="${ly}" r="3.5" fill="${style.colour}"/>`);
    const failed = report.results.some((result) => result.variant === variant.key && !result.median);
    out.push(`<text x="${lx + 36}" y="${ly + 4}">${escapeXml(variant.label)}${failed ? " (failed)" : ""}</text>`);
  });

  out.push(`</svg>`);
  return `${out.join("\n")}\n`;
}
