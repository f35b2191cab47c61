import { expect } from "chai";
import { execFileSync } from "node:child_process";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..", "..");

/**
 * Runs the plan of both stacks in a process of its own (this one has loaded the preflight long
 * since), on `cores` cores as Node reports them, with workers that answer only when released: what
 * had the plan loaded and started before the first answer, and after the plan ended? The answers
 * are failures (the schedule, not the report, is under test).
 */
function schedule(cores: number): { before: string[]; after: string[] } {
  const script = `
    const os = require("node:os");
    os.availableParallelism = () => ${cores};
    const childProcess = require("node:child_process");
    const spawned = [];
    const execFile = childProcess.execFile;
    childProcess.execFile = function (file, ...rest) { spawned.push(file); return execFile.call(this, file, ...rest); };
    const { plan } = require(${JSON.stringify(path.join(ROOT, "tools", "plan", "cli.ts"))});
    const seen = () => [
      ...Object.keys(require.cache).filter((f) => /tools[\\\\/](preflight[\\\\/]index|plan[\\\\/]report)\\.ts$/.test(f)).map((f) => path.basename(path.dirname(f)) + "/" + path.basename(f)),
      ...spawned,
    ].sort();
    const path = require("node:path");
    let release;
    const gate = new Promise((resolve) => (release = resolve));
    const evaluate = (request) => gate.then(() => { throw new Error(request.stack + " stopped here"); });
    const options = { stack: "all", policyConfig: "policy-pack/config.json", timeout: 1000, typecheck: false };
    const running = plan(options, () => undefined, evaluate);
    const turns = (n) => n ? new Promise((r) => setImmediate(r)).then(() => turns(n - 1)) : Promise.resolve();
    turns(20).then(() => {
      const before = seen();
      release();
      return running.then(() => { throw new Error("the plan passed"); }, () => console.log(JSON.stringify({ before, after: seen() })));
    });
  `;
  const out = execFileSync(process.execPath, ["--require", "tsx/cjs", "-e", script], {
    cwd: ROOT,
    encoding: "utf8",
  });
  return JSON.parse(out.trim().split("\n").pop()!) as { before: string[]; after: string[] };
}

describe("plan: what the main thread does while the workers evaluate (tools/plan/cli.ts)", () => {
  const loadedLater = ["git", "git", "plan/report.ts", "preflight/index.ts"];

  it("with as many stacks as cores, loads the preflight and the reports and runs git only once a worker answers", () => {
    const { before, after } = schedule(2);
    expect(before).to.deep.equal([]);
    expect(after).to.deep.equal(loadedLater);
  });

  it("with a core to spare, starts them at once, while the workers evaluate", () => {
    const { before, after } = schedule(4);
    expect(before).to.deep.equal(loadedLater);
    expect(after).to.deep.equal(loadedLater);
  });
});
