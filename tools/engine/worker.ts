/**
 * Evaluates programs in worker threads, so that stacks evaluate in parallel and a program that
 * fails or hangs cannot disturb the caller. `evaluateInWorker` gives one program a worker of its
 * own; an `EvaluationPool` keeps a few workers and feeds them well-behaved programs one after
 * another (each evaluation runs in a Pulumi store of its own), which saves loading Pulumi again.
 */
import * as path from "node:path";
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";
import { type Job, SDK_FILE, SDK_NAMESPACE, evaluateInChild, needsOwnDirectory } from "./child";
import { INSTALL_COMPILE_CACHE } from "./compile-cache";
import { workerNicenessStatement } from "./niceness";
import type { EvaluationContext } from "./evaluate";
import type { TypecheckResult } from "./typecheck";
import { Evaluation, EvaluationError, EvaluationRequest } from "./types";

type WorkerReply =
  | { readonly ok: true; readonly evaluation: Evaluation }
  // A request sent with `recordsFirst` is answered twice: its evaluation as soon as it is done,
  // then the pack's findings on it, once the pack has run (evaluateInWorker's `onEvaluated`).
  | { readonly ok: true; readonly evaluated: Evaluation }
  | {
      readonly ok: true;
      readonly checks: NonNullable<Evaluation["checks"]>;
      readonly policiesMs: number;
    }
  | { readonly ok: false; readonly message: string; readonly kind: "program" | "timeout" };

/** A request as a worker receives it. */
type WorkerRequest = EvaluationRequest & { readonly recordsFirst?: boolean };

/** Loaded in workers after tsx's hook: installed packages load without it (native-deps.ts). */
const NATIVE_DEPS_FILE = path.join(__dirname, "native-deps.ts");

/** What a worker runs first, before this file: the hooks, the SDK, then the request (below). */
export function workerBootstrap(): string {
  // A worker does not inherit the parent's module hooks: register tsx's CommonJS hook first so
  // that this file and any TypeScript program load.
  // The SDKs load first, natively: through tsx's hooks the same modules load twice as slowly
  // (measured: 1.13 s against 0.53 s), and once cached they never pass through the hooks again.
  // Pulumi captures a stack trace for every internal promise (leak diagnostics); reports here use
  // first lines of messages only, so workers skip building traces (measured: ~30% of evaluation).
  // Closure serialization loads on first use, not with the SDK (sdk.ts): tsx's API loads that one
  // file without hooking the SDK's modules. Under a namespace of our own, always the same: tsx's
  // own `require` names a new one per process (Date.now()), and the namespace is part of the key of
  // tsx's transform cache, so every worker missed it and started esbuild to compile sdk.ts again
  // (about 0.4 s of CPU per worker, seen with --cpu-prof: esbuild's transformSync under it).
  return [
    // First, so that loading the SDK yields too (niceness.ts; empty unless a caller set one).
    workerNicenessStatement(),
    "Error.stackTraceLimit = 0;",
    `const sdk = require("tsx/cjs/api").register({ namespace: ${JSON.stringify(SDK_NAMESPACE)} });`,
    `const engineSdk = sdk.require(${JSON.stringify(SDK_FILE)}, ${JSON.stringify(__filename)});`,
    "engineSdk.deferClosureSerialization();",
    "sdk.unregister();",
    // @pulumi/aws's service namespaces load when a program first reads them (sdk.ts).
    "const awsLoaded = engineSdk.deferAwsNamespaces();",
    'require("@pulumi/pulumi");',
    'require("@pulumi/aws");',
    "awsLoaded();",
    'require("tsx/cjs");',
    // Installed packages' CommonJS files then load as Node loads them, without tsx (native-deps.ts).
    `require(${JSON.stringify(NATIVE_DEPS_FILE)});`,
    INSTALL_COMPILE_CACHE,
    // Stack traces are off (above), so source maps would serve nothing: tsx then appends none and
    // Node parses none for each module.
    "process.setSourceMapsEnabled(false);",
    `require(${JSON.stringify(__filename)});`,
  ].join(" ");
}

