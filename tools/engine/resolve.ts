/**
 * How a program's imports resolve in the evaluation worker: Node's own resolution first (the
 * program's node_modules, then its parents'), and only when that finds nothing, this project's
 * `@pulumi/*` packages, so that a program checked out anywhere, without `npm install`, still
 * evaluates. Any other missing package is the program's to install, and the error says so.
 *
 * The Pulumi SDK keeps its runtime state on `global` (runtime/state.js), so a program that brings
 * its own copy of @pulumi/pulumi registers with the same mock monitor as this engine's copy.
 */
import Module from "node:module";
import * as path from "node:path";
import { isMainThread } from "node:worker_threads";

/** The repository root, whose node_modules supply the fallback. */
const PROJECT_DIR = path.resolve(__dirname, "..", "..");

/** The packages the plan supplies to a program that lacks them. */
export const SUPPLIED = /^@pulumi\/(pulumi|aws|policy)(\/|$)/;

type Resolve = (request: string, parent: unknown, isMain: boolean, options?: unknown) => string;
type Load = (request: string, parent: unknown, isMain: boolean) => unknown;
interface ModuleInternals {
  _resolveFilename: Resolve;
  _load: Load;
  _nodeModulePaths(dir: string): string[];
}

/**
 * Node refuses `trace_events` in a worker thread (ERR_TRACE_EVENTS_UNAVAILABLE), and Pulumi's closure
 * serialization requires every built-in module to recognise the ones a function captures: every
 * program with a magic function (`bucket.onObjectCreated`, `aws.lambda.CallbackFunction`) failed in
 * a worker. A function cannot capture a module its thread cannot load, so a stand-in object serves.
 */
function tolerateWorkerOnlyBuiltins(internals: ModuleInternals): void {
  if (isMainThread) return;
  const load = internals._load;
  const standIn = Object.freeze({});
  internals._load = function (this: unknown, request, parent, isMain) {
    try {
      return load.call(this, request, parent, isMain);
    } catch (err) {
      if ((err as { code?: string }).code === "ERR_TRACE_EVENTS_UNAVAILABLE") return standIn;
      throw err;
    }
  };
}

let installed = false;

/** Installs the fallback (and the built-in stand-ins) once per worker, after tsx's own hooks. */
export function installFallbackResolution(): void {
  if (installed) return;
  installed = true;
  const internals = Module as unknown as ModuleInternals;
  tolerateWorkerOnlyBuiltins(internals);
  const original = internals._resolveFilename;
  const anchor = new Module(path.join(PROJECT_DIR, "package.json"));
  anchor.filename = path.join(PROJECT_DIR, "package.json");
  anchor.paths = internals._nodeModulePaths(PROJECT_DIR);
  internals._resolveFilename = function (this: unknown, request, parent, isMain, options) {
    try {
      return original.call(this, request, parent, isMain, options);
    } catch (err) {
      if ((err as { code?: string }).code !== "MODULE_NOT_FOUND" || !SUPPLIED.test(request))
        throw err;
      try {
        return original.call(this, request, anchor, isMain, options);
      } catch {
        throw err;
      }
    }
  };
}
