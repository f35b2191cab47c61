/**
 * This project's own TypeScript files compiled once, by one esbuild build, into a cache that every
 * thread and process of a run reads, where each of them otherwise compiles what it loads itself.
 *
 * Why: tsx compiles a file on first load and keeps the result in its cache, under a key that holds
 * the file's path, in the temporary folder. On a fresh clone (or a fresh temporary folder, as in
 * CI) that cache is empty, and each thread that loads the project's files (the suites' thread, the
 * shared evaluation workers, the plan's workers, each evaluation child) starts esbuild and compiles
 * them again until one has written them: `npm test` in one clone, cold against warm tsx cache,
 * three pairs alternated, took a median 37.0 s and 59.8 CPU-s against 31.1 s and 53.9 CPU-s. One
 * build of all the project's files takes esbuild a fraction of a second (its compiles run in
 * parallel), after which every thread finds them.
 *
 * The output is what tsx makes of the same file: esbuild, CommonJS for this Node, names kept,
 * whitespace minified, a source map inline (left off when the thread turned source maps off), with
 * the project's tsconfig.json. An independent review compared both for every project file: the
 * same code but for tsx's wrapper, the same exports, stack traces on the same lines. One deliberate
 * difference: tsx applies the tsconfig it finds from the working folder, so an evaluation child
 * started outside the project compiled the engine's files without one (not in strict mode); from
 * the cache they are compiled as the project's tsconfig says wherever the process starts. The
 * build runs on a copy of the texts as read, in a folder with a package.json of its own, since
 * esbuild's build (not tsx's transform) reads the nearest package.json's type.
 *
 * Anything the cache does not hold goes to tsx's hook as before: files outside this project or
 * under node_modules, tsx's namespaced loads (`?namespace=`), files esbuild refuses (tsx reports
 * the error as it always did), a file whose text changed since the build, code that tsx adapts
 * beyond esbuild's output (`import()`, `import.meta`), and every file when the tsconfig cannot be
 * read as JSON or extends another, or while V8 collects coverage or the inspector is on (tsx then
 * embeds the sources in its maps).
 *
 * The cache lives under node_modules/.cache (gone with `npm ci`, as tools keep what they can
 * rebuild): one folder per project folder and compile (esbuild's and Node's versions, the options,
 * the tsconfig), one file per source path and text. It only ever makes loading faster: an entry
 * that is missing, unreadable or incomplete is a miss, and a build that fails leaves files to tsx.
 * Two independent reviews (2026-12-04) found the faults the tests in
 * tests/tools/compile-cache.spec.ts now guard against.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import Module from "node:module";
import * as path from "node:path";
import type { Loader, Loaders } from "./native-deps";

const PROJECT_DIR = path.resolve(__dirname, "..", "..");

/** Changed when this file's way of writing entries changes (the options below are hashed). */
const FORMAT = "2";

const MAP_MARK = "\n//# sourceMappingURL=data:application/json;base64,";

/** Where a project's compiled files go, and which project's files are compiled. */
export interface CompileCacheOptions {
  readonly root?: string;
  readonly cacheDir?: string;
}

/** esbuild as tsx resolves it: the compiler tsx runs, in tsx's version of it. */
export function esbuildPath(file: string): string {
  return require.resolve(`esbuild/${file}`, { paths: [path.dirname(require.resolve("tsx"))] });
}

/** Written whole or not at all: processes of one run may write the same file at once. */
export function writeAtomically(file: string, content: string): void {
  const temp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  fs.writeFileSync(temp, content);
  fs.renameSync(temp, file);
}

function esbuildVersion(): string {
  const file = esbuildPath("package.json");
  return (JSON.parse(fs.readFileSync(file, "utf8")) as { version: string }).version;
}

/**
 * The compiler options tsx gives esbuild for a project file: those of the project's tsconfig.json
 * (none without one), or undefined when it cannot be read as JSON or extends another (tsx resolves
 * those; every file is then left to it).
 */
function projectTsconfig(root: string): object | undefined {
  let text: string;
  try {
    text = fs.readFileSync(path.join(root, "tsconfig.json"), "utf8");
  } catch {
    return { compilerOptions: {} };
  }
  try {
    const config = JSON.parse(text) as { extends?: unknown; compilerOptions?: object };
    if (config.extends !== undefined) return undefined;
    return { compilerOptions: config.compilerOptions ?? {} };
  } catch {
    return undefined;
  }
}

