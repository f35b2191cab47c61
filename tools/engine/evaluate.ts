/**
 * Evaluates a Pulumi program on the mock runtime and returns what it would register. The runtime is
 * process-global: evaluate one program per process or worker (see worker.ts).
 */
import * as pulumi from "@pulumi/pulumi";
import * as settings from "@pulumi/pulumi/runtime/settings";
import * as path from "node:path";
import { describeFailure } from "./errors";
import { PlatformMocks } from "./mocks";
import { installFallbackResolution } from "./resolve";
import { DEFAULT_REGION, Evaluation, EvaluationError, EvaluationRequest } from "./types";
import { Recorder, plain } from "./recorder";

export { Evaluation, EvaluationError, EvaluationRequest, describeError } from "./types";

interface StateModule {
  withLocalStorage<T>(callback: () => T): T;
  LocalStore: new () => unknown;
}

interface FeatureMonitor {
  supportsFeature(
    req: { getId(): string },
    callback: (err: unknown, res: { getHassupport(): boolean }) => void,
  ): void;
}

/**
 * The engine hands a provider that does not accept resource references (the AWS provider) the
 * referenced resource's id instead, and the provider's state then holds that id: programs pass
 * resources as inputs (`role: role`) and read the id back. The mock monitor would keep the
 * reference and fail to resolve it under the engine URNs the recorder gives resources; told that
 * references are unsupported, the SDK sends the id itself, as it does for such engines.
 */
function declineResourceReferences(): void {
  const monitor = settings.getMonitor() as unknown as FeatureMonitor;
  const supports = monitor.supportsFeature.bind(monitor);
  monitor.supportsFeature = (req, callback) =>
    req.getId() === "resourceReferences"
      ? callback(null, { getHassupport: () => false })
      : supports(req, callback);
}

export interface EvaluationContext {
  /**
   * The thread (or process) evaluates this program alone and ends after it (evaluateInWorker,
   * evaluateInChild). @default false: it may evaluate others after it (EvaluationPool).
   */
  readonly ownThread?: boolean;
}

/**
 * Evaluates a program in a Pulumi store of its own, so one process can evaluate several programs
 * one after another: the SDK's AsyncLocalStorage, as the Automation API runs inline programs. A
 * thread that evaluates one program only gives it a fresh global store instead (the store the SDK
 * uses outside AsyncLocalStorage, as under `pulumi preview`): an AsyncLocalStorage in use makes
 * Node 20 run async hooks on every promise, which cost a seventh of an evaluation's CPU time and a
 * quarter of its heap (measured on ireland with ten enclaves, process.cpuUsage).
 */
export function evaluateProgram(
  request: EvaluationRequest,
  context: EvaluationContext = {},
): Promise<Evaluation> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const state = require("@pulumi/pulumi/runtime/state") as StateModule;
  if (context.ownThread && !request.reference) {
    (globalThis as { globalStore?: unknown }).globalStore = new state.LocalStore();
    return evaluateInStore(request);
  }
  return state.withLocalStorage(() => evaluateInStore(request));
}

interface ResourceStatics {
  callsites(): unknown[];
}

/**
 * Every resource the SDK constructs captures the whole JavaScript stack (`Resource.callsites`:
 * `Error.stackTraceLimit = Infinity`, then every frame formatted and mapped through tsx's source
 * maps) to send the engine a source position for display. The mock runtime has no use for it and
 * no record carries it, and it cost about a tenth of an evaluation (measured with --cpu-prof), so
 * the engine's evaluations capture none. Returns the function that puts the SDK's own back.
 */
function skipCallsites(): () => void {
  const statics = pulumi.Resource as unknown as ResourceStatics;
  const own = statics.callsites;
  if (typeof own !== "function") return () => undefined;
  statics.callsites = () => [];
  return () => {
    statics.callsites = own;
  };
}