function startWorker(workerData: unknown): Worker {
  const bootstrap = workerBootstrap();
  // The runtime's own exit notices (leaked promises of a stopped program) are not findings.
  // No inherited loader flags: the bootstrap decides when tsx hooks in.
  const worker = new Worker(bootstrap, {
    eval: true,
    workerData,
    stdout: false,
    stderr: true,
    execArgv: [],
  });
  worker.stderr.resume();
  return worker;
}

/** The evaluation a worker's last reply completes (`evaluated`: the one it sent before it). */
function settle(reply: WorkerReply, evaluated?: Evaluation): Evaluation {
  if (!reply.ok) throw new EvaluationError(reply.message, reply.kind);
  if ("evaluation" in reply) return reply.evaluation;
  if (!("checks" in reply) || !evaluated) throw new Error("a worker answered out of order");
  const timingsMs = { ...evaluated.timingsMs, policies: reply.policiesMs };
  return { ...evaluated, checks: reply.checks, timingsMs };
}

/** Workers started ahead of their request (prestartWorkers), each waiting for one program. */
const prestarted: Worker[] = [];

/**
 * Starts workers that load the SDK now and evaluate the next programs evaluateInWorker is given,
 * one each, as a worker of their own would: a command that knows it will evaluate soon calls this
 * first, so that the SDK loads while the command loads its own code and reads its inputs (the
 * plan: its command line, project and stack files). A worker never given a program does not keep
 * the process alive.
 */
export function prestartWorkers(count: number): Worker[] {
  const started: Worker[] = [];
  for (let i = 0; i < count; i++) {
    const worker = startWorker({ awaiting: true });
    worker.unref();
    // One that fails or ends before it is given a program is no longer waiting: unheard, its
    // error would end this process with a trace, and a program posted to it would never answer.
    // evaluateInWorker then starts a worker of the program's own, which reports what went wrong.
    const drop = () => {
      const at = prestarted.indexOf(worker);
      if (at >= 0) prestarted.splice(at, 1);
    };
    worker.on("error", drop);
    worker.once("exit", drop);
    prestarted.push(worker);
    started.push(worker);
  }
  return started;
}

/** How many prestarted workers wait for a program. */
export function waitingWorkers(): number {
  return prestarted.length;
}

/**
 * Runs `evaluateProgram` in a fresh worker thread (one prestartWorkers started, if one waits) and
 * resolves with its result; a program that must run in another working directory gets a child
 * process instead (child.ts).
 *
 * With a pack `check` and `onEvaluated`, the worker sends the evaluation as soon as it is done and
 * runs the pack after: `onEvaluated` gets it while the pack runs on the worker's thread, so that a
 * caller with work of its own on the records (the plan's preflight) does it beside the pack, not
 * after it. The promise still resolves with the evaluation and its checks. A child process
 * answers once: `onEvaluated` is then not called.
 */
export function evaluateInWorker(
  request: EvaluationRequest,
  onEvaluated?: (evaluation: Evaluation) => void,
): Promise<Evaluation> {
  if (needsOwnDirectory(request)) return evaluateInChild(request);
  return new Promise((resolve, reject) => {
    const sent: WorkerRequest =
      onEvaluated && request.check ? { ...request, recordsFirst: true } : request;
    const waiting = prestarted.shift();
    if (waiting) {
      waiting.ref();
      waiting.postMessage(sent);
    }
    const worker = waiting ?? startWorker(sent);
    let settled = false;
    let evaluated: Evaluation | undefined;
    worker.on("message", (reply: WorkerReply) => {
      if (reply.ok && "evaluated" in reply) {
        evaluated = reply.evaluated;
        onEvaluated?.(evaluated);
        return;
      }
      settled = true;
      try {
        resolve(settle(reply, evaluated));
      } catch (err) {
        reject(err);
      }
      void worker.terminate();
    });
    worker.once("error", (err) => {
      if (!settled) reject(new EvaluationError(err.message.split("\n")[0], "program"));
      settled = true;
    });
    worker.once("exit", (code) => {
      if (!settled)
        reject(new EvaluationError(`the evaluation worker exited with code ${code}`, "program"));
    });
  });
}

