import { expect } from "chai";
import { spawn } from "node:child_process";
import * as path from "node:path";
import { niceChild } from "../tools/engine/niceness";

const CONFIG = path.resolve(__dirname, "..", ".mocharc.cjs");
const ROOT = path.resolve(__dirname, "..");

interface Ended {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Node with `args` in the project's folder, killed after `timeoutMs`; what it printed, how it ended. */
function runUntilKilled(args: readonly string[], timeoutMs: number): Promise<Ended> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    // It runs beside the suites before this one, yielding to them as the evaluations do.
    niceChild(child.pid);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
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
  });
}

/** Mocha's configuration as it loads for this command line (it reads process.argv when loaded). */
function configFor(args: readonly string[]): { spec: string[]; require: string[] } {
  const argv = process.argv;
  process.argv = [argv[0], "mocha", ...args];
  try {
    delete require.cache[CONFIG];
    // The file is loaded as mocha loads it, and again for each command line (hence no import).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(CONFIG) as { spec: string[]; require: string[] };
  } finally {
    process.argv = argv;
    delete require.cache[CONFIG];
  }
}

describe(".mocharc.cjs", () => {
  it("spec: every suite when no file is named (npm test, npx mocha --reporter dot)", () => {
    expect(configFor([]).spec).to.deep.equal(["tests/**/*.spec.ts"]);
    expect(configFor(["--reporter", "dot"]).spec).to.deep.equal(["tests/**/*.spec.ts"]);
  });

  it("spec: nothing added when a spec file or a folder of tests is named, so only those run", () => {
    for (const named of [
      ["tests/infra/audit.spec.ts"],
      ["tests/preflight"],
      ["--reporter", "dot", "./tests/tools/plan.spec.ts"],
    ]) {
      expect(configFor(named).spec, named.join(" ")).to.deep.equal([]);
    }
  });

  it("require: the setup that shares the stacks' evaluations runs either way", () => {
    for (const args of [[], ["tests/infra/audit.spec.ts"]]) {
      expect(configFor(args).require).to.deep.equal(["tests/setup.ts"]);
    }
  });

  // mocha in a process of its own, on one small suite, with a filter nothing matches: started when
  // this file loads, so that it runs while the suites before this one do (tests/setup.ts). Its CLI with
  // .mocharc.cjs's node options, as bin/mocha.js starts it: the timeout then kills mocha itself,
  // not a launcher that would leave it running.
  const unselected = runUntilKilled(
    [
      "--import=tsx",
      "--v8-pool-size=0",
      path.join(ROOT, "node_modules", "mocha", "lib", "cli", "cli.js"),
      "tests/helpers/temp.spec.ts",
      "--grep",
      "no test is called this",
    ],
    30_000,
  );
  unselected.catch(() => undefined);

  it("a run that selects no test still ends: the setup's workers stop after it (tests/setup.ts)", async () => {
    const result = await unselected;
    expect(result.signal, "still running after 30 s: killed").to.equal(null);
    expect(result.status, result.stderr).to.equal(0);
    expect(result.stdout).to.match(/0 passing/);
  });
});