/**
 * The two steps of lightenPromises' chain, one function each for every promise: the SDK calls
 * `debuggablePromise` for each of the four promises of every output property of every resource,
 * and a pair of closures made per call (one holding the promise, for the error's `promise` field)
 * stayed alive as long as the promise waited, most of an evaluation. Nothing reads that field (the
 * SDK sets it for its leak report, which the engine's evaluations never print).
 */
const passOn = <T>(value: T): T => value;
const rethrow = (err: unknown): never => {
  throw err;
};

interface DebuggableModule {
  debuggablePromise<T>(p: Promise<T>, ctx: unknown): Promise<T>;
}

/**
 * The SDK passes every internal promise through `debuggablePromise` (runtime/debuggable.js): it
 * defines three properties on the promise (an id, a context and a stack trace) and keeps it in a
 * set of leak candidates until it settles, for the message the SDK prints when a process exits
 * with promises still pending. An evaluation never exits that way (its worker answers, then ends),
 * and that bookkeeping cost an eighth of an evaluation (measured with --cpu-prof on ireland with
 * ten enclaves). The engine's evaluations keep the same chain (a `then` and a `catch`, as the SDK
 * has), so every registration completes on the same tick as before, without the bookkeeping
 * (tests/tools/engine-reference.spec.ts fails when a step is added or removed). Returns the
 * function that puts the SDK's own back.
 */
function lightenPromises(): () => void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const debuggable = require("@pulumi/pulumi/runtime/debuggable") as DebuggableModule;
  const own = debuggable.debuggablePromise;
  if (typeof own !== "function") return () => undefined;
  debuggable.debuggablePromise = <T>(p: Promise<T>) => p.then<T>(passOn).catch(rethrow);
  return () => {
    debuggable.debuggablePromise = own;
  };
}

/** What the SDK's `transferProperties` returns for each output property: its value's setter. */
type Resolver = (
  value: unknown,
  isKnown: boolean,
  isSecret: boolean,
  deps?: unknown[],
  err?: Error,
) => void;

interface RpcModule {
  transferProperties(
    onto: object,
    label: string,
    props: Record<string, unknown>,
  ): Record<string, Resolver>;
}

type Settle = (resolve: (value: unknown) => void, reject: (err: unknown) => void) => void;

/**
 * The SDK gives every resource an `Output` for each property its type declares (runtime/rpc.js
 * `transferProperties`) when the resource is constructed: four promises passed through
 * `debuggablePromise`, the Output's own chain (`Promise.all`s for its resources, known and secret
 * flags) and a Proxy, about thirty objects a property, and an AWS resource declares tens of them.
 * A program reads a few (`bucket.arn`, `role.name`), and every resource of a program is
 * constructed before the first is registered, so all of them stayed alive together: at 1,200 of
 * ireland's resources with ten enclaves, 64 of the 92 MB a sampling heap profile found alive came
 * from `transferProperties`, and at 50 enclaves the worker spent half its CPU time collecting
 * garbage (--cpu-prof: 4.3 of 9.3 s).
 *
 * The engine's evaluations make each property's Output when the property is first read, with the
 * SDK's own class and the same promises passed through the same `debuggablePromise`: read before
 * the registration answers, it waits for the answer as the SDK's does; read after, its promises
 * start resolved with the answer. Until then the property is a getter (enumerable, so that
 * `Object.keys` and an exported resource list it) that a write replaces, as it replaces the SDK's
 * plain property; a frozen resource keeps the getter, which gives the one Output it made. A name
 * the resource's class already defines (an accessor) gets the SDK's own assignment. A failed
 * registration makes the Output at once and rejects it, as the SDK rejects its own.
 *
 * The records are the SDK's own path's (tests/tools/engine-reference.spec.ts, for the stacks,
 * the fixtures and programs that freeze, subclass and read resources in every order), with one
 * difference an independent review found: an Output first read after its answer is made then, so
 * its `apply` callbacks run a few promise turns later than those of the SDK's Output, made at
 * construction and settled long before. Two callbacks started in the same turn, one on such an
 * Output and one on an Output read before its answer, can then run in the other order, and
 * resources they declare register in the other order: the same records, URNs and dependencies,
 * listed in a different order. The patch is the thread's while an evaluation runs, and a thread
 * runs one evaluation at a time (the pool, the child processes and the plan's own workers all do).
 * Returns the function that puts the SDK's own back.
 */
