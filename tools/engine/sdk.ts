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

/** Node's CommonJS module cache (`require.cache`), by file. */
const moduleCache = (Module as unknown as { _cache: Record<string, Module | undefined> })._cache;

/**
 * Puts `exports` into the module cache as the loaded module of `file`: `require` of the file, and
 * the SDK's closure serializer (which names a captured module by finding its exports there), then
 * see the stand-in as they would the module.
 */
function cacheStandIn(file: string, exports: unknown): void {
  const standIn = new Module(file);
  standIn.filename = file;
  standIn.loaded = true;
  standIn.exports = exports;
  moduleCache[file] = standIn;
}

/**
 * Puts a deferring stand-in for each module of DEFERRED into the module cache. Call before the SDK
 * loads (a module already loaded is left as it is). Returns the files it deferred.
 *
 * Evaluation workers and children call it with deferAwsNamespaces. The tests' thread
 * (tests/setup.ts) and workers that run a TypeScript file (worker.ts typescriptWorker) call it
 * alone: such a thread may serialize closures (the SDK names a captured module by finding its
 * exports in `require.cache`) or rehydrate resource references (the tests' in-process runtime
 * leaves them on), and both need the namespaces the SDK registers as it loads.
 */
export function deferClosureSerialization(root: string = pulumiRoot()): string[] {
  const deferred: string[] = [];
  for (const [relative, names] of Object.entries(DEFERRED)) {
    const file = path.join(root, relative);
    if (moduleCache[file]) continue;
    let real: Record<string, (...args: unknown[]) => unknown> | undefined;
    const load = () => {
      if (!real) {
        // The stand-in leaves the cache so that the real module takes its place.
        delete moduleCache[file];
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
    cacheStandIn(file, exports);
    deferred.push(file);
  }
  return deferred;
}

/**
 * The entry file of the @pulumi/aws that `require` finds from `from`. Loaded through tsx's API
 * under a namespace (as workers load this file), `require.resolve` may append `?namespace=...` to
 * what it finds (seen with a relative path given to the API's `require`): the path comes before.
 */
export function awsEntry(from: string = __filename): string {
  return require.resolve("@pulumi/aws", { paths: [from] }).split("?")[0];
}

/**
 * A module's exports, loaded when first read. It says it is an ES module's (`__esModule`) without
 * loading, as every namespace of @pulumi/aws does, so that `__importStar` hands it on unwrapped.
 */
function lazyExports(load: () => Record<PropertyKey, unknown>): object {
  return new Proxy(
    {},
    {
      get: (_, key) => (key === "__esModule" ? true : Reflect.get(load(), key)),
      set: (_, key, value) => Reflect.set(load(), key, value),
      has: (_, key) => Reflect.has(load(), key),
      ownKeys: () => Reflect.ownKeys(load()),
      getOwnPropertyDescriptor: (_, key) => {
        const descriptor = Reflect.getOwnPropertyDescriptor(load(), key);
        // The stand-in holds no property itself: a proxy may report one only as configurable.
        return descriptor && { ...descriptor, configurable: true };
      },
      defineProperty: (_, key, descriptor) => Reflect.defineProperty(load(), key, descriptor),
      deleteProperty: (_, key) => Reflect.deleteProperty(load(), key),
      getPrototypeOf: () => Reflect.getPrototypeOf(load()),
    },
  );
}

/**
 * Defers each of @pulumi/aws's 238 service namespaces (`aws.s3`, `aws.kms`, ...) until a program
 * first reads from it. The package's entry file requires every namespace's index as it loads, and
 * each index defines its resources' lazy getters and registers them for rehydrating resource
 * references (`registerResourceModule`): about half of the CPU time of loading the SDK (measured:
 * 790-830 ms against 310-550 ms for `require` of both SDKs with it, five runs each, loaded host),
 * for a program that uses a dozen of them. Here the entry file gets, for each namespace, a stand-in
 * that loads the real index when first read from (a property, a key, `in`) and then answers as it.
 * A namespace's index does nothing else as it loads (checked: every one only exports lazy getters
 * and registers its modules), and the engine declines resource references (evaluate.ts), the one
 * use of that registry; each stand-in sits in the module cache under its namespace's file, where
 * the SDK's closure serializer looks a captured module up (a closure that captured `aws.kms` was
 * written out as the namespace's internals and failed to run, found by an independent review).
 * So a namespace that loads late behaves as one loaded first; one a program never reads never
 * loads. Call before @pulumi/aws loads; call the function returned after it has: it removes the
 * hook (namespaces already deferred stay deferred).
 */
export function deferAwsNamespaces(entry: string = awsEntry()): () => void {
  const loader = Module as unknown as {
    _load(request: string, parent: Module | undefined, isMain: boolean): unknown;
    _resolveFilename(request: string, parent: Module | undefined): string;
  };
  const load = loader._load;
  const root = path.dirname(entry);
  const hook = function (
    this: unknown,
    request: string,
    parent: Module | undefined,
    isMain: boolean,
  ): unknown {
    if (parent?.filename === entry && request.startsWith("./")) {
      const file = loader._resolveFilename(request, parent);
      if (path.basename(file) === "index.js" && path.dirname(path.dirname(file)) === root) {
        let real: Record<PropertyKey, unknown> | undefined;
        const standIn = lazyExports(() => {
          if (!real) {
            // The stand-in's cache entry makes way for the real module, which then answers
            // `require` of its file with the stand-in, as it was answered before.
            if (moduleCache[file]?.exports === standIn) delete moduleCache[file];
            real = load.call(loader, request, parent, false) as Record<PropertyKey, unknown>;
            const loaded = moduleCache[file];
            if (loaded) loaded.exports = standIn;
          }
          return real;
        });
        // Under the namespace's file, as the SDK's index would be: `require("@pulumi/aws/kms")`
        // gets the same object as `aws.kms`, and a closure that captured it serializes as a
        // require of that module.
        cacheStandIn(file, standIn);
        return standIn;
      }
    }
    return load.call(this, request, parent, isMain);
  };
  loader._load = hook;
  return () => {
    if (loader._load === hook) loader._load = load;
  };
}
