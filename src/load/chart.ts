// The picture of a load run, as plain SVG: the calls in flight per second on top, then one panel per
// latency (the whole call and each step) with its p50, p95 and p99 per second and the
// requirement as a line. A few lines and rectangles need no charting library, and plain SVG renders
// anywhere (a browser, GitHub, rsvg-convert) with nothing to run.
import type { LoadReport, Percentiles, TimelineSecond } from "./report";

/** Step panels at most, the highest p99 over the run first (the Campaign call path has 10 steps). */
export const MAX_STEP_PANELS = 15;

const WIDTH = 960;
const LEFT = 64; // room for the y labels
const RIGHT = 24;
const PLOT_WIDTH = WIDTH - LEFT - RIGHT;
const HEADER = 96; // title, subtitle, legend
const IN_FLIGHT_HEIGHT = 90;
const PANEL_HEIGHT = 110;
const PANEL_GAP = 34; // the panel's title above, the x labels below
const FOOTER = 56;
const SERIES = [
  { key: "p50", colour: "#1f77b4" },
  { key: "p95", colour: "#ff7f0e" },
  { key: "p99", colour: "#d62728" },
] as const;
const IN_FLIGHT_COLOUR = "#9e9e9e";
const FONT = 'font-family="sans-serif"';

const esc = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const fixed = (n: number) => n.toFixed(1);
const ms = (n: number) => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));

/** Maps a value to a y between `bottom` and `top`, on a log10 scale over [lo, hi]; values under lo sit on lo. */
export function logScale(lo: number, hi: number, bottom: number, top: number): (value: number) => number {
  const span = Math.log10(hi) - Math.log10(lo);
  return (value) => bottom - ((Math.log10(Math.max(value, lo)) - Math.log10(lo)) / span) * (bottom - top);
}

/** Round ticks from 0 to at or above `most`: about four steps of 1, 2 or 5 times a power of ten. */
function countTicks(most: number): number[] {
  const rough = Math.max(1, most / 4);
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = ([1, 2, 5, 10].find((m) => m * power >= rough) ?? 10) * power;
  return Array.from({ length: Math.max(1, Math.ceil(most / step)) + 1 }, (_, i) => i * step);
}

/** A decade's label: 0.1 ms ... 100 ms, then 1 s, 10 s. */
const decadeLabel = (value: number) => (value >= 1000 ? `${value / 1000} s` : `${value} ms`);

/** Seconds between x labels: a round step giving at most about ten labels. */
function tickStep(seconds: number): number {
  return [1, 2, 5, 10, 15, 30, 60, 120, 300, 600].find((s) => seconds / s <= 10) ?? Math.ceil(seconds / 10);
}

/** A series' path: consecutive seconds joined; a second without samples breaks it; a lone point is a dot. */
function seriesPath(points: ([number, number] | undefined)[]): string {
  const runs: [number, number][][] = [[]];
  for (const point of points) {
    if (point) runs.at(-1)!.push(point);
    else if (runs.at(-1)!.length) runs.push([]);
  }
  return runs
    .filter((run) => run.length)
    .map((run) => (run.length === 1 ? [run[0], run[0]] : run))
    .map((run) => run.map(([x, y], i) => `${i ? "L" : "M"}${fixed(x)},${fixed(y)}`).join(" "))
    .join(" ");
}

interface Panel {
  name: string;
  title: string;
  perSecond: (second: TimelineSecond) => Percentiles | undefined;
}

