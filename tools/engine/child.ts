/**
 * Evaluates a program in a child process whose working directory is the program's own, as Pulumi's
 * Node.js language host runs it (`--pwd`): programs read files by relative paths (`./www`,
 * `fs.readFileSync("policy.json")`), and the threads of a worker share their process's directory
 * and cannot change it (`process.chdir` is refused in workers). The working directory follows
 * Pulumi's getPwdMain (pulumi/pulumi, pkg/engine/project.go): the project folder, or the folder
 * `main` names, or the folder of the file `main` names.
 */
import { fork } from "node:child_process";
import * as path from "node:path";
import { Evaluation, EvaluationError, EvaluationRequest } from "./types";
import { DISPLAY_DIR_ENV } from "./yaml";

type ChildReply =
  | { readonly ok: true; readonly evaluation: Evaluation }
  | { readonly ok: false; readonly message: string; readonly kind: "program" | "timeout" };

/** Whether a request must run in a child process of its own to get its working directory. */
export function needsOwnDirectory(request: EvaluationRequest): boolean {
  return request.cwd !== undefined && path.resolve(request.cwd) !== process.cwd();
}

/** Runs the evaluation (and the pack, when asked) in a child process in `request.cwd`. */
export function evaluateInChild(request: EvaluationRequest): Promise<Evaluation> {
  return new Promise((resolve, reject) => {
    // The SDKs load natively first, then tsx's CommonJS hook for the program (see worker.ts);
    // absolute paths, since the child starts in the program's folder.
    const preload = ["@pulumi/pulumi", "@pulumi/aws", "tsx/cjs"].flatMap((m) => [
      "--require",
      require.resolve(m),
    ]);
    const child = fork(__filename, [], {
      cwd: request.cwd,
      env: { ...process.env, [DISPLAY_DIR_ENV]: process.cwd() },
      execArgv: preload,
      serialization: "advanced",
      stdio: ["ignore", "ignore", "pipe", "ipc"],
    });
    child.stderr?.resume();
    let settled = false;
    child.once("message", (reply: ChildReply) => {
      settled = true;
      if (reply.ok) resolve(reply.evaluation);
      else reject(new EvaluationError(reply.message, reply.kind));
      child.kill();
    });
    child.once("error", (err) => {
      if (!settled) reject(new EvaluationError(err.message.split("\n")[0], "program"));
      settled = true;
    });
    child.once("exit", (code) => {
      if (!settled)
        reject(new EvaluationError(`the evaluation process exited with code ${code}`, "program"));
      settled = true;
    });
    child.send(request);
  });
}

if (require.main === module && process.send) {
  // Reports use first lines of messages only (see worker.ts).
  Error.stackTraceLimit = 0;
  process.once("message", (request: EvaluationRequest) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { evaluateAndCheck } = require("./worker") as typeof import("./worker");
    void evaluateAndCheck(request, { ownThread: true }).then(
      (evaluation) => process.send!({ ok: true, evaluation } satisfies ChildReply),
      (err: unknown) =>
        process.send!({
          ok: false,
          message: err instanceof Error ? err.message : String(err),
          kind: err instanceof EvaluationError ? err.kind : "program",
        } satisfies ChildReply),
    );
  });
}
