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
    process.off("unhandledRejection", onRejection);
  }
}
