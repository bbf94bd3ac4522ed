// What the docs are checked against: the repository's files, package.json, the CLI's usage, the code's
// names and messages, Testcontainers' env vars and TestEnvironment's type.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import ignore from "ignore";
import ts from "typescript";
import { SERVICES } from "../../src/services";
import { messagesOf, renamesOf } from "./messages";
import type { ReadSource } from "./regions";

export const ROOT = path.resolve(__dirname, "../..");

export interface DocContext {
  read: ReadSource;
  /** True when the file or folder exists, relative to the root. */
  exists: (file: string) => boolean;
  /** True when git ignores the path: what a build or a run writes (dist/, images/local.env, reports/). */
  ignored: (file: string) => boolean;
  /** Every file of the repository that git does not ignore, relative to the root. */
  files: string[];
  /** npm scripts of package.json. */
  scripts: Set<string>;
  /** package.json's version, and the Node version its engines field requires (22.22 for ">=22.22"). */
  version: string;
  node: string;
  /** The default image of every service's every flavour (postgres:15-alpine, ...). */
  images: string[];
  /** The CLI's usage text (src/cli.ts USAGE). */
  usage: string;
  /** The package's code: every source file under src/, fixtures/*.ts and jest-preset.js, concatenated. */
  sourceText: string;
  /** The messages src/ can produce, `${}` for each variable part (see messages.ts). */
  messages: string[];
  /** Names the code refuses, each to its new name ("X was renamed Y" messages). */
  renamed: Map<string, string>;
  /** Testcontainers' code, for the names of its env vars (TESTCONTAINERS_*, RYUK_*). */
  testcontainersText: string;
  /**
   * The first name of a member path of `env` (["context", "mongo", "transactions"]) that its type does
   * not have, or undefined when it has them all or the path leaves the package's own types (a pg Pool).
   */
  missingEnvMember: (names: string[]) => string | undefined;
}

/** README.md, CHANGELOG.md, docs/**\/*.md, the workflow examples and images/README.md, from the root. */
export function docFiles(root = ROOT): string[] {
  const docs = readdirSync(path.join(root, "docs"), { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".md") || f.endsWith(".yml"))
    .map((f) => path.join("docs", f))
    .sort();
  return ["README.md", "CHANGELOG.md", ...docs, "images/README.md"];
}

/**
 * A .gitignore's patterns as a test of a path (by the `ignore` package). The folder of a glob
 * (bench/results for bench/results/*.json) counts as ignored too: it holds only what a run writes.
 */
export function gitIgnored(gitignore: string): (file: string) => boolean {
  const patterns = ignore().add(gitignore);
  const globFolders = gitignore
    .split("\n")
    .filter((l) => l.includes("*") && !l.startsWith("#"))
    .map((l) => path.posix.dirname(l.trim().replace(/^\//, "")));
  return (file) =>
    !file.startsWith("../") &&
    (patterns.ignores(file) || patterns.ignores(`${file}/`) || globFolders.includes(file));
}

/** The files under `dir` (relative to the root) that `ignored` lets through; .git left out. */
function filesUnder(root: string, ignored: (file: string) => boolean, dir = ""): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const file = dir ? `${dir}/${entry.name}` : entry.name;
    if (entry.name === ".git" || ignored(file)) return [];
    return entry.isDirectory() ? filesUnder(root, ignored, file) : [file];
  });
}

/** The text of every file under `dir` (relative to the root) whose name ends with one of `endings`. */
function textsOf(root: string, dir: string, endings: string[]): string[] {
  return readdirSync(path.join(root, dir), { recursive: true, encoding: "utf8" })
    .filter((f) => endings.some((e) => f.endsWith(e)))
    .map((f) => readFileSync(path.join(root, dir, f), "utf8"));
}

/**
 * ctx.missingEnvMember, by TypeScript's checker on `env: TestEnvironment<ServiceName>` (every service's
 * context present); the program is built on first use only.
 */
function envMembers(root: string): DocContext["missingEnvMember"] {
  let type: ts.Type | undefined;
  let checker: ts.TypeChecker;
  const src = path.join(root, "src") + path.sep;
  const own = (t: ts.Type) =>
    t
      .getProperties()
      .some((p) => p.declarations?.some((d) => path.resolve(d.getSourceFile().fileName).startsWith(src)));
  return (names) => {
    if (!type) {
      const file = path.join(root, "src", "doc-env.ts");
      const text =
        'import type { TestEnvironment } from "./index";\nimport type { ServiceName } from "./services";\n' +
        "export declare const env: TestEnvironment<ServiceName>;\n";
      const config = ts.getParsedCommandLineOfConfigFile(
        path.join(root, "tsconfig.json"),
        {},
        { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined },
      )!;
      const host = ts.createCompilerHost(config.options);
      const read = host.getSourceFile.bind(host);
      host.getSourceFile = (name, target, ...rest) =>
        path.resolve(name) === file ? ts.createSourceFile(name, text, target) : read(name, target, ...rest);
      const program = ts.createProgram([file], config.options, host);
      checker = program.getTypeChecker();
      const env = checker.getExportsOfModule(checker.getSymbolAtLocation(program.getSourceFile(file)!)!)[0];
      type = checker.getTypeOfSymbol(env);
    }
    let current = type;
    for (const name of names) {
      if (!own(current)) return undefined;
      const member = checker.getPropertyOfType(current, name);
      if (!member) return name;
      current = checker.getNonNullableType(checker.getTypeOfSymbol(member));
    }
    return undefined;
  };
}

/** The text of a file relative to `root`, or undefined when it does not exist. */
export const reader =
  (root: string): ReadSource =>
  (file) => {
    const full = path.join(root, file);
    return existsSync(full) ? readFileSync(full, "utf8") : undefined;
  };

export function docContext(root = ROOT): DocContext {
  const read = reader(root);
  const pkg = JSON.parse(read("package.json")!) as {
    version: string;
    engines: { node: string };
    scripts: Record<string, string>;
  };
  // Read as text: importing src/cli.ts would run the CLI.
  const usage = /const USAGE = `([^`]*)`/.exec(read("src/cli.ts")!)?.[1];
  if (!usage) throw new Error("src/cli.ts has no USAGE template string; update scripts/docs/context.ts");
  const node = /^>=\s*(\d+(?:\.\d+)*)$/.exec(pkg.engines.node)?.[1];
  if (!node) throw new Error(`package.json's engines.node is not ">=X.Y"; update scripts/docs/context.ts`);
  const testcontainers = path.dirname(require.resolve("testcontainers/package.json", { paths: [root] }));
  const ignored = gitIgnored(read(".gitignore") ?? "");
  const src = textsOf(root, "src", [".ts"]);
  const messages = messagesOf(src);
  return {
    read,
    exists: (file) => existsSync(path.join(root, file)),
    ignored,
    files: filesUnder(root, ignored),
    scripts: new Set(Object.keys(pkg.scripts)),
    version: pkg.version,
    node,
    images: Object.values(SERVICES).flatMap((s) =>
      Object.values<{ image: string }>(s.flavours).map((f) => f.image),
    ),
    usage,
    sourceText: [...src, ...textsOf(root, "fixtures", [".ts"]), read("jest-preset.js")].join("\n"),
    messages,
    renamed: renamesOf(messages),
    testcontainersText: textsOf(root, path.relative(root, path.join(testcontainers, "build")), [".js"]).join(
      "\n",
    ),
    missingEnvMember: envMembers(root),
  };
}
