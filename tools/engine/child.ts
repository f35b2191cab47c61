/**
 * Evaluates a program in a child process whose working directory is the program's own, as Pulumi's
 * Node.js language host runs it (`--pwd`): programs read files by relative paths (`./www`,
 * `fs.readFileSync("policy.json")`), and the threads of a worker share their process's directory
 * and cannot change it (`process.chdir` is refused in workers). The working directory follows
 * Pulumi's getPwdMain (pulumi/pulumi, pkg/engine/project.go): the project folder, or the folder
 * `main` names, or the folder of the file `main` names.
 *
 * A child costs a load of the SDK (about a second of CPU), so children are kept and reused, as the
 * worker threads of an EvaluationPool are: each evaluation runs in a Pulumi store of its own
 * (AsyncLocalStorage, as the Automation API runs inline programs), in its own working directory,
 * and with the modules of the programs before it forgotten, so that it loads its program afresh
 * as a new child would. Only this project's packages (the SDK every child loads) and the engine
 * stay loaded. A child whose evaluation failed may still be running that program (a timer, a file
 * read, a request in flight, any of which would call back into it in the next program's folder),
 * so it is kept only when nothing of the program can run again: its handles and requests
 * (process.getActiveResourcesInfo: timers, immediates, file and network requests, sockets,
 * processes), counted by kind, are no more than before the program, once requests in flight have
 * had a moment to finish (programFinished). A program's code runs again only from one of those or
 * from a promise one of them settles; promises left waiting with none of them never settle. A
 * program that failed as it loaded (a syntax error, a missing module or config) or on a rejection
 * leaves none: the test suite's bad-input plans (plan-anywhere.spec, plan.spec) each started a new
 * child, about a second of CPU to load the SDK, before such children were kept.
 * tests/tools/child.spec.ts compares programs evaluated one after another in one child, failed
 * ones among them, with the same programs in new children.
 */
import { ChildProcess, spawn } from "node:child_process";
import Module from "node:module";
import * as path from "node:path";
import { INSTALL_COMPILE_CACHE } from "./compile-cache";
import { TIERING_FLAG } from "./tiering";
import { niceChild } from "./niceness";
import { POOL_FLAG } from "./v8-pool";
import { Evaluation, EvaluationError, EvaluationRequest } from "./types";
import { DISPLAY_DIR_ENV } from "./yaml";

/** The repository root: its node_modules hold the SDK that every child loads before any program. */
const PROJECT_DIR = path.resolve(__dirname, "..", "..");

/** Loaded in each worker and child before the SDK. */
export const SDK_FILE = path.join(__dirname, "sdk.ts");
/**
 * The tsx namespace sdk.ts loads in, in workers and children: fixed, so that tsx's transform cache
 * finds it again (tsx's own `require` names a new namespace per process, part of the cache's key).
 */
export const SDK_NAMESPACE = "ehealth-engine-sdk";

interface ChildRequest {
  readonly request: EvaluationRequest;
  /** The folder of the person running the plan, for the program's messages (yaml.ts). */
  readonly displayDir: string;
}

type ChildReply =
  | { readonly ok: true; readonly evaluation: Evaluation }
  | {
      readonly ok: false;
      readonly message: string;
      readonly kind: "program" | "timeout";
      /** Nothing of the failed program can run again: the child may evaluate the next one. */
      readonly finished: boolean;
    };

/** Whether a request must run in a child process of its own to get its working directory. */
export function needsOwnDirectory(request: EvaluationRequest): boolean {
  return request.cwd !== undefined && path.resolve(request.cwd) !== process.cwd();
}

/**
 * What a child runs before the first request, as a worker does (worker.ts): the plan's V8
 * tiering, closure serialization and @pulumi/aws's namespaces deferred, then the SDKs natively (through tsx's hooks they load
 * twice as slowly), then tsx's CommonJS hook for the programs; no stack traces or source maps
 * (reports use first lines of messages only). Absolute paths: the child may start anywhere.
 */
