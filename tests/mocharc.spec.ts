import { expect } from "chai";
import * as path from "node:path";
import { afterStacks, runEarly } from "./helpers/early";

const CONFIG = path.resolve(__dirname, "..", ".mocharc.cjs");
const ROOT = path.resolve(__dirname, "..");

/** Mocha's configuration as it loads for this command line (it reads process.argv when loaded). */
interface MochaConfig {
  spec: string[];
  require: string[];
  "node-option": string[];
}

function configFor(args: readonly string[]): MochaConfig {
  const argv = process.argv;
  process.argv = [argv[0], "mocha", ...args];
  try {
    delete require.cache[CONFIG];
    // The file is loaded as mocha loads it, and again for each command line (hence no import).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(CONFIG) as MochaConfig;
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
  const unselected = afterStacks(() =>
    runEarly(
      process.execPath,
      [
        ...configFor([])["node-option"].map((option) => `--${option}`),
        path.join(ROOT, "node_modules", "mocha", "lib", "cli", "cli.js"),
        "tests/helpers/temp.spec.ts",
        "--grep",
        "no test is called this",
      ],
      { cwd: ROOT, timeoutMs: 30_000 },
    ),
  );

  it("a run that selects no test still ends: the setup's workers stop after it (tests/setup.ts)", async () => {
    const result = await unselected;
    expect(result.signal, "still running after 30 s: killed").to.equal(null);
    expect(result.status, result.stderr).to.equal(0);
    expect(result.stdout).to.match(/0 passing/);
  });
});