function deferOutputs(): () => void {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const rpc = require("@pulumi/pulumi/runtime/rpc") as RpcModule;
  const debuggable = require("@pulumi/pulumi/runtime/debuggable") as DebuggableModule;
  const errors = require("@pulumi/pulumi/errors") as { isGrpcError(err: unknown): boolean };
  const { Output } = require("@pulumi/pulumi/output") as {
    Output: new (resources: object, ...promises: Promise<unknown>[]) => unknown;
  };
  /* eslint-enable @typescript-eslint/no-require-imports */
  const own = rpc.transferProperties;
  if (typeof own !== "function") return () => undefined;
  const promise = (settle: Settle) => debuggable.debuggablePromise(new Promise(settle), undefined);
  const assign = (onto: object, key: string, value: unknown) =>
    Object.defineProperty(onto, key, {
      value,
      writable: true,
      enumerable: true,
      configurable: true,
    });

  rpc.transferProperties = (onto, label, props) => {
    const resolvers: Record<string, Resolver> = {};
    for (const key of Object.keys(props)) {
      // The SDK resolves these two itself.
      if (key === "id" || key === "urn") continue;
      if (Object.prototype.hasOwnProperty.call(onto, key)) {
        throw new Error(`Property '${key}' is already initialized on target '${label}`);
      }
      // A name the resource's class (or a class above it) already gives, an accessor most often:
      // the SDK's own assignment, which calls a setter or fails on a getter alone, as the SDK does.
      if (key in onto) {
        Object.assign(resolvers, own(onto, label, { [key]: props[key] }));
        continue;
      }
      // The registration's answer (value, known, secret, dependencies), once it has come.
      let answer: unknown[] | undefined;
      // The made Output's four settlers, when it was made before the answer came.
      let waiting: Parameters<Settle>[] | undefined;
      // The Output, once made: every later read of the getter gives this one (a frozen resource's
      // getter cannot be replaced, and a getter taken from its descriptor can run again).
      let made: unknown;
      const make = (): unknown => {
        if (made !== undefined) return made;
        const given = answer;
        const settlers: Parameters<Settle>[] = [];
        const part = (i: number) =>
          promise((resolve, reject) =>
            given ? resolve(given[i]) : settlers.push([resolve, reject]),
          );
        made = new Output(onto, part(0), part(1), part(2), part(3));
        if (!given) waiting = settlers;
        // Replaced by the Output itself, unless the program wrote the property meanwhile or froze
        // the resource (then the getter stays, and gives `made`).
        const current = Object.getOwnPropertyDescriptor(onto, key);
        if (current?.get === make && current.configurable) assign(onto, key, made);
        return made;
      };
      Object.defineProperty(onto, key, {
        get: make,
        // A write through an object that inherits from the resource lands on that object, as a
        // write over the SDK's plain property does.
        set(this: object, value: unknown) {
          assign(this, key, value);
        },
        enumerable: true,
        configurable: true,
      });
      resolvers[key] = (value, isKnown, isSecret, deps = [], err) => {
        if (err) {
          // The SDK leaves a gRPC error to the registration's own error, as here.
          if (errors.isGrpcError(err)) return;
          // The SDK's Output exists whether or not the program read it, and rejects: so does this.
          if (!waiting && made === undefined) make();
          for (const [, reject] of waiting ?? []) reject(err);
        } else if (waiting) {
          [value, isKnown, isSecret, deps].forEach((part, i) => waiting![i][0](part));
        } else {
          answer = [value, isKnown, isSecret, deps];
        }
      };
    }
    return resolvers;
  };
  return () => {
    rpc.transferProperties = own;
  };
}