export function bootstrap(): string {
  const resolved = (m: string) => JSON.stringify(require.resolve(m));
  return [
    // V8's tiering for a short run, as the plan's own process sets it (tiering.ts).
    `require("node:v8").setFlagsFromString(${JSON.stringify(TIERING_FLAG)});`,
    "Error.stackTraceLimit = 0;",
    // tsx's API under a fixed namespace, so that its transform cache finds sdk.ts again (worker.ts).
    `const sdk = require(${resolved("tsx/cjs/api")}).register({ namespace: ${JSON.stringify(SDK_NAMESPACE)} });`,
    `const engineSdk = sdk.require(${JSON.stringify(SDK_FILE)}, ${JSON.stringify(__filename)});`,
    "engineSdk.deferClosureSerialization();",
    "sdk.unregister();",
    // @pulumi/aws's service namespaces load when a program first reads them (sdk.ts).
    "const awsLoaded = engineSdk.deferAwsNamespaces();",
    `require(${resolved("@pulumi/pulumi")});`,
    `require(${resolved("@pulumi/aws")});`,
    "awsLoaded();",
    `require(${resolved("tsx/cjs")});`,
    // Installed packages' CommonJS files load as Node loads them, without tsx (native-deps.ts).
    `require(${JSON.stringify(path.join(__dirname, "native-deps.ts"))});`,
    INSTALL_COMPILE_CACHE,
    "process.setSourceMapsEnabled(false);",
    `require(${JSON.stringify(__filename)}).serve();`,
  ].join(" ");
}

/** A child's `node` arguments: V8's background threads as the plan's own process has them. */
export function childArgs(): string[] {
  return [POOL_FLAG, "-e", bootstrap()];
}

/** An evaluation waiting for a child (here) or a pooled worker (worker.ts), and its promise. */
export interface Job {
  readonly request: EvaluationRequest;
  readonly resolve: (e: Evaluation) => void;
  readonly reject: (err: unknown) => void;
}

/**
 * Child processes that evaluate programs one at a time each: at most `size` at once (the others
 * wait), and up to `size` kept between evaluations for the next ones. A pool of size 0 starts a
 * child per evaluation and keeps none (tests compare the two).
 */
export class ChildPool {
  private readonly idle: ChildProcess[] = [];
  private readonly queue: Job[] = [];
  private running = 0;
  /** How many children this pool has started (tests read it to know that one was reused). */
  started = 0;

  constructor(private readonly size: number) {}