/** What esbuild is given: tsx's options for a CommonJS file, with the project's tsconfig. */
function compileOptions(tsconfigRaw: object) {
  return {
    format: "cjs",
    platform: "node",
    target: `node${process.versions.node}`,
    keepNames: true,
    minifyWhitespace: true,
    sourcemap: "external",
    sourcesContent: false,
    tsconfigRaw,
  } as const;
}

/**
 * Whether tsx puts the sources into its maps (for a debugger or V8's coverage, which may not read
 * the files): while V8 collects coverage or the inspector is on, as tsx decides it. The cache
 * then steps aside, so that those get tsx's maps.
 */
export function tsxEmbedsSources(
  env: NodeJS.ProcessEnv = process.env,
  execArgv: readonly string[] = process.execArgv,
): boolean {
  if (env.NODE_V8_COVERAGE) return true;
  const flags = [...execArgv, ...(env.NODE_OPTIONS ?? "").split(/\s+/)];
  return flags.some((flag) => /^--inspect(-brk|-wait)?(=|$)/.test(flag));
}

/** Why the cache is off for a project, or where its entries go and how they are compiled. */
type CompileSetup =
  | { readonly off: string }
  | { readonly dir: string; readonly options: ReturnType<typeof compileOptions> };

/**
 * The folder of one project and one compile, and the compile: the tsconfig is read once for both,
 * so that no entry is compiled with other options than its folder's name says. The name hashes the
 * project's folder (checkouts that share node_modules keep their own entries), this file's format,
 * esbuild's and Node's versions and the options, tsconfig included.
 */
function compileSetup(root: string, cacheDir: string | undefined): CompileSetup {
  if (tsxEmbedsSources()) return { off: "V8 collects coverage or the inspector is on" };
  const tsconfig = projectTsconfig(root);
  if (!tsconfig) {
    return { off: "tsconfig.json is not plain JSON or extends another (tsx reads those)" };
  }
  const options = compileOptions(tsconfig);
  const base = cacheDir ?? path.join(root, "node_modules", ".cache", "ehealth-ts");
  const key = createHash("sha1")
    .update([root, FORMAT, esbuildVersion(), JSON.stringify(options)].join("\0"))
    .digest("hex")
    .slice(0, 20);
  return { dir: path.join(base, key), options };
}

function entryName(file: string, source: string): string {
  return `${createHash("sha1").update(file).update("\0").update(source).digest("hex")}.js`;
}

/** A project file the cache may hold: TypeScript of the project's own, loaded without a query. */
function isProjectFile(root: string, file: string): boolean {
  return (
    file.startsWith(root + path.sep) &&
    file.endsWith(".ts") &&
    !file.endsWith(".d.ts") &&
    !file.includes("?") &&
    !file.includes(`${path.sep}node_modules${path.sep}`)
  );
}

/** The project's TypeScript files: every folder but node_modules and hidden ones. */
function projectFiles(root: string): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.name.startsWith(".") || entry.name === "node_modules") continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && isProjectFile(root, full)) files.push(full);
    }
  };
  walk(root);
  return files.sort();
}

/**
 * What a precompile did: files it found, gave esbuild (those without an entry), compiled into
 * entries, and left to tsx because esbuild refused them; and why the cache is off, if it is.
 */
export interface PrecompileResult {
  readonly files: number;
  readonly built: number;
  readonly compiled: number;
  readonly refused: readonly string[];
  readonly off?: string;
}

/**
 * Code tsx adapts beyond esbuild's output: `import()` (tsx rewrites it for CommonJS; looked for in
 * the output, where types such as `typeof import("x")` are gone) and `import.meta` (esbuild leaves
 * it empty in CommonJS, tsx defines it; looked for in the source). A file whose strings hold these
 * words is left to tsx too, which costs only its speed.
 */