async function evaluateInStore(request: EvaluationRequest): Promise<Evaluation> {
  const started = performance.now();
  const region = request.mocks?.region ?? request.config["aws:region"] ?? DEFAULT_REGION;
  // The program reads the region the mocks answer in (aws.config.region, requireRegion).
  pulumi.runtime.setAllConfig({ "aws:region": region, ...request.config });
  const mocks = new PlatformMocks({ ...request.mocks, region });
  await pulumi.runtime.setMocks(mocks, request.project, request.stack, request.preview ?? false);
  declineResourceReferences();
  const recorder = new Recorder();
  recorder.install(request.reference ? "wrap" : "direct");
  recorder.onRecord((r) => {
    if (r.type.startsWith("pulumi:providers:")) mocks.learnProvider(`${r.urn}::${r.id}`, r.inputs);
  });

  // Errors thrown inside applies surface as unhandled rejections. The first one ends the program,
  // as Pulumi's Node.js host ends it: resources waiting on the failed one would otherwise wait
  // until the timeout, which would then name them instead of the cause.
  let asyncError: unknown;
  let failNow: (reason: unknown) => void = () => undefined;
  const failed = new Promise<never>((_, reject) => (failNow = reject));
  failed.catch(() => undefined);
  const onRejection = (reason: unknown) => {
    if (asyncError === undefined) failNow(reason);
    asyncError ??= reason;
  };
  process.on("unhandledRejection", onRejection);

  const programPath = path.resolve(request.program);
  // The program's own packages first, this project's @pulumi/* when it has none (resolve.ts).
  installFallbackResolution();
  const restoreCallsites = request.reference ? () => undefined : skipCallsites();
  const restorePromises = request.reference ? () => undefined : lightenPromises();
  const restoreOutputs = request.reference ? () => undefined : deferOutputs();
  const run = (async () => {
    const outputs = await pulumi.runtime.runInPulumiStack(async () => {
      pulumi.runtime.registerStackTransformation((args) => {
        recorder.noteConstructed(args.type, args.name);
        return undefined;
      });
      // A program that declares resources at its top level runs when first required: forget any
      // earlier load so that every evaluation runs it again.
      delete require.cache[require.resolve(programPath)];
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const mod = require(programPath) as unknown;
      const entry = (mod as { default?: unknown }).default ?? mod;
      return typeof entry === "function" ? await (entry as () => unknown)() : entry;
    });
    // Registrations still in flight after the stack's outputs resolve (the SDK exports this
    // function but leaves it out of its typings).
    await (settings as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
    return outputs;
  })();

  const timeoutMs = request.timeoutMs ?? 60_000;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const pending = recorder.pending();
      reject(
        new EvaluationError(
          `${request.program} did not settle within ${timeoutMs} ms: ${recorder.resources.length} resources registered${pending.length ? `, waiting on ${pending.join(", ")}` : ""} (an output the mocks cannot resolve?)`,
          "timeout",
        ),
      );
    }, timeoutMs);
  });

  try {
    const outputs = await Promise.race([run, timeout, failed]);
    // Node reports an unhandled rejection only after the current tick: let it, while we listen.
    await new Promise((resolve) => setImmediate(resolve));
    if (asyncError) throw asyncError;
    // A resource whose inputs failed to resolve never reaches the engine, and nothing else says so.
    const lost = recorder.pending();
    if (lost.length) {
      throw new EvaluationError(
        `${lost.length} resource(s) were declared but never registered (their inputs failed): ${lost.join(", ")}`,
        "program",
      );
    }
    return {
      project: request.project,
      stack: request.stack,
      program: request.program,
      region,
      config: { ...request.config },
      resources: recorder.resources,
      outputs: (plain(outputs ?? {}) as Record<string, unknown>) ?? {},
      timingsMs: { program: Math.round(performance.now() - started) },
    };
  } catch (err) {
    if (err instanceof EvaluationError) throw err;
    throw new EvaluationError(describeFailure(err, request), "program");
  } finally {
    clearTimeout(timer);
    restoreCallsites();
    restorePromises();
    restoreOutputs();
    process.off("unhandledRejection", onRejection);
  }
}
