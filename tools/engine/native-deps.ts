/**
 * Installed packages load through Node's own CommonJS loader, not through tsx's hook.
 *
 * tsx replaces Node's loader for `.js` and `.cjs` files so that TypeScript and ES modules can be
 * `require`d. Its hook reads every JavaScript file, and when the text merely contains "import" or
 * "export" (as every CommonJS file that assigns `exports.x` does) it parses the whole file with
 * es-module-lexer to find out whether it is an ES module, then compiles it unchanged when it is
 * not. For a package's CommonJS files that parse is pure cost: measured as CPU time of one
 * `require`, seven runs each, medians (process.cpuUsage): zod 243 ms through tsx against 104 ms
 * natively, yaml 154 against 69 ms, @cloud-copilot/iam-simulate 218 against 138 ms.
 *
 * A file under a `node_modules` folder is compiled by `module._compile` as Node's own `.js` loader
 * compiles it (the same source, the same format) when it is `.cjs`, or `.js` in a package scope
 * that declares `"type": "commonjs"` or no type (Node's rule for what a `.js` file is: the nearest
 * package.json's type, https://nodejs.org/api/packages.html#type). Everything else stays tsx's:
 * this project's and programs' own files, ES modules, and tsx's namespaced loads (`?namespace=`).
 * Pulumi's own Node.js language host does not transpile node_modules either: it runs TypeScript
 * with ts-node (the nodejs runtime option `typescript`, "whether to use ts-node to execute
 * sources", Pulumi's ProjectRuntimeOptions reference), which by default "avoids compiling files in
 * /node_modules/" (https://typestrong.org/ts-node/docs/scope).
 *
 * One case tsx handles and Node does not: ES module syntax in a `.js` file of a package that
 * declares `"type": "commonjs"` (Node refuses it with a SyntaxError; where the package declares no
 * type, this Node detects the syntax and loads the file as an ES module itself, as it would without
 * tsx). Such a file fails to compile before any of it runs, so it is handed back to tsx, which
 * transforms it as before; a SyntaxError that a file throws as it runs stays its caller's.
 */
import Module from "node:module";
import { readFileSync } from "node:fs";
import { compileFunction } from "node:vm";
import * as path from "node:path";

/** Marks a loader this file installed. */
const NATIVE = Symbol.for("ehealth.native-deps");

export type Loader = ((module: CompilingModule, filename: string) => void) & {
  [NATIVE]?: true;
};

export interface CompilingModule {
  readonly children: readonly unknown[];
  _compile(content: string, filename: string, format?: string): void;
}

/** A table of loaders by extension, as Node's `Module._extensions`. */
export type Loaders = Record<string, Loader | undefined>;

const nodeLoaders = (Module as unknown as { _extensions: Loaders })._extensions;
const NODE_MODULES = `${path.sep}node_modules${path.sep}`;

/** By folder: the `type` of the nearest package.json ("" when it has none, as when none is found). */
const scopes = new Map<string, string>();

/**
 * The `type` field of the package.json nearest above a file, as Node's CommonJS loader reads it
 * (readPackageScope: it stops at a `node_modules` folder); "" without one, "?" when that
 * package.json is not JSON (Node refuses the file when it loads it; tsx then decides).
 */
export function packageScope(file: string): string {
  const visited: string[] = [];
  let dir = path.dirname(file);
  let type: string | undefined;
  while (type === undefined) {
    type = scopes.get(dir);
    if (type !== undefined) break;
    visited.push(dir);
    let text: string | undefined;
    try {
      text = readFileSync(path.join(dir, "package.json"), "utf8");
    } catch {
      text = undefined;
    }
    const parent = path.dirname(dir);
    if (text !== undefined) {
      try {
        const declared = (JSON.parse(text) as { type?: unknown }).type;
        type = typeof declared === "string" ? declared : "";
      } catch {
        type = "?";
      }
    } else if (parent === dir || path.basename(dir) === "node_modules") {
      type = "";
    }
    dir = parent;
  }
  for (const seen of visited) scopes.set(seen, type);
  return type;
}