/** The report's timeline as an SVG document: the whole call, then up to `maxSteps` steps. */
export function loadChart(report: LoadReport, maxSteps = MAX_STEP_PANELS): string {
  const { timeline, limitMs } = report;
  const seconds = Math.max(1, timeline.length);
  const x = (second: number) => LEFT + (second / seconds) * PLOT_WIDTH;
  const every = tickStep(seconds);
  const xTicks = Array.from({ length: Math.floor(seconds / every) + 1 }, (_, i) => i * every);

  const ranked = Object.entries(report.steps).sort(([, a], [, b]) => b.p99 - a.p99);
  const shown = ranked.slice(0, maxSteps);
  const notDrawn = ranked.slice(maxSteps);
  const panels: Panel[] = [
    {
      name: "whole call",
      title: `whole call (p99 over the run ${ms(report.total.p99)} ms)`,
      perSecond: (s) => s.total,
    },
    ...shown.map(([name, p]) => ({
      name,
      title: `${name} (p99 over the run ${ms(p.p99)} ms)`,
      perSecond: (s: TimelineSecond) => s.steps[name],
    })),
  ];

  // One log scale for every panel, whole decades, so that panels compare at a glance.
  const values = panels.flatMap((panel) =>
    timeline.flatMap((s) => {
      const p = panel.perSecond(s);
      return p?.count ? [p.p50, p.p99] : [];
    }),
  );
  const positive = values.filter((v) => v > 0);
  const first = Math.floor(Math.log10(Math.min(...positive, 1)));
  // A top value on a decade still gets the next one above it, so that it does not touch the frame.
  const last = Math.ceil(Math.log10(Math.max(...positive, limitMs ?? 0, 10) * 1.0001));
  const decades = Array.from({ length: last - first + 1 }, (_, i) => 10 ** (first + i));
  const [lo, hi] = [decades[0], decades.at(-1)!];

  const out: string[] = [];
  const height = HEADER + IN_FLIGHT_HEIGHT + PANEL_GAP + panels.length * (PANEL_HEIGHT + PANEL_GAP) + FOOTER;
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" ${FONT} font-size="12">`,
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    `<text x="${LEFT}" y="24" font-size="16" font-weight="bold">${esc(report.name)}: latency and calls in flight, per second</text>`,
    `<text x="${LEFT}" y="44" fill="#444">${esc(
      `${report.calls} measured calls, ${report.errors.count} errors. Each point: the steps (or calls) started in that second. ` +
        `Log scale, shared by the panels; time held is not latency.`,
    )}</text>`,
  );

  // The legend.
  let lx = LEFT;
  const legendY = 70;
  for (const { key, colour } of SERIES) {
    out.push(
      `<line x1="${lx}" y1="${legendY - 4}" x2="${lx + 24}" y2="${legendY - 4}" stroke="${colour}" stroke-width="2"/>`,
      `<text x="${lx + 30}" y="${legendY}">${key}</text>`,
    );
    lx += 80;
  }
  if (limitMs !== null) {
    out.push(
      `<line x1="${lx}" y1="${legendY - 4}" x2="${lx + 24}" y2="${legendY - 4}" stroke="#000" stroke-dasharray="5,3"/>`,
      `<text x="${lx + 30}" y="${legendY}">${esc(`requirement: ${limitMs} ms`)}</text>`,
    );
    lx += 170;
  }
  out.push(
    `<rect x="${lx}" y="${legendY - 10}" width="24" height="10" fill="${IN_FLIGHT_COLOUR}"/>`,
    `<text x="${lx + 30}" y="${legendY}">calls in flight (held ones included)</text>`,
  );

  const xAxis = (top: number, bottom: number) => {
    for (const t of xTicks) {
      out.push(
        `<line data-second="${t}" x1="${fixed(x(t))}" y1="${top}" x2="${fixed(x(t))}" y2="${bottom}" stroke="#e0e0e0"/>`,
        `<text x="${fixed(x(t))}" y="${bottom + 13}" text-anchor="middle" font-size="10" fill="#444">${t}</text>`,
      );
    }
    out.push(
      `<rect x="${LEFT}" y="${top}" width="${PLOT_WIDTH}" height="${bottom - top}" fill="none" stroke="#999"/>`,
    );
  };
  const yTick = (y: number, value: number, label: string) =>
    out.push(
      `<line data-tick="${value}" x1="${LEFT}" y1="${fixed(y)}" x2="${LEFT + PLOT_WIDTH}" y2="${fixed(y)}" stroke="#e0e0e0"/>`,
      `<text x="${LEFT - 6}" y="${fixed(y + 4)}" text-anchor="end" font-size="10" fill="#444">${label}</text>`,
    );

  // Calls in flight: the most at one moment of each second, as steps.
  {
    const top = HEADER;
    const bottom = top + IN_FLIGHT_HEIGHT;
    const ticks = countTicks(Math.max(0, ...timeline.map((s) => s.inFlight)));
    const most = ticks.at(-1)!;
    const y = (n: number) => bottom - (n / most) * IN_FLIGHT_HEIGHT;
    out.push(`<g data-panel="calls in flight">`);
    xAxis(top, bottom);
    for (const n of ticks) yTick(y(n), n, String(n));
    const area = timeline.map(
      (s) =>
        `L${fixed(x(s.second))},${fixed(y(s.inFlight))} L${fixed(x(s.second + 1))},${fixed(y(s.inFlight))}`,
    );
    out.push(
      `<path data-series="in flight" d="M${LEFT},${bottom} ${area.join(" ")} L${fixed(x(timeline.length))},${bottom} Z" fill="${IN_FLIGHT_COLOUR}" fill-opacity="0.6"/>`,
      `<text x="${LEFT + 6}" y="${top + 14}" font-weight="bold">calls in flight</text>`,
      `</g>`,
    );
  }

  panels.forEach((panel, i) => {
    const top = HEADER + IN_FLIGHT_HEIGHT + PANEL_GAP + i * (PANEL_HEIGHT + PANEL_GAP);
    const bottom = top + PANEL_HEIGHT;
    const y = logScale(lo, hi, bottom, top);
    out.push(
      `<g data-panel="${esc(panel.name)}">`,
      `<text x="${LEFT}" y="${top - 6}" font-weight="bold">${esc(panel.title)}</text>`,
    );
    xAxis(top, bottom);
    for (const d of decades) yTick(y(d), d, decadeLabel(d));
    if (limitMs !== null) {
      out.push(
        `<line data-limit="${limitMs}" x1="${LEFT}" y1="${fixed(y(limitMs))}" x2="${LEFT + PLOT_WIDTH}" y2="${fixed(y(limitMs))}" stroke="#000" stroke-dasharray="5,3"/>`,
      );
    }
    for (const { key, colour } of SERIES) {
      const points = timeline.map((s): [number, number] | undefined => {
        const p = panel.perSecond(s);
        return p?.count ? [x(s.second + 0.5), y(p[key])] : undefined;
      });
      out.push(
        `<path data-series="${key}" d="${seriesPath(points)}" fill="none" stroke="${colour}" stroke-width="1.5" stroke-linejoin="round" stroke-linecap="round"/>`,
      );
    }
    out.push(`</g>`);
  });

  const footerTop = height - FOOTER + 8;
  out.push(
    `<text x="${LEFT + PLOT_WIDTH / 2}" y="${footerTop}" text-anchor="middle" fill="#444">second of the run (measured calls, from their start)</text>`,
  );
  if (notDrawn.length) {
    out.push(
      `<text x="${LEFT}" y="${footerTop + 22}" fill="#444">${esc(
        `Not drawn (lower p99 over the run): ${notDrawn.map(([name, p]) => `${name} ${ms(p.p99)} ms`).join(", ")}.`,
      )}</text>`,
    );
  }
  out.push(`</svg>`, "");
  return out.join("\n");
}
