/**
 * The pack and its runner loaded as one module, for the processes that run the pack (the plan's
 * evaluation workers, the throughput bench): `loadPack()` bundles policy-pack/policies and this
 * folder's runner with esbuild (the one tsx runs on) into one CommonJS file, kept under
 * node_modules/.cache and rebuilt when any file that went into it changes.
 *
 * Why: through tsx's hook each of the pack's 78 files is resolved, looked up in tsx's cache and
 * compiled apart. A fresh process with the SDKs loaded, as a worker has them, took 264-293 ms of
 * CPU to require the runner and the pack, and 119-135 ms to load the bundle, hash check included
 * (three runs each, interleaved, on a loaded host); callgrind counted 1,600 M instructions for a
 * process that registers tsx, loads the pack and runs it over ireland once, 1,149 M with the
 * bundle. tsx also compiles every `import` to getters on the exporting module (esbuild's CommonJS
 * output): 15 ns a call of an imported function in a loop, under 1 ns within one module. A pass of
 * the throughput bench gains less from that: 54.6 M instructions against 53.2 M for passes 22 to
 * 61, 34.2 M against 31.1 M for passes 62 to 141 (callgrind, V8 single-threaded).
 * The code is the same: the bundle only joins the modules (no minifying, names kept as tsx keeps
 * them), and the verdicts are the same, byte for byte (tests/policy-pack/load.spec.ts).
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import * as vm from "node:vm";
import type { EhealthPolicy } from "../../policy-pack/policies";
import { esbuildPath, writeAtomically } from "../engine/compile-cache";
import type { packSummary, runPolicies } from "./run";

export interface LoadedPack {
  readonly policies: readonly EhealthPolicy[];
  readonly runPolicies: typeof runPolicies;
  readonly packSummary: typeof packSummary;
}

/** What the bundle exports: the pack's policies and the runner's two entry points. */
const ENTRY = [
  'export { policies } from "../../policy-pack/policies";',
  'export { packSummary, runPolicies } from "./run";',
].join("\n");

const PROJECT_DIR = path.resolve(__dirname, "..", "..");

/**
 * Under node_modules, so that the bundle's own `require`s (@pulumi/policy/proxy, left out of it)
 * resolve as the runner's do; node_modules/.cache is where tools keep what they can rebuild.
 */
export const CACHE_DIR = path.join(PROJECT_DIR, "node_modules", ".cache", "ehealth-pack");

/** The entry's name, as esbuild lists it among the inputs (it is no file). */
const ENTRY_NAME = "pack-entry.ts";

/**
 * The last bundle's record of what went into it: each input (relative to the project), and a hash
 * of them all, which also names the bundle's file: a file once written never changes, so a process
 * that read the record loads what the record describes even if another builds a newer bundle.
 */
interface Manifest {
  readonly key: string;
  readonly inputs: readonly string[];
}

/** A hash of esbuild's version, the entry and every input's path and content. */
function keyOf(version: string, inputs: readonly string[]): string | undefined {
  const hash = createHash("sha256").update(version).update("\0").update(ENTRY);
  for (const input of inputs) {
    let content: Buffer;
    try {
      content = fs.readFileSync(path.join(PROJECT_DIR, input));
    } catch {
      return undefined;
    }
    hash.update("\0").update(input).update("\0").update(content);
  }
  return hash.digest("hex").slice(0, 32);
}

function readManifest(file: string): Manifest | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as Manifest;
  } catch {
    return undefined;
  }
}

/** Bundles built in this process that could not be written to the cache, by file. */
const unwritten = new Map<string, string>();

/** Builds the bundle (when the cached one is missing or stale) and returns its file. */
export function packBundle(cacheDir: string = CACHE_DIR): string {
  const fileOf = (key: string) => path.join(cacheDir, `pack-${key}.js`);
  const manifestFile = path.join(cacheDir, "pack.json");
  const { version } = JSON.parse(fs.readFileSync(esbuildPath("package.json"), "utf8")) as {
    version: string;
  };
  const cached = readManifest(manifestFile);
  if (cached && keyOf(version, cached.inputs) === cached.key && fs.existsSync(fileOf(cached.key)))
    return fileOf(cached.key);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const esbuild = require(esbuildPath("lib/main.js")) as typeof import("esbuild");
  const entry = path.relative(PROJECT_DIR, path.join(__dirname, ENTRY_NAME));
  // An input that changes while esbuild reads the inputs may be bundled in its older text but
  // hashed in its newer one: such a build is done again rather than kept.
  for (let attempt = 0; attempt < 3; attempt++) {
    const started = Date.now();
    const result = esbuild.buildSync({
      stdin: { contents: ENTRY, resolveDir: __dirname, sourcefile: ENTRY_NAME, loader: "ts" },
      absWorkingDir: PROJECT_DIR,
      bundle: true,
      format: "cjs",
      platform: "node",
      target: "node20",
      // The runtime's packages stay shared with the rest of the process (UnknownValueError).
      packages: "external",
      keepNames: true,
      write: false,
      metafile: true,
      logLevel: "silent",
    });
    const inputs = Object.keys(result.metafile.inputs)
      .filter((input) => input !== entry)
      .sort();
    const key = keyOf(version, inputs);
    const changed = inputs.some((i) => fs.statSync(path.join(PROJECT_DIR, i)).mtimeMs >= started);
    if (!key || changed) continue;
    const file = fileOf(key);
    try {
      fs.mkdirSync(cacheDir, { recursive: true });
      writeAtomically(file, result.outputFiles[0].text);
      writeAtomically(manifestFile, JSON.stringify({ key, inputs } satisfies Manifest));
    } catch {
      // A cache that cannot be written (a read-only node_modules): the bundle is kept in memory
      // for this process, under the name it would have had, and built again by the next.
      unwritten.set(file, result.outputFiles[0].text);
    }
    return file;
  }
  throw new Error("the policy pack's files kept changing while its bundle was built");
}

/** Each bundle compiled in this process, by file: a second load returns the same module. */
const loaded = new Map<string, LoadedPack>();

/**
 * The pack and its runner, from the bundle, compiled as Node compiles a CommonJS module but not
 * through `require`: tsx's hook, which the plan's workers register, would read the bundle whole
 * and look it up in its cache first (`require` of the bundle: 96-126 ms of CPU with tsx
 * registered, 22-38 ms without, three runs each).
 */
export function loadPack(cacheDir: string = CACHE_DIR): LoadedPack {
  const file = packBundle(cacheDir);
  let pack = loaded.get(file);
  if (!pack) {
    const compiled = vm.compileFunction(
      unwritten.get(file) ?? fs.readFileSync(file, "utf8"),
      ["exports", "require", "module", "__filename", "__dirname"],
      { filename: file },
    );
    const module = { exports: {} as LoadedPack };
    compiled(module.exports, createRequire(file), module, file, path.dirname(file));
    pack = module.exports;
    loaded.set(file, pack);
  }
  return pack;
}