/**
 * A worker thread that runs one of this repository's TypeScript files and needs no Pulumi: tsx's
 * CommonJS hook, installed packages loaded natively (native-deps.ts), then `file`. What it prints
 * to stdout is dropped; stderr is the caller's to read or drop.
 */
export function typescriptWorker(
  file: string,
  options: { workerData?: unknown; stderr: boolean },
): Worker {
  // The SDK, if the file loads it, loads closure serialization on first use (sdk.ts).
  const load = [
    workerNicenessStatement(),
    'require("tsx/cjs");',
    `require(${JSON.stringify(NATIVE_DEPS_FILE)});`,
    INSTALL_COMPILE_CACHE,
    `require(${JSON.stringify(SDK_FILE)}).deferClosureSerialization();`,
  ].join(" ");
  return new Worker(`${load} require(${JSON.stringify(file)});`, {
    eval: true,
    workerData: options.workerData,
    stdout: false,
    stderr: options.stderr,
    execArgv: [],
  });
}

/**
 * Type-checks a program in a worker of its own (the compiler needs no Pulumi), so that it runs
 * beside the evaluations.
 */
export function typecheckInWorker(entry: string, projectDir?: string): Promise<TypecheckResult> {
  return new Promise((resolve, reject) => {
    const worker = typescriptWorker(__filename, {
      workerData: { typecheck: { entry, projectDir } },
      stderr: true,
    });
    worker.stderr.resume();
    let settled = false;
    worker.once("message", (reply: { ok: boolean; result?: TypecheckResult; message?: string }) => {
      settled = true;
      if (reply.ok) resolve(reply.result!);
      else reject(new EvaluationError(`the type check failed: ${reply.message}`, "program"));
      void worker.terminate();
    });
    worker.once("error", (err) => {
      if (!settled) reject(new EvaluationError(err.message.split("\n")[0], "program"));
      settled = true;
    });
  });
}

/**
 * A few long-lived workers that evaluate programs one at a time each. Use it for programs that
 * settle; give a program that may hang or fail asynchronously a worker of its own.
 */
export class EvaluationPool {
  private readonly idle: Worker[] = [];
  private readonly queue: Job[] = [];
  private readonly workers: Worker[] = [];
  private readonly busy = new Map<Worker, Job>();

  constructor(private readonly size: number) {}

