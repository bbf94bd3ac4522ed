// The load run's picture, on made-up timings: no service, no browser. No XML parser is a dependency of
// the package, so the SVG is read back by a small tokenizer that also checks it is well-formed.
import { loadChart, logScale, MAX_STEP_PANELS } from "../../src/load/chart";
import { type CallTiming, type LoadReport, summarise } from "../../src/load/report";

interface Element {
  name: string;
  attrs: Record<string, string>;
  /** The data-panel of the nearest enclosing <g>, if any. */
  panel?: string;
  /** The text directly inside it, entities decoded. */
  text: string;
}

const decode = (text: string) =>
  text.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));

/** Every element of `xml`, and each way it is not well-formed XML (expected: none). */
function readXml(xml: string): { elements: Element[]; problems: string[] } {
  const problems: string[] = [];
  const elements: Element[] = [];
  const open: Element[] = [];
  const tag = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"]*")*)\s*(\/?)>/y;
  const badText = (text: string) => /[<>]|&(?!#\d+;|amp;|lt;|gt;|quot;|apos;)/.test(text);
  let roots = 0;
  let at = 0;
  while (at < xml.length) {
    const lt = xml.indexOf("<", at);
    const text = xml.slice(at, lt === -1 ? undefined : lt);
    if (badText(text)) problems.push(`unescaped text: ${JSON.stringify(text.slice(0, 60))}`);
    if (open.length) open.at(-1)!.text += decode(text);
    else if (text.trim()) problems.push(`text outside the root: ${JSON.stringify(text.trim())}`);
    if (lt === -1) break;
    tag.lastIndex = lt;
    const match = tag.exec(xml);
    if (!match) {
      problems.push(`not a tag: ${JSON.stringify(xml.slice(lt, lt + 60))}`);
      break;
    }
    const [, closing, name, attrText, selfClosing] = match;
    at = tag.lastIndex;
    if (closing) {
      const top = open.pop();
      if (top?.name !== name) problems.push(`</${name}> closes <${top?.name ?? "nothing"}>`);
      continue;
    }
    const attrs: Record<string, string> = {};
    for (const [, key, value] of attrText.matchAll(/([\w:-]+)="([^"]*)"/g)) {
      if (key in attrs) problems.push(`<${name}> has ${key} twice`);
      if (badText(value)) problems.push(`unescaped attribute ${key}=${JSON.stringify(value)}`);
      attrs[key] = decode(value);
    }
    if (open.length === 0) roots++;
    const panel = [...open].reverse().find((e) => e.name === "g" && e.attrs["data-panel"]);
    const element: Element = { name, attrs, panel: panel?.attrs["data-panel"], text: "" };
    elements.push(element);
    if (!selfClosing) open.push(element);
  }
  if (open.length) problems.push(`never closed: ${open.map((e) => e.name).join(", ")}`);
  if (roots !== 1) problems.push(`${roots} root elements`);
  return { elements, problems };
}

/** "M x,y L x,y ..." as runs of points, one per M. */
const pathRuns = (d: string): [number, number][][] =>
  d
    .split("M")
    .filter((run) => run.trim())
    .map((run) => run.split("L").map((p) => p.trim().split(",").map(Number) as [number, number]));

/** Five seconds; ten calls start in each but second 2; steps s1..s7 take k × (1 + second) ms. */
function madeUpReport(
  overrides: { limitMs?: number | null; stepName?: (k: number) => string } = {},
): LoadReport {
  const { limitMs = 200, stepName = (k: number) => `s${k}` } = overrides;
  const timings: CallTiming[] = [];
  for (const second of [0, 1, 3, 4]) {
    for (let i = 0; i < 10; i++) {
      const startMs = second * 1000 + 50 * i;
      let at = startMs;
      const steps = Array.from({ length: 7 }, (_, j) => {
        const ms = (j + 1) * (1 + second) + i / 10;
        at += ms;
        return { name: stepName(j + 1), startMs: at - ms, ms };
      });
      const totalMs = at - startMs;
      // The first call of second 0 is held until 4.5 s: it stays in flight all along.
      const endMs = second === 0 && i === 0 ? 4500 : at;
      timings.push({ startMs, endMs, totalMs, steps, label: "ok" });
    }
  }
  return reportOf(timings, limitMs);
}

