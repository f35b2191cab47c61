/**
 * Work a suite awaits, started when its file loads (tests/setup.ts): a process it runs, or the
 * evaluations it reads. Mocha loads every spec file before the first test and then runs the suites
 * one after another on this thread; what a suite starts at load runs beside the suites before it,
 * at the evaluations' nice value (tools/engine/niceness.ts), and the suite finds it done.
 */
import { spawn } from "node:child_process";
import { niceChild } from "../../tools/engine/niceness";
import { stack } from "./index";

/**
 * `promise`, started now and awaited later by a test: until then a rejection is nobody's (a suite
 * filtered out never awaits it), so it is not reported as unhandled; the test that awaits it
 * still gets it.
 */
export function started<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

export interface Ran {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `file` with `args` now, in its own process at the evaluations' nice value, killed after
 * `timeoutMs`: how it ended and what it printed. Rejects only when it cannot start.
 */
export function runEarly(
  file: string,
  args: readonly string[],
  options: { readonly cwd?: string; readonly timeoutMs?: number } = {},
): Promise<Ran> {
  return started(
    new Promise<Ran>((resolve, reject) => {
      const child = spawn(file, args, {
        cwd: options.cwd,
        stdio: ["ignore", "pipe", "pipe"],
      });
      niceChild(child.pid);
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on("data", (b: Buffer) => out.push(b));
      child.stderr.on("data", (b: Buffer) => err.push(b));
      const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 60_000);
      child.on("error", (e) => {
        clearTimeout(timer);
        reject(e);
      });
      child.on("close", (status, signal) => {
        clearTimeout(timer);
        resolve({
          status,
          signal,
          stdout: Buffer.concat(out).toString("utf8"),
          stderr: Buffer.concat(err).toString("utf8"),
        });
      });
    }),
  );
}

/**
 * Starts `work` once the project's two stacks are evaluated: the first suites wait for those, and
 * work started for later suites would otherwise share the machine with them.
 */
export function afterStacks<T>(work: () => Promise<T>): Promise<T> {
  const settled = (p: Promise<unknown>) =>
    p.then(
      () => undefined,
      () => undefined,
    );
  return started(Promise.all([settled(stack("ireland")), settled(stack("oregon"))]).then(work));
}