/**
 * The format Node's own `.js` loader passes when it compiles this file as CommonJS ("commonjs", or
 * undefined when the package declares no type and Node detects it), or false for a file that stays
 * tsx's: outside node_modules, an ES module, a TypeScript file, or one of tsx's namespaced loads.
 */
export function nativeFormat(filename: string): "commonjs" | undefined | false {
  if (!filename.includes(NODE_MODULES) || filename.includes("?")) return false;
  if (filename.endsWith(".cjs")) return "commonjs";
  if (!filename.endsWith(".js")) return false;
  const type = packageScope(filename);
  if (type === "commonjs") return "commonjs";
  return type === "" ? undefined : false;
}

/** Whether `source` compiles as the body of a CommonJS module (it is not run). */
function compilesAsCommonJs(source: string, filename: string): boolean {
  try {
    compileFunction(source, ["exports", "require", "module", "__filename", "__dirname"], {
      filename,
    });
    return true;
  } catch {
    return false;
  }
}

/** Files this thread's native path is compiling now (with the modules they load). */
let compiling = 0;

/** What Node prints when a CommonJS compile meets ES module syntax (node_contextify.cc). */
export const ESM_HINT =
  'To load an ES module, set "type": "module" in the package.json or use the .mjs extension.';

const MUTED = Symbol.for("ehealth.native-deps.esm-hint");

/**
 * Keeps Node's hint about ES module syntax (ESM_HINT) from being printed while the native path
 * compiles. A file of a package in ES module syntax that declares itself CommonJS fails to compile
 * here and then loads through tsx, as without this file; Node has by then emitted its hint as a
 * process warning (synchronously, while compiling: measured), which would tell the user to change
 * a package that loads fine. Any other warning, and this one outside the native path, is left as
 * it is. Once per thread.
 */
function muteEsmHint(): void {
  const owner = process as unknown as Record<symbol, boolean | undefined>;
  if (owner[MUTED]) return;
  owner[MUTED] = true;
  const emit = process.emit.bind(process) as (
    event: string | symbol,
    ...args: unknown[]
  ) => boolean;
  process.emit = function (event: string | symbol, ...args: unknown[]): boolean {
    if (
      compiling > 0 &&
      event === "warning" &&
      (args[0] as Error | undefined)?.message === ESM_HINT
    )
      return false;
    return emit(event, ...args);
  } as typeof process.emit;
}

/**
 * Puts the native path in front of the `.js` and `.cjs` loaders in place (tsx's, once it is
 * registered), in Node's table unless another is given (tests). Call after tsx registers its
 * CommonJS hook; calling it again does nothing. Importing this file calls it.
 */
export function loadDependenciesNatively(extensions: Loaders = nodeLoaders): void {
  const fallback = extensions[".js"];
  if (!fallback) return;
  muteEsmHint();
  for (const extension of [".js", ".cjs"]) {
    const hooked = extensions[extension] ?? fallback;
    if (hooked[NATIVE]) continue;
    const loader: Loader = function (this: unknown, module, filename) {
      const format = nativeFormat(filename);
      if (format === false) return hooked.call(this, module, filename);
      const source = readFileSync(filename, "utf8");
      let failed: unknown;
      let compiles = true;
      compiling++;
      try {
        module._compile(source, filename, format);
        return;
      } catch (err) {
        failed = err;
        // A SyntaxError either stopped the compile (nothing of the file ran: tsx may load it) or
        // was thrown by the file as it ran (JSON.parse, a require that failed): then running it
        // again through tsx would run its statements twice. Compiling the text alone tells them
        // apart; this happens only after a SyntaxError.
        if (err instanceof SyntaxError) compiles = compilesAsCommonJs(source, filename);
      } finally {
        compiling--;
      }
      if (failed instanceof SyntaxError && !compiles) return hooked.call(this, module, filename);
      throw failed;
    };
    loader[NATIVE] = true;
    extensions[extension] = loader;
  }
}

loadDependenciesNatively();
