// What `npm pack` ships, which is what `npm publish` uploads: what a consumer uses and nothing else,
// and every file that the package's entry points and docs send a consumer to. `npm pack --dry-run
// --json` runs the prepare script (the clean build of dist/ that a publish runs, about 4 s) and lists
// the files without writing a tarball. It belongs to the unit layer: no Docker engine, a few seconds,
// and a file shipped by mistake (or missing) shows up on every run, not only at release time. The
// dist/ lock keeps the consumer suites' packs from deleting dist/ while this one builds and lists it.
import { readFileSync } from "node:fs";
import path from "node:path";
import { relativeLinks } from "../../scripts/docs/markdown";
import { packageRoot } from "../../src/paths";
import { npm, ok, run, withDistLock } from "../support/consumer";

/** What may ship, and why a consumer needs it. */
const SHIPS: [RegExp, string][] = [
  [/^package\.json$/, "the manifest"],
  [/^(README|CHANGELOG)\.md$/, "the README and the changes between versions"],
  [/^LICENSE$/, "the licence (MIT), which package.json's license field names"],
  [/^jest-preset\.js$/, "the Jest preset"],
  [/^dist\/(src|fixtures)\/[\w/-]+\.(js|d\.ts)$/, "the build, with its declarations"],
  [/^migrations\/\d{3}_\w+\.sql$/, "the default migrations"],
  [/^fixtures\/[\w-]+\.json$/, "the default specs"],
  [/^fixtures\/functions\/[\w/.-]+$/, "the Lambda functions' code the AWS spec names"],
  [/^docs\/[\w-]+\.md$/, "the guides"],
  [/^docs\/[\w-]+\.svg$/, "the pictures the README shows"],
  [/^docs\/examples\/[\w-]+\.yml$/, "the GitHub Actions workflow to copy"],
];
/** Folders of the project's own development: the docs link them for readers of the repository. */
const REPOSITORY_ONLY = /^(\.ci|\.github|images|scripts|bench|src|__tests__)(\/|$)/;

let shipped: string[];
const pkg = JSON.parse(readFileSync(path.join(packageRoot, "package.json"), "utf8")) as Record<
  string,
  unknown
>;
const read = (file: string) => readFileSync(path.join(packageRoot, file), "utf8");
/** True when `file` ships, or, for a folder, something in it does. */
const ships = (file: string) =>
  shipped.some((f) => f === file || f.startsWith(`${file.replace(/\/$/, "")}/`));

beforeAll(() => {
  const listing = withDistLock(() => ok(run(npm, ["pack", "--dry-run", "--json"], {}, packageRoot)));
  shipped = (JSON.parse(listing) as [{ files: { path: string }[] }])[0].files.map((f) => f.path);
}, 120_000);

test("the package ships only what a consumer uses", () => {
  expect(shipped.filter((file) => !SHIPS.some(([pattern]) => pattern.test(file)))).toEqual([]);
  // and each kind of it
  expect(SHIPS.filter(([pattern]) => !shipped.some((f) => pattern.test(f)))).toEqual([]);
});

test("the licence that ships is the one package.json names, and package.json names the repository", () => {
  expect(pkg.license).toBe("MIT");
  expect(read("LICENSE")).toMatch(/^MIT License\n\nCopyright \(c\) \d{4} campaign-testenv authors\n/);
  // The release workflow sets these three from the repository it runs in (docs/RELEASING.md).
  expect(pkg).toMatchObject({
    repository: {
      type: "git",
      url: expect.stringMatching(/^git\+https:\/\/github\.com\/[\w.-]+\/campaign-testenv\.git$/),
    },
    homepage: expect.stringMatching(/^https:\/\/github\.com\/[\w.-]+\/campaign-testenv#readme$/),
    bugs: { url: expect.stringMatching(/^https:\/\/github\.com\/[\w.-]+\/campaign-testenv\/issues$/) },
  });
});

test("every entry point of package.json ships (main, types, bin, exports, typesVersions)", () => {
  const targets = (value: unknown): string[] =>
    typeof value === "string"
      ? [value]
      : value && typeof value === "object"
        ? Object.values(value).flatMap(targets)
        : [];
  const entries = targets([pkg.main, pkg.types, pkg.bin, pkg.exports, pkg.typesVersions]).map((t) =>
    path.posix.normalize(t),
  );
  expect(entries.length).toBeGreaterThan(10);
  expect(entries.filter((file) => !ships(file))).toEqual([]);
});

test("the code of every function the default AWS spec names ships", () => {
  const spec = JSON.parse(read("fixtures/aws-resources.json")) as { functions: { source: string }[] };
  expect(spec.functions.length).toBeGreaterThan(0);
  expect(spec.functions.map((f) => `fixtures/${f.source}`).filter((dir) => !ships(dir))).toEqual([]);
});

test("every file the shipped docs link or name under node_modules/campaign-testenv ships", () => {
  const docs = shipped.filter((f) => f.endsWith(".md"));
  const sentTo = docs.flatMap((doc) => {
    const markdown = read(doc);
    const linked = relativeLinks(markdown)
      .map(({ target }) => target.split("#")[0])
      .filter((target) => target !== "")
      .map((target) => path.posix.normalize(path.posix.join(path.posix.dirname(doc), target)));
    const named = [...markdown.matchAll(/node_modules\/campaign-testenv\/([\w/.-]+)/g)].map((m) => m[1]);
    return [...linked, ...named].map((file) => ({ doc, file }));
  });
  expect(sentTo.length).toBeGreaterThan(10);
  expect(sentTo.filter(({ file }) => !ships(file) && !REPOSITORY_ONLY.test(file))).toEqual([]);
  // The ones a consumer is told to copy or read, by name.
  expect(
    ["docs/examples/github-actions.yml", "docs/QUICK_START.md", "docs/TESTING_GUIDE.md"].filter(
      (f) => !ships(f),
    ),
  ).toEqual([]);
});
