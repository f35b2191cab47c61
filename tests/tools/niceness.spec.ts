import { expect } from "chai";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { evaluateInWorker } from "../../tools/engine";
import { ChildPool } from "../../tools/engine/child";
import {
  evaluationNiceness,
  setEvaluationNiceness,
  workerNicenessStatement,
} from "../../tools/engine/niceness";
import { programDir } from "../helpers/temp";

/** The nice value Linux lists for the calling thread (proc(5): the 19th field of its stat). */
function threadNice(): number {
  const stat = readFileSync("/proc/thread-self/stat", "utf8");
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16]);
}

/** A program that exports the nice value of the thread that evaluates it. */
const SOURCE = [
  'import { readFileSync } from "node:fs";',
  'const stat = readFileSync("/proc/thread-self/stat", "utf8");',
  'export const nice = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16]);',
  "",
].join("\n");

describe("tools/engine/niceness", () => {
  it("refuses a nice value Linux does not give an unprivileged thread, naming it", () => {
    for (const bad of [-1, 20, 2.5, Number.NaN]) {
      expect(() => setEvaluationNiceness(bad), String(bad)).to.throw(
        RangeError,
        new RegExp(`from 0 .* to 19 .*not ${String(bad)}$`),
      );
    }
  });

  it("leaves workers at the caller's priority on a platform where nice values are per process", () => {
    const before = evaluationNiceness();
    try {
      setEvaluationNiceness(5);
      expect(workerNicenessStatement("darwin")).to.equal("");
      expect(workerNicenessStatement("linux")).to.include("setPriority(5)");
      setEvaluationNiceness(0);
      expect(workerNicenessStatement("linux")).to.equal("");
    } finally {
      setEvaluationNiceness(before);
    }
  });

  // This machine is Linux, as CI's is: the nice values are read off the running threads.
  describe("on Linux", () => {
    const dir = programDir("ehealth-nice-", { "index.ts": SOURCE });
    const request = (inOwnDirectory: boolean) => ({
      program: path.join(dir, "index.ts"),
      project: "nice",
      stack: "dev",
      config: { "aws:region": "eu-west-1" },
      ...(inOwnDirectory ? { cwd: dir } : {}),
    });
    const fresh = new ChildPool(0);
    const evaluated: { worker?: unknown; child?: unknown } = {};
    const callerBefore = threadNice();

    before(async () => {
      expect(process.platform).to.equal("linux");
      const before = evaluationNiceness();
      // A value of its own, not the test run's (tests/setup.ts), so that it is this one that shows.
      setEvaluationNiceness(7);
      try {
        const [worker, child] = await Promise.all([
          evaluateInWorker(request(false)),
          fresh.evaluate(request(true)),
        ]);
        evaluated.worker = worker.outputs.nice;
        evaluated.child = child.outputs.nice;
      } finally {
        setEvaluationNiceness(before);
        fresh.close();
      }
    });

    it("runs a worker's evaluation at the nice value, and leaves the caller's thread as it was", () => {
      expect(evaluated.worker).to.equal(7);
      expect(threadNice()).to.equal(callerBefore);
    });

    it("runs a child process's evaluation at the nice value", () => {
      expect(evaluated.child).to.equal(7);
    });
  });
});