const DYNAMIC_IMPORT = /\bimport\s*\(/;
const IMPORT_META = /\bimport\s*\.\s*meta\b/;

/** Marks a file's text as tsx's, so that the next run does not build it again. */
const TSX_ONLY = ".tsx-only";

/** An entry as the loader accepts it: the code, then its map, both present. */
function complete(code: string): boolean {
  return code.lastIndexOf(MAP_MARK) > 0;
}

/**
 * Compiles every project file whose path and text have no entry yet, in one esbuild build of the
 * texts as read (a copy, so that a file saved during the build cannot give an entry the other
 * text), and writes the entries; removes those of texts no longer in the project. Never throws:
 * the cache only makes loading faster, and whatever it does not hold loads through tsx.
 * `read` is how a file's text is read (tests).
 */
export function precompileProject(
  options: CompileCacheOptions & { readonly read?: (file: string) => string } = {},
): PrecompileResult {
  const root = options.root ?? PROJECT_DIR;
  const read = options.read ?? ((file: string) => fs.readFileSync(file, "utf8"));
  let files: string[] = [];
  const texts = new Map<string, string>();
  try {
    const setup = compileSetup(root, options.cacheDir);
    files = projectFiles(root);
    if ("off" in setup)
      return { files: files.length, built: 0, compiled: 0, refused: [], ...setup };
    for (const file of files) {
      try {
        texts.set(file, read(file));
      } catch {
        // Gone since the folder was listed (a branch switch): nothing to compile.
      }
    }
    fs.mkdirSync(setup.dir, { recursive: true });
    fs.accessSync(setup.dir, fs.constants.W_OK);
    return build(root, setup.dir, texts, setup.options);
  } catch (err) {
    // An unwritable cache folder, esbuild missing: every file loads through tsx, and the result
    // says why.
    const off = err instanceof Error ? err.message.split("\n")[0] : String(err);
    return { files: files.length, built: 0, compiled: 0, refused: [], off };
  }
}

function build(
  root: string,
  dir: string,
  texts: ReadonlyMap<string, string>,
  esbuildOptions: ReturnType<typeof compileOptions>,
): PrecompileResult {
  const present = new Set(fs.readdirSync(dir));
  const names = new Map<string, string>();
  const missing: string[] = [];
  for (const [file, text] of texts) {
    const name = entryName(file, text);
    names.set(file, name);
    if (!present.has(name) && !present.has(name + TSX_ONLY)) missing.push(file);
  }
  const prune = () => {
    const wanted = new Set([...names.values()].flatMap((n) => [n, n + TSX_ONLY]));
    const age = (full: string) =>
      Date.now() - (fs.statSync(full, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
    for (const entry of present) {
      const full = path.join(dir, entry);
      if (/^[0-9a-f]{40}\.js(\.tsx-only)?$/.test(entry)) {
        // An entry another run of other texts wrote minutes ago stays: it may be loading it.
        if (!wanted.has(entry) && age(full) > 600_000) fs.rmSync(full, { force: true });
      } else if (age(full) > 3_600_000) {
        // What a killed build left: its staging folder, a half-written entry.
        fs.rmSync(full, { recursive: true, force: true });
      }
    }
    // Folders of other compiles (an older Node, esbuild or tsconfig, a checkout gone) unused for
    // a week.
    const base = path.dirname(dir);
    for (const sibling of fs.readdirSync(base)) {
      const full = path.join(base, sibling);
      if (full !== dir && age(full) > 7 * 86_400_000)
        fs.rmSync(full, { recursive: true, force: true });
    }
  };
  const result = { files: texts.size, built: missing.length, compiled: 0, refused: [] as string[] };
  if (missing.length === 0) return result;

  // The texts as read, under their paths relative to the project, in a folder of this build.
  const staging = fs.mkdtempSync(path.join(dir, "staging-"));
  try {
    const staged = (file: string) => path.join(staging, path.relative(root, file));
    // esbuild's build reads the nearest package.json's "type" (a "module" one changes how default
    // imports are compiled); tsx's transform reads none. This one stops the search here.
    fs.writeFileSync(path.join(staging, "package.json"), "{}");
    for (const file of missing) {
      fs.mkdirSync(path.dirname(staged(file)), { recursive: true });
      fs.writeFileSync(staged(file), texts.get(file)!);
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const esbuild = require(esbuildPath("lib/main.js")) as typeof import("esbuild");
    const outdir = path.join(staging, ".out");
    let pending = [...missing];
    let outputs: import("esbuild").OutputFile[] = [];
    while (pending.length > 0) {
      try {
        outputs = esbuild.buildSync({
          ...esbuildOptions,
          entryPoints: pending.map(staged),
          absWorkingDir: staging,
          outdir,
          outbase: staging,
          bundle: false,
          write: false,
          logLevel: "silent",
        }).outputFiles;
        break;
      } catch (err) {
        // Files esbuild refuses are tsx's to load (and to report); the rest are built again.
        // An error in no file being built (a broken option) leaves them all to tsx.
        const errors = (err as { errors?: { location?: { file?: string } | null }[] }).errors;
        const bad = new Set(
          (errors ?? []).flatMap((e) =>
            e.location?.file ? [path.resolve(staging, e.location.file)] : [],
          ),
        );
        const refused = pending.filter((f) => bad.has(staged(f)));
        if (refused.length === 0) return { ...result, refused: pending };
        result.refused.push(...refused);
        pending = pending.filter((f) => !bad.has(staged(f)));
      }
    }
    const maps = new Map<string, string>();
    for (const output of outputs) {
      if (output.path.endsWith(".js.map"))
        maps.set(output.path.slice(0, -".map".length), output.text);
    }
    const byOutput = new Map(
      pending.map((f) => [path.join(outdir, path.relative(root, f)).replace(/\.ts$/, ".js"), f]),
    );
    for (const output of outputs) {
      const file = byOutput.get(output.path);
      const mapText = maps.get(output.path);
      if (!file || !mapText) continue;
      const name = names.get(file)!;
      if (DYNAMIC_IMPORT.test(output.text) || IMPORT_META.test(texts.get(file)!)) {
        writeAtomically(path.join(dir, name + TSX_ONLY), "");
        continue;
      }
      // The map names the source as tsx's does: by its absolute path.
      const map = { ...(JSON.parse(mapText) as object), sources: [file] };
      const inline = Buffer.from(JSON.stringify(map), "utf8").toString("base64");
      writeAtomically(path.join(dir, name), `${output.text.trimEnd()}${MAP_MARK}${inline}`);
      result.compiled++;
    }
    for (const file of result.refused)
      writeAtomically(path.join(dir, names.get(file)! + TSX_ONLY), "");
    prune();
    return result;
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

/** Loads from the cache, in this thread: the files it served and the ones it passed on to tsx. */
export const compileCacheStats = { served: new Set<string>(), passed: new Set<string>() };

const INSTALLED = Symbol.for("ehealth.compile-cache");

/**
 * Puts the cache in front of the `.ts` loader in place (tsx's: call after tsx registers), in
 * Node's table unless another is given (tests). Calling it again does nothing.
 */
export function installCompileCache(
  options: CompileCacheOptions & { readonly extensions?: Loaders } = {},
): void {
  const root = options.root ?? PROJECT_DIR;
  const extensions =
    options.extensions ?? (Module as unknown as { _extensions: Loaders })._extensions;
  const next = extensions[".ts"];
  if (!next || (next as Loader & { [INSTALLED]?: true })[INSTALLED]) return;
  const setup = compileSetup(root, options.cacheDir);
  if ("off" in setup) return;
  const { dir } = setup;
  const cached: Loader & { [INSTALLED]?: true } = function (this: unknown, module, filename) {
    if (isProjectFile(root, filename)) {
      let code: string | undefined;
      try {
        const source = fs.readFileSync(filename, "utf8");
        code = fs.readFileSync(path.join(dir, entryName(filename, source)), "utf8");
      } catch {
        code = undefined;
      }
      if (code !== undefined && complete(code)) {
        compileCacheStats.served.add(filename);
        // As tsx does: no map where the thread turned source maps off (nothing would read it).
        if (process.sourceMapsEnabled === false) code = code.slice(0, code.lastIndexOf(MAP_MARK));
        module._compile(code, filename);
        return;
      }
      compileCacheStats.passed.add(filename);
    }
    next.call(this, module, filename);
  };
  cached[INSTALLED] = true;
  extensions[".ts"] = cached;
}

/**
 * The statement a worker's or child's bootstrap runs after tsx's hook and native-deps: the
 * project's own files from the cache, where it holds them.
 */
export const INSTALL_COMPILE_CACHE = `require(${JSON.stringify(__filename)}).installCompileCache();`;