const reportOf = (timings: CallTiming[], limitMs: number | null): LoadReport =>
  summarise({
    name: "made up",
    concurrency: 40,
    warmUpCalls: 0,
    startsPerSecond: 10,
    limitMs,
    elapsedMs: 4500,
    heldTogether: 0,
    timings,
    notes: [],
  });

const report = madeUpReport();
// Five step panels of the seven steps, so that the ones not drawn show too.
const { elements, problems } = readXml(loadChart(report, 5));
const inPanel = (panel: string, name: string, attr: string) =>
  elements.filter((e) => e.panel === panel && e.name === name && e.attrs[attr] !== undefined);
const tickY = (panel: string, value: number) =>
  Number(inPanel(panel, "line", "data-tick").find((e) => Number(e.attrs["data-tick"]) === value)!.attrs.y1);
const secondX = (panel: string, second: number) =>
  Number(
    inPanel(panel, "line", "data-second").find((e) => Number(e.attrs["data-second"]) === second)!.attrs.x1,
  );
/** The value a y stands for in a latency panel, read off its 1 ms and 10 ms grid lines. */
const valueAt = (panel: string, y: number) =>
  10 ** ((y - tickY(panel, 1)) / (tickY(panel, 10) - tickY(panel, 1)));

describe("loadChart", () => {
  test("is one well-formed SVG document", () => {
    expect(problems).toEqual([]);
    expect(elements[0]).toMatchObject({ name: "svg", attrs: { xmlns: "http://www.w3.org/2000/svg" } });
  });

  test("calls in flight, the whole call, then the steps with the highest p99; the rest named below", () => {
    const panels = elements.filter((e) => e.name === "g").map((e) => e.attrs["data-panel"]);
    expect(panels).toEqual(["calls in flight", "whole call", "s7", "s6", "s5", "s4", "s3"]);
    expect(panels).toHaveLength(1 + 1 + 5);
    const footer = elements.find((e) => e.text.startsWith("Not drawn"))!;
    expect(footer.text).toBe(
      `Not drawn (lower p99 over the run): s2 ${report.steps.s2.p99.toFixed(1)} ms, s1 ${report.steps.s1.p99.toFixed(2)} ms.`,
    );
  });

  test("by default every step gets its panel, up to MAX_STEP_PANELS", () => {
    const all = readXml(loadChart(report)).elements;
    const panels = all.filter((e) => e.name === "g").map((e) => e.attrs["data-panel"]);
    expect(panels).toEqual(["calls in flight", "whole call", "s7", "s6", "s5", "s4", "s3", "s2", "s1"]);
    expect(all.some((e) => e.text.startsWith("Not drawn"))).toBe(false);
    expect(MAX_STEP_PANELS).toBeGreaterThanOrEqual(10); // the Campaign call path's steps
  });

  test("the requirement is a line at 200 ms on the log scale of every latency panel", () => {
    const limits = elements.filter((e) => e.attrs["data-limit"] === "200");
    expect(limits.map((e) => e.panel)).toEqual(["whole call", "s7", "s6", "s5", "s4", "s3"]);
    for (const line of limits) {
      const [y100, y1000] = [tickY(line.panel!, 100), tickY(line.panel!, 1000)];
      expect(Number(line.attrs.y1)).toBeCloseTo(y100 + Math.log10(2) * (y1000 - y100), 0);
      expect(line.attrs.y2).toBe(line.attrs.y1);
    }
    expect(elements.some((e) => e.text === "requirement: 200 ms")).toBe(true);
  });

  test.each(["p50", "p95", "p99"] as const)(
    "the whole call's %s: one point per second with calls, in the middle of it, at its value; a second without calls breaks the line",
    (key) => {
      const d = inPanel("whole call", "path", "data-series").find((e) => e.attrs["data-series"] === key)!
        .attrs.d;
      const runs = pathRuns(d);
      expect(runs.map((run) => run.length)).toEqual([2, 2]);
      const seconds = [0, 1, 3, 4];
      runs.flat().forEach(([x, y], i) => {
        const second = seconds[i];
        expect(x).toBeCloseTo((secondX("whole call", second) + secondX("whole call", second + 1)) / 2, 0);
        const expected = report.timeline[second].total[key];
        expect(Math.abs(valueAt("whole call", y) / expected - 1)).toBeLessThan(0.01);
      });
    },
  );

  test("a step's series follows its own per-second values", () => {
    const d = inPanel("s7", "path", "data-series").find((e) => e.attrs["data-series"] === "p99")!.attrs.d;
    const values = pathRuns(d)
      .flat()
      .map(([, y]) => valueAt("s7", y));
    const expected = [0, 1, 3, 4].map((s) => report.timeline[s].steps.s7.p99);
    values.forEach((v, i) => expect(Math.abs(v / expected[i] - 1)).toBeLessThan(0.01));
    expect(values[3]).toBeGreaterThan(values[0]); // s7 grows with the second: 7.9 ms, then 35.9 ms
  });

  test("calls in flight: each second at the height of its most in flight", () => {
    const d = inPanel("calls in flight", "path", "data-series")[0].attrs.d;
    const [[start, ...points]] = pathRuns(d.replace(/\s*Z$/, ""));
    const top = Math.max(
      ...inPanel("calls in flight", "line", "data-tick").map((e) => Number(e.attrs["data-tick"])),
    );
    const [y0, yTop] = [tickY("calls in flight", 0), tickY("calls in flight", top)];
    expect(start[1]).toBe(y0);
    // Two points per second (its left and right edge), then the closing point on the axis.
    const heights = points.filter((_, i) => i % 2 === 0 && i < points.length - 1).map(([, y]) => y);
    const inFlight = report.timeline.map((s) => s.inFlight);
    expect(heights.map((y) => Math.round(((y0 - y) / (y0 - yTop)) * top))).toEqual(inFlight);
    expect(new Set(inFlight).size).toBeGreaterThan(2); // the held call alone in second 2, more elsewhere
  });

  test('names are escaped: a step called a<b & "c" keeps the document well-formed', () => {
    const odd = readXml(loadChart(madeUpReport({ stepName: (k) => (k === 7 ? 'a<b & "c"' : `s${k}`) })));
    expect(odd.problems).toEqual([]);
    expect(odd.elements.some((e) => e.attrs["data-panel"] === 'a<b & "c"')).toBe(true);
    expect(odd.elements.some((e) => e.text.startsWith('a<b & "c" (p99 over the run'))).toBe(true);
  });

  test("without a requirement, no line and no legend entry", () => {
    const none = readXml(loadChart(madeUpReport({ limitMs: null })));
    expect(none.problems).toEqual([]);
    expect(none.elements.filter((e) => e.attrs["data-limit"] !== undefined)).toEqual([]);
    expect(none.elements.some((e) => e.text.startsWith("requirement"))).toBe(false);
  });

  test("a run without calls still gives a well-formed picture", () => {
    const empty = readXml(loadChart(reportOf([], 200)));
    expect(empty.problems).toEqual([]);
  });
});

describe("logScale", () => {
  test("decades are evenly spaced from bottom to top; values under the floor sit on it", () => {
    const y = logScale(1, 1000, 300, 0);
    expect([1, 10, 100, 1000].map(y)).toEqual([300, 200, 100, 0]);
    expect(y(0)).toBe(300);
    expect(y(200)).toBeCloseTo(100 - 100 * Math.log10(2));
  });
});