  evaluate(request: EvaluationRequest): Promise<Evaluation> {
    if (needsOwnDirectory(request)) return evaluateInChild(request);
    return new Promise((resolve, reject) => {
      this.queue.push({ request, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.queue.length > 0) {
      let worker = this.idle.pop();
      if (!worker && this.workers.length < this.size) worker = this.spawn();
      if (!worker) return;
      const job = this.queue.shift()!;
      this.busy.set(worker, job);
      worker.postMessage(job.request);
    }
  }

  private spawn(): Worker {
    const worker = startWorker({ pool: true });
    worker.unref();
    this.workers.push(worker);
    worker.on("message", (reply: WorkerReply) => {
      const job = this.busy.get(worker);
      this.busy.delete(worker);
      if (job) {
        try {
          job.resolve(settle(reply));
        } catch (err) {
          job.reject(err);
        }
      }
      this.idle.push(worker);
      this.pump();
    });
    // A worker that dies takes its job with it; the next job gets a fresh worker.
    const retire = (why: string) => {
      const job = this.busy.get(worker);
      this.busy.delete(worker);
      this.workers.splice(this.workers.indexOf(worker), 1);
      const idle = this.idle.indexOf(worker);
      if (idle >= 0) this.idle.splice(idle, 1);
      job?.reject(new EvaluationError(why, "program"));
      this.pump();
    };
    worker.on("error", (err) => retire(err.message.split("\n")[0]));
    worker.on("exit", (code) => {
      if (this.workers.includes(worker)) retire(`the evaluation worker exited with code ${code}`);
    });
    return worker;
  }

  /** Stops the workers. */
  async close(): Promise<void> {
    const workers = this.workers.splice(0);
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/** Evaluates, then runs the policy pack when asked (loaded only then: the tests rarely need it). */
export async function evaluateAndCheck(
  request: EvaluationRequest,
  context: EvaluationContext = {},
  onEvaluated?: (evaluation: Evaluation) => void,
): Promise<Evaluation> {
  // Loaded here, in the worker: the thread that starts workers never loads Pulumi for them.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { evaluateProgram } = require("./evaluate") as typeof import("./evaluate");
  const evaluation = await evaluateProgram(request, context);
  if (!request.check) return evaluation;
  onEvaluated?.(evaluation);
  const started = performance.now();
  // The pack and its runner as one module (tools/policy/load.ts): a third of the CPU of loading
  // them as the pack's ~80 modules through tsx, once per worker.
  const { packSummary, runPolicies, policies } =
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    (require("../policy/load") as typeof import("../policy/load")).loadPack();
  const now = request.check.now ? new Date(request.check.now) : undefined;
  const run = runPolicies(evaluation.resources, policies, request.check.config, { now });
  const policiesMs = Math.round(performance.now() - started);
  // The pack as data, for the process that reports: it need not load the pack's code (tools/plan).
  const checks = { ...run, pack: packSummary(policies) };
  return { ...evaluation, checks, timingsMs: { ...evaluation.timingsMs, policies: policiesMs } };
}

function reply(
  port: NonNullable<typeof parentPort>,
  request: WorkerRequest,
  context: EvaluationContext,
): Promise<void> {
  // Records first only when there is a pack to run after them (evaluateAndCheck's onEvaluated).
  const recordsFirst = request.recordsFirst === true && request.check !== undefined;
  const sendEvaluated = recordsFirst
    ? (evaluated: Evaluation) => port.postMessage({ ok: true, evaluated } satisfies WorkerReply)
    : undefined;
  return evaluateAndCheck(request, context, sendEvaluated).then(
    (evaluation) =>
      port.postMessage(
        (recordsFirst
          ? {
              ok: true,
              checks: evaluation.checks!,
              policiesMs: evaluation.timingsMs.policies ?? 0,
            }
          : { ok: true, evaluation }) satisfies WorkerReply,
      ),
    (err: unknown) =>
      port.postMessage({
        ok: false,
        message: err instanceof Error ? err.message : String(err),
        kind: err instanceof EvaluationError ? err.kind : "program",
      } satisfies WorkerReply),
  );
}

if (!isMainThread && parentPort) {
  const port = parentPort;
  const data = workerData as
    | {
        program?: string;
        pool?: boolean;
        awaiting?: boolean;
        typecheck?: { entry: string; projectDir?: string };
      }
    | undefined;
  if (data?.typecheck) {
    const { entry, projectDir } = data.typecheck;
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { typecheckProgram } = require("./typecheck") as typeof import("./typecheck");
      port.postMessage({ ok: true, result: typecheckProgram(entry, projectDir) });
    } catch (err) {
      port.postMessage({ ok: false, message: (err as Error).message });
    }
  } else if (data?.pool) {
    // Rejections that surface after an evaluation has answered belong to that finished (failed)
    // program; each evaluation collects its own while it runs. Without this the worker would die.
    process.on("unhandledRejection", () => undefined);
    port.on("message", (request: WorkerRequest) => void reply(port, request, {}));
  } else if (data?.program) {
    void reply(port, data as WorkerRequest, { ownThread: true });
  } else if (data?.awaiting) {
    // Prestarted: the one program it is given, as a worker started for it evaluates it.
    port.once(
      "message",
      (request: WorkerRequest) => void reply(port, request, { ownThread: true }),
    );
  }
}
