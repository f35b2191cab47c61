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
 * whitespace minified, a source map inline (left off when the thread turned source maps off).
 * Anything the cache does not hold goes to tsx's hook as before: files outside this project or
 * under node_modules, tsx's namespaced loads (`?namespace=`), files esbuild refuses (tsx reports
 * the error as it always did), a file whose text changed since the build, and output that would
 * need tsx's own rewriting (`import()` and `import.meta`, which tsx adapts to CommonJS).
 *
 * The cache lives under node_modules/.cache (gone with `npm ci`, as tools keep what they can
 * rebuild), one folder per esbuild and Node version, one file per source path and text.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import Module from "node:module";
import * as path from "node:path";
import type { Loader, Loaders } from "./native-deps";

export const PROJECT_DIR = path.resolve(__dirname, "..", "..");

/** Bumped when the compile below changes, so that no entry of an older one is read. */
const FORMAT = "1";

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

/** One folder per compile: format, esbuild's version and the Node it compiles for. */
function versionDir(root: string, cacheDir: string | undefined): string {
  const base = cacheDir ?? path.join(root, "node_modules", ".cache", "ehealth-ts");
  return path.join(base, `${FORMAT}-esbuild${esbuildVersion()}-node${process.versions.node}`);
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

/** What a precompile did: files it found, compiled, and left to tsx (esbuild refused them). */
export interface PrecompileResult {
  readonly files: number;
  readonly compiled: number;
  readonly refused: readonly string[];
}

/**
 * Output tsx adapts beyond esbuild's: `import()` (tsx rewrites it for CommonJS) and `import.meta`
 * (esbuild leaves it empty in CommonJS, tsx defines it). Such files stay tsx's; so does a file
 * whose strings hold these words (types are gone from the output), which costs only its speed.
 */
const NEEDS_TSX = /\bimport\s*\(|\bimport\.meta\b/;

/**
 * Compiles every project file whose path and text have no entry yet, in one esbuild build, and
 * writes the entries; removes the entries of older texts when it wrote any. A cache that cannot be
 * written leaves every file to tsx, as without this module.
 */
export function precompileProject(options: CompileCacheOptions = {}): PrecompileResult {
  const root = options.root ?? PROJECT_DIR;
  const dir = versionDir(root, options.cacheDir);
  const files = projectFiles(root);
  const wanted = new Map<string, string>();
  let present: Set<string>;
  try {
    present = new Set(fs.readdirSync(dir));
  } catch {
    present = new Set();
  }
  const missing = new Map<string, string>();
  for (const file of files) {
    const name = entryName(file, fs.readFileSync(file, "utf8"));
    wanted.set(name, file);
    if (!present.has(name)) missing.set(file, name);
  }
  if (missing.size === 0) return { files: files.length, compiled: 0, refused: [] };

  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const esbuild = require(esbuildPath("lib/main.js")) as typeof import("esbuild");
  const outdir = path.join(root, ".compile-cache-out");
  let pending = [...missing.keys()];
  const refused: string[] = [];
  let outputs: import("esbuild").OutputFile[] = [];
  while (pending.length > 0) {
    try {
      outputs = esbuild.buildSync({
        entryPoints: pending,
        absWorkingDir: root,
        outdir,
        outbase: root,
        bundle: false,
        write: false,
        format: "cjs",
        platform: "node",
        target: `node${process.versions.node}`,
        keepNames: true,
        minifyWhitespace: true,
        sourcemap: "external",
        sourcesContent: false,
        logLevel: "silent",
      }).outputFiles;
      break;
    } catch (err) {
      // Files esbuild refuses are tsx's to load (and to report); the rest are built again.
      const errors = (err as { errors?: { location?: { file?: string } | null }[] }).errors ?? [];
      const bad = new Set(
        errors.flatMap((e) => (e.location?.file ? [path.resolve(root, e.location.file)] : [])),
      );
      if (bad.size === 0) return { files: files.length, compiled: 0, refused: pending };
      refused.push(...pending.filter((f) => bad.has(f)));
      pending = pending.filter((f) => !bad.has(f));
    }
  }

  const maps = new Map<string, string>();
  for (const output of outputs) {
    if (output.path.endsWith(".js.map"))
      maps.set(output.path.slice(0, -".map".length), output.text);
  }
  let compiled = 0;
  try {
    fs.mkdirSync(dir, { recursive: true });
    for (const output of outputs) {
      if (!output.path.endsWith(".js")) continue;
      const file = path.join(root, path.relative(outdir, output.path)).replace(/\.js$/, ".ts");
      const name = missing.get(file);
      const mapText = maps.get(output.path);
      if (!name || !mapText || NEEDS_TSX.test(output.text)) continue;
      // The map names the source as tsx's does: by its absolute path.
      const map = { ...(JSON.parse(mapText) as object), sources: [file] };
      const inline = Buffer.from(JSON.stringify(map), "utf8").toString("base64");
      writeAtomically(path.join(dir, name), `${output.text.trimEnd()}${MAP_MARK}${inline}`);
      compiled++;
    }
    for (const name of present) {
      if (/^[0-9a-f]{40}\.js$/.test(name) && !wanted.has(name))
        fs.rmSync(path.join(dir, name), { force: true });
    }
  } catch {
    // A read-only node_modules: what was written is used, the rest loads through tsx.
  }
  return { files: files.length, compiled, refused };
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
  const dir = versionDir(root, options.cacheDir);
  const cached: Loader & { [INSTALLED]?: true } = function (this: unknown, module, filename) {
    if (isProjectFile(root, filename)) {
      let code: string | undefined;
      try {
        const source = fs.readFileSync(filename, "utf8");
        code = fs.readFileSync(path.join(dir, entryName(filename, source)), "utf8");
      } catch {
        code = undefined;
      }
      if (code !== undefined) {
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
