import { expect } from "chai";
import { BENCHMARKS, main as bench, reportedCommand } from "../../tools/bench/index";
import { command as freshTest } from "../../tools/bench/fresh-test";
import { parseOptions } from "../../tools/cli";
import { main as bootstrap } from "../../tools/bootstrap/cli";
import { POOL_FLAG } from "../../tools/engine/v8-pool";
import { invocation, lines } from "../../tools/parallel";
import { command as synthetic } from "../../tools/synthetic/cli";

function capture(run: (io: { out: (s: string) => void; err: (s: string) => void }) => number) {
  const out: string[] = [];
  const err: string[] = [];
  const code = run({ out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

/**
 * fresh-test's arguments, parsed as its main parses them, without running it: a parse that let a
 * bad value through would clone, install and test the repository from inside its own test run.
 * Its exit code, or -1 where main would go on to measure.
 */
function parseFreshTest(argv: string[]) {
  return capture((io) => {
    const parsed = parseOptions(freshTest(), argv, "fresh-test", io);
    return "code" in parsed ? parsed.code : -1;
  });
}

describe("the project's commands (commander)", () => {
  it("npm run bench -- --help lists every benchmark and what --json writes, and exits 0", () => {
    const run = capture((io) => bench(["--help"], io));
    expect(run.code).to.equal(0);
    for (const name of [
      "floor",
      "plan",
      "stacks",
      "policies",
      "synthetic",
      "typecheck",
      "lint",
      "mocha",
      "test",
    ])
      expect(run.out).to.match(new RegExp(`^  ${name} +\\S`, "m"));
    expect(run.out)
      .to.include("--only")
      .and.include("--runs")
      .and.include("Writes nothing unless --json <file>");
  });

  it("fails bench with exit 2 and one line on an unknown benchmark or option", () => {
    const unknown = capture((io) => bench(["--only", "nope"], io));
    expect([unknown.code, unknown.err]).to.deep.equal([
      2,
      "bench: unknown benchmark nope: use floor, plan, preflight, stacks, policies, scale, synthetic, typecheck, lint, mocha, test, fresh-test",
    ]);
    const option = capture((io) => bench(["--fast"], io));
    expect(option.code).to.equal(2);
    expect(option.err).to.equal("bench: unknown option '--fast' (see --help)");
  });

  it("bench hands its --runs to fresh-test, which repeats itself (five clones unless told)", () => {
    const fresh = BENCHMARKS.find((b) => b.name === "fresh-test")!;
    expect(reportedCommand(fresh, 7).slice(-2)).to.deep.equal(["--runs", "7"]);
    expect(reportedCommand(fresh, undefined).slice(-2)).to.deep.equal(["--runs", "5"]);
    const help = parseFreshTest(["--help"]);
    expect(help.code).to.equal(0);
    expect(help.out).to.include("--runs").and.include("npm run test:e2e");
  });

  it("fails fresh-test with exit 2 and one line on runs that are not a positive whole number", () => {
    for (const runs of ["0", "2.5", "many"]) {
      const run = parseFreshTest(["--runs", runs]);
      expect(run.code, runs).to.equal(2);
      expect(run.err.split("\n"), runs).to.have.length(1);
      expect(run.err, runs)
        .to.match(/^fresh-test: /)
        .and.include(`${runs} is not a positive whole number`);
    }
  });

  it("npm run synthetic -- --help names the files and their columns", () => {
    const text: string[] = [];
    synthetic()
      .configureOutput({ writeOut: (s) => text.push(s) })
      .outputHelp();
    expect(text.join(""))
      .to.include("patients.csv")
      .and.include("timeseries.csv")
      .and.include("patient_id")
      .and.include("visit_time");
  });

  it("npm run bootstrap -- --help says what --apply does and that nothing is written", () => {
    const run = capture((io) => bootstrap(["--help"], io));
    expect(run.code).to.equal(0);
    expect(run.out)
      .to.include("Without --apply it changes nothing")
      .and.include("It writes no file")
      .and.include("--key-alias");
  });

  it("streams each line of a script as it arrives, prefixed, holding back only an unfinished line", () => {
    const seen: string[] = [];
    const stream = lines("[mocha] ", (l) => seen.push(l));
    stream.push(Buffer.from("  ✔ first test\n  ✔ sec"));
    expect(seen).to.deep.equal(["[mocha]   ✔ first test"]);
    stream.push(Buffer.from('ond test\nnpm warn Unknown user config "x"\n'));
    expect(seen).to.deep.equal(["[mocha]   ✔ first test", "[mocha]   ✔ second test"]);
    stream.push(Buffer.from("3 passing"));
    stream.end();
    expect(seen.pop()).to.equal("[mocha] 3 passing");
  });

  it("runs a lane's script as npm runs it, in a shell with node_modules/.bin first, without starting npm", () => {
    const scripts = { "format:check": "prettier --check .", test: "mocha", pretest: "echo first" };
    const how = invocation("format:check", scripts, { PATH: "/usr/bin", HOME: "/home/x" }, "/repo");
    expect([how.command, ...how.args]).to.deep.equal(["sh", "-c", "prettier --check ."]);
    expect(how.env).to.include({
      PATH: "/repo/node_modules/.bin:/usr/bin",
      HOME: "/home/x",
      npm_lifecycle_event: "format:check",
    });
    // npm runs pre and post scripts around a script: such a script is left to npm.
    const hooked = invocation("test", scripts, {}, "/repo");
    expect([hooked.command, ...hooked.args]).to.deep.equal(["npm", "run", "--silent", "test"]);
    expect(() => invocation("nope", scripts)).to.throw('no script "nope" in package.json');
  });

  it("npm run verify: each lane's node sizes V8's background threads to the machine, unless NODE_OPTIONS sizes them", () => {
    const scripts = { check: "node tools/check.ts", test: "mocha", pretest: "true" };
    expect(invocation("check", scripts, {}, "/repo").env.NODE_OPTIONS).to.equal(POOL_FLAG);
    expect(invocation("test", scripts, {}, "/repo").env.NODE_OPTIONS).to.equal(POOL_FLAG);
    const kept = invocation("check", scripts, { NODE_OPTIONS: "--max-old-space-size=4096" }, "/");
    expect(kept.env.NODE_OPTIONS).to.equal(`--max-old-space-size=4096 ${POOL_FLAG}`);
    for (const own of ["--v8-pool-size=3", "--trace-gc --v8-pool-size 2"]) {
      const env = invocation("check", scripts, { NODE_OPTIONS: own }, "/repo").env;
      expect(env.NODE_OPTIONS, own).to.equal(own);
    }
  });
});
