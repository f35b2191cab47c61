/**
 * Evaluates one program in a worker thread, so that each stack gets its own Pulumi runtime (it is
 * process-global) and stacks evaluate in parallel.
 */
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";
import { Evaluation, EvaluationError, EvaluationRequest, evaluateProgram } from "./evaluate";

type WorkerReply =
  | { readonly ok: true; readonly evaluation: Evaluation }
  | { readonly ok: false; readonly message: string; readonly kind: "program" | "timeout" };

/** Runs `evaluateProgram` in a fresh worker thread and resolves with its result. */
export function evaluateInWorker(request: EvaluationRequest): Promise<Evaluation> {
  return new Promise((resolve, reject) => {
    // A worker does not inherit the parent's module hooks: register tsx's CommonJS hook first so
    // that this file and any TypeScript program load.
    const bootstrap = `require("tsx/cjs"); require(${JSON.stringify(__filename)});`;
    // The runtime's own exit notices (leaked promises of a stopped program) are not findings.
    const worker = new Worker(bootstrap, {
      eval: true,
      workerData: request,
      stdout: false,
      stderr: true,
    });
    worker.stderr.resume();
    let settled = false;
    worker.once("message", (reply: WorkerReply) => {
      settled = true;
      if (reply.ok) resolve(reply.evaluation);
      else reject(new EvaluationError(reply.message, reply.kind));
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

if (!isMainThread && parentPort && (workerData as { program?: string })?.program) {
  const port = parentPort;
  evaluateProgram(workerData as EvaluationRequest).then(
    (evaluation) => port.postMessage({ ok: true, evaluation } satisfies WorkerReply),
    (err: unknown) =>
      port.postMessage({
        ok: false,
        message: err instanceof Error ? err.message : String(err),
        kind: err instanceof EvaluationError ? err.kind : "program",
      } satisfies WorkerReply),
  );
}
