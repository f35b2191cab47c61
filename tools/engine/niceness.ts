/**
 * How much the threads and processes that evaluate programs yield the machine to the one that
 * started them: a Linux nice value (0, the default: not at all, to 19).
 *
 * A caller with work of its own on its main thread, while the evaluations run beside it, sets it:
 * the test run does (tests/setup.ts), whose main thread runs the suites one after another while
 * workers and child processes evaluate the programs later suites read. Without it, on two cores,
 * three runnable threads share them equally and the suites' thread, the one every test waits for,
 * gets two thirds of a core; with it, the evaluations take what that thread leaves.
 *
 * Linux keeps a nice value per thread (setpriority(2), "the nice value is a per-thread attribute"
 * under NPTL): a worker sets its own with os.setPriority(n), which leaves the caller's thread as it
 * was, and a child process is given it by its process id once started (its threads inherit it).
 * Elsewhere a process's nice value is the whole process's, so workers keep the caller's there.
 */
import { setPriority } from "node:os";

let niceness = 0;

/** Sets the nice value of the evaluations started from now on (an integer from 0 to 19). */
export function setEvaluationNiceness(value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > 19) {
    throw new RangeError(
      `evaluation niceness must be an integer from 0 (as the caller) to 19 (yield the most), not ${value}`,
    );
  }
  niceness = value;
}

/** The nice value evaluations start with. */
export function evaluationNiceness(): number {
  return niceness;
}

/** The statement a worker's bootstrap starts with: its own thread's nice value, on Linux. */
export function workerNicenessStatement(platform: NodeJS.Platform = process.platform): string {
  return niceness > 0 && platform === "linux" ? `require("node:os").setPriority(${niceness});` : "";
}

/** Gives a started child process the nice value (any platform: a process of its own). */
export function niceChild(pid: number | undefined): void {
  if (niceness === 0 || pid === undefined) return;
  try {
    setPriority(pid, niceness);
  } catch {
    // A child that has already exited has no priority to set; it reports its own end.
  }
}
