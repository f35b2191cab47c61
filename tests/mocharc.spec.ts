import { expect } from "chai";
import { readFileSync, readdirSync } from "node:fs";
import * as path from "node:path";
import { afterStacks, runEarly } from "./helpers/early";

const CONFIG = path.resolve(__dirname, "..", ".mocharc.cjs");
/** The end-to-end lane's configuration (`npm run test:e2e`, run by `npm run verify`). */
const E2E_CONFIG = path.resolve(__dirname, "..", ".mocharc.e2e.cjs");
const ROOT = path.resolve(__dirname, "..");

/** Mocha's configuration as it loads for this command line (it reads process.argv when loaded). */
interface MochaConfig {
  spec: string[];
  ignore: string[];
  require: string[];
  "node-option": string[];
  extension: string[];
  timeout: number;
}

function configFor(args: readonly string[], file = CONFIG): MochaConfig {
  const argv = process.argv;
  process.argv = [argv[0], "mocha", ...args];
  try {
    delete require.cache[CONFIG];
    delete require.cache[E2E_CONFIG];
    // The file is loaded as mocha loads it, and again for each command line (hence no import).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(file) as MochaConfig;
  } finally {
    process.argv = argv;
    delete require.cache[CONFIG];
    delete require.cache[E2E_CONFIG];
  }
}

/** The files mocha collects for a configuration, as it collects them (lib/cli/collect-files). */
function lane(config: MochaConfig): string[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const collect = require("mocha/lib/cli/collect-files.cjs") as (options: object) => {
    files: string[];
  };
  const { files } = collect({
    spec: config.spec,
    ignore: config.ignore,
    extension: config.extension,
    file: [],
    recursive: false,
    sort: true,
    // An empty lane is a failed assertion here, not mocha's exit.
    allowEmpty: true,
  });
  return files.map((f) => path.relative(ROOT, f).split(path.sep).join("/"));
}

/** Every spec file under tests/, as paths relative to the repository (what the lanes list). */
function specFiles(): string[] {
  return (readdirSync(path.join(ROOT, "tests"), { recursive: true }) as string[])
    .filter((f) => f.endsWith(".spec.ts"))
    .map((f) => path.posix.join("tests", f.split(path.sep).join("/")))
    .sort();
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
      ["--spec=tests/tools/sdk.spec.ts"],
      ["--spec", "tests/tools/sdk.spec.ts"],
      ["-g", "plans", "tests/tools"],
      ["--bail", "tests/tools/yaml.spec.ts"],
    ]) {
      expect(configFor(named).spec, named.join(" ")).to.deep.equal([]);
      expect(configFor(named).ignore, named.join(" ")).to.deep.equal([]);
    }
  });

  it("spec: every suite when the only arguments are options and their values", () => {
    for (const args of [
      ["--grep", "tests"],
      ["-R", "dot"],
      ["--ignore", "tests/tools/yaml.spec.ts"],
      ["--require", "tests/setup.ts", "--timeout", "5000"],
      ["--reporter-option", "output=tests/out.xml", "--bail"],
    ]) {
      expect(configFor(args).spec, args.join(" ")).to.deep.equal(["tests/**/*.spec.ts"]);
      expect(configFor(args).ignore, args.join(" ")).to.not.be.empty;
    }
  });

  describe("two lanes: npm test, and the end-to-end suites npm run verify runs", () => {
    it("npm test leaves out the end-to-end lane's files, and the lane runs exactly those", () => {
      const ignored = configFor([]).ignore;
      expect(ignored).to.not.be.empty;
      const e2e = configFor([], E2E_CONFIG);
      expect(e2e.spec).to.deep.equal(ignored);
      expect(e2e.ignore).to.deep.equal([]);
    });

    it("together they run every spec file once: the files mocha collects for each lane", () => {
      const [unit, e2e] = [lane(configFor([])), lane(configFor([], E2E_CONFIG))];
      // Each file the end-to-end lane lists is collected: a renamed or moved one would run nowhere.
      expect(e2e).to.deep.equal([...configFor([], E2E_CONFIG).spec].sort());
      expect(
        unit.filter((f) => e2e.includes(f)),
        "in both lanes",
      ).to.deep.equal([]);
      expect([...unit, ...e2e].sort()).to.deep.equal(specFiles());
      expect(unit).to.include("tests/mocharc.spec.ts");
    });

    it("a file named on the command line runs, whichever lane lists it", () => {
      const named = ["tests/tools/sdk.spec.ts"];
      expect(configFor([]).ignore).to.include(named[0]);
      for (const file of [CONFIG, E2E_CONFIG]) {
        const config = configFor(named, file);
        expect(config.spec, file).to.deep.equal([]);
        expect(config.ignore, file).to.deep.equal([]);
      }
    });

    it("the end-to-end lane runs with npm test's node options, setup and timeout", () => {
      const [base, e2e] = [configFor([]), configFor([], E2E_CONFIG)];
      expect(e2e["node-option"]).to.deep.equal(base["node-option"]);
      expect(e2e.require).to.deep.equal(["tests/setup.ts"]);
      expect(e2e.timeout).to.equal(base.timeout);
    });

    it("npm run verify runs the end-to-end lane, and CI runs npm test and npm run verify", () => {
      const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
        scripts: Record<string, string>;
      };
      expect(pkg.scripts["test:e2e"]).to.equal("mocha --config .mocharc.e2e.cjs");
      const lanes = pkg.scripts.verify.split(" ").flatMap((lane) => lane.split("+"));
      expect(lanes).to.include("test:e2e");
      const ci = readFileSync(path.join(ROOT, ".ci", "run"), "utf8").split("\n");
      expect(ci).to.include.members(["npm test", "npm run verify"]);
    });
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