  evaluate(request: EvaluationRequest): Promise<Evaluation> {
    return new Promise((resolve, reject) => {
      this.queue.push({ request, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.queue.length > 0 && (this.running < this.size || this.size === 0)) {
      const job = this.queue.shift()!;
      this.running++;
      void this.run(this.idle.pop() ?? this.spawn(), job).finally(() => {
        this.running--;
        this.pump();
      });
    }
  }

  private spawn(): ChildProcess {
    this.started++;
    const child = spawn(process.execPath, childArgs(), {
      env: process.env,
      serialization: "advanced",
      // Nothing the program prints is a finding, and no pipe may keep this process alive.
      stdio: ["ignore", "ignore", "ignore", "ipc"],
    });
    niceChild(child.pid);
    // A child that dies while idle leaves the pool; one that dies while busy fails its job (run).
    child.once("exit", () => {
      const at = this.idle.indexOf(child);
      if (at >= 0) this.idle.splice(at, 1);
    });
    return child;
  }

  /** Sends the job to the child and settles it with the reply; keeps the child if it succeeded. */
  private run(child: ChildProcess, job: Job): Promise<void> {
    // A busy child keeps the caller's process alive until it answers; an idle one does not.
    child.ref();
    child.channel?.ref();
    return new Promise<void>((done) => {
      const finish = (keep: boolean) => {
        child.off("message", onMessage);
        child.off("error", onError);
        child.off("exit", onExit);
        if (keep && this.size > 0 && this.idle.length < this.size && child.connected) {
          child.unref();
          child.channel?.unref();
          this.idle.push(child);
        } else {
          child.kill();
        }
        done();
      };
      const onMessage = (reply: ChildReply) => {
        finish(reply.ok || reply.finished);
        if (reply.ok) job.resolve(reply.evaluation);
        else job.reject(new EvaluationError(reply.message, reply.kind));
      };
      const onError = (err: Error) => {
        finish(false);
        job.reject(new EvaluationError(err.message.split("\n")[0], "program"));
      };
      const onExit = (code: number | null) => {
        finish(false);
        job.reject(
          new EvaluationError(`the evaluation process exited with code ${code}`, "program"),
        );
      };
      child.on("message", onMessage);
      child.once("error", onError);
      child.once("exit", onExit);
      child.send({ request: job.request, displayDir: process.cwd() } satisfies ChildRequest);
    });
  }

  /** Stops the idle children. */
  close(): void {
    for (const child of this.idle.splice(0)) child.kill();
  }
}

/** The children of this process (two, as this machine's cores and the pool of workers). */
const shared = new ChildPool(2);

/** Runs the evaluation (and the pack, when asked) in a child process in `request.cwd`. */
export function evaluateInChild(request: EvaluationRequest): Promise<Evaluation> {
  return shared.evaluate(request);
}

/** Stops the children kept for later evaluations (they never keep this process alive). */
export function closeChildren(): void {
  shared.close();
}

/** Modules every evaluation shares: this project's packages (the SDK) and the engine itself. */
function isShared(file: string): boolean {
  const relative = path.relative(PROJECT_DIR, file);
  const top = relative.split(path.sep)[0];
  return !path.isAbsolute(relative) && ["node_modules", "tools", "policy-pack"].includes(top);
}

/** Forgets the modules loaded since `before` that are the program's, not the SDK's or the engine's. */
function forgetProgramModules(before: ReadonlySet<string>): void {
  const cache = (Module as unknown as { _cache: Record<string, unknown> })._cache;
  for (const file of Object.keys(cache)) {
    if (!before.has(file) && !isShared(file)) delete cache[file];
  }
}

/** The kinds of handles and requests this process holds, and how many of each. */
function activeResources(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo())
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  return counts;
}

/**
 * Whether nothing of a failed program can run again: no handle or request beyond those held before
 * it, once those still in flight have had a moment to finish. File requests do finish (the SDK's
 * and tsx's own reads and writes were still in flight when a program that failed as it loaded
 * answered); a timer or a server of the program's does not within the moment (50 ms).
 */
async function programFinished(before: ReadonlyMap<string, number>): Promise<boolean> {
  const extra = () => [...activeResources()].some(([kind, n]) => n > (before.get(kind) ?? 0));
  for (let waited = 0; waited < 50; waited += 5) {
    await new Promise((resolve) => setTimeout(resolve, 5));
    if (!extra()) return true;
  }
  return false;
}

/** The child's side: evaluates each request it is sent, one at a time, in the request's folder. */
export function serve(): void {
  // Rejections that surface after an evaluation has answered belong to that finished program
  // (whose child is stopped unless nothing of it can run again); each evaluation collects its own
  // while it runs (evaluate.ts).
  process.on("unhandledRejection", () => undefined);
  // The parent is gone (it exited, or was killed): nothing will ask this child again.
  process.on("disconnect", () => process.exit(0));
  process.on("message", ({ request, displayDir }: ChildRequest) => {
    process.env[DISPLAY_DIR_ENV] = displayDir;
    const before = new Set(Object.keys((Module as unknown as { _cache: object })._cache));
    const held = activeResources();
    const send = (reply: ChildReply) => {
      forgetProgramModules(before);
      process.send!(reply);
    };
    try {
      if (request.cwd) process.chdir(request.cwd);
    } catch (err) {
      const message = (err as Error).message.split("\n")[0];
      send({ ok: false, message, kind: "program", finished: true });
      return;
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { evaluateAndCheck } = require("./worker") as typeof import("./worker");
    void evaluateAndCheck(request).then(
      (evaluation) => send({ ok: true, evaluation }),
      async (err: unknown) =>
        send({
          ok: false,
          message: err instanceof Error ? err.message : String(err),
          kind: err instanceof EvaluationError ? err.kind : "program",
          finished: await programFinished(held),
        }),
    );
  });
}
