/**
 * What an evaluation worker does before it loads the Pulumi SDK: defers the SDK's closure
 * serialization until a program uses it.
 *
 * `require("@pulumi/pulumi")` loads `runtime/closure/serializeClosure` and `codePaths` eagerly
 * (runtime/index.js re-exports `serializeFunction` and `computeCodePaths`), and they load the
 * TypeScript compiler and `@npmcli/arborist`: more than half of the SDK's load time (measured:
 * CPU time of `require("@pulumi/pulumi"); require("@pulumi/aws")` falls from 2.4 s to 1.1 s on a
 * loaded machine; `npm run bench -- --only floor,plan`). Only magic functions
 * (`aws.lambda.CallbackFunction`, `bucket.onObjectCreated`) and dynamic providers serialize
 * closures, and most programs have none. Each deferred module is replaced by one whose exports
 * are functions that load the real module on their first call and hand it the call, so a program
 * that does serialize a closure gets the SDK's own code, as before.
 *
 * This file imports nothing but Node: the worker loads it before the SDK.
 */
import Module from "node:module";
import * as path from "node:path";

/** The deferred modules, by path inside @pulumi/pulumi, with the functions each exports. */
export const DEFERRED: Readonly<Record<string, readonly string[]>> = {
  "runtime/closure/serializeClosure.js": ["serializeFunction", "serializeFunctionAsync"],
  "runtime/closure/codePaths.js": ["computeCodePaths", "findWorkspaceRoot"],
};

/** The directory of the @pulumi/pulumi that `require` finds from `from`. */
export function pulumiRoot(from: string = __filename): string {
  return path.dirname(require.resolve("@pulumi/pulumi/package.json", { paths: [from] }));
}

/**
 * Puts a deferring stand-in for each module of DEFERRED into the module cache. Call before the SDK
 * loads (a module already loaded is left as it is). Returns the files it deferred.
 */
export function deferClosureSerialization(root: string = pulumiRoot()): string[] {
  const cache = Module as unknown as { _cache: Record<string, Module | undefined> };
  const deferred: string[] = [];
  for (const [relative, names] of Object.entries(DEFERRED)) {
    const file = path.join(root, relative);
    if (cache._cache[file]) continue;
    let real: Record<string, (...args: unknown[]) => unknown> | undefined;
    const load = () => {
      if (!real) {
        // The stand-in leaves the cache so that the real module takes its place.
        delete cache._cache[file];
        real = Module.createRequire(file)(file) as typeof real;
      }
      return real!;
    };
    const exports: Record<string, unknown> = {};
    Object.defineProperty(exports, "__esModule", { value: true });
    for (const name of names) {
      exports[name] = function (this: unknown, ...args: unknown[]) {
        return load()[name].apply(this, args);
      };
    }
    const standIn = new Module(file);
    standIn.filename = file;
    standIn.loaded = true;
    standIn.exports = exports;
    cache._cache[file] = standIn;
    deferred.push(file);
  }
  return deferred;
}
