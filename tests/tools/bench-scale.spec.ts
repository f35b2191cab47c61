import { expect } from "chai";
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { stringify } from "yaml";
import { PROJECT_DIR, loadProjectFile, loadStackConfig } from "../../tools/engine";
import {
  MAX_ENCLAVES,
  THIRD,
  command,
  main,
  renderScale,
  scaledStacks,
} from "../../tools/bench/scale";
import { BENCHMARKS, reportedCommand } from "../../tools/bench/index";
import { parseStackConfig } from "../../stacks/config";
import { tempDir } from "../helpers/temp";

/** A generated stack file as Pulumi would hand it to the program: flat `namespace:key` strings. */
function asPulumiGivesIt(stack: string, file: object) {
  const dir = tempDir("ehealth-scale-spec-");
  const at = path.join(dir, `Pulumi.${stack}.yaml`);
  writeFileSync(at, stringify(file));
  return loadStackConfig(at, loadProjectFile(PROJECT_DIR));
}

function capture(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = main(argv, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join("\n"), err };
}

describe("npm run bench -- --only scale", () => {
  it("generates stack files that the stacks' own config validation accepts, at 50 enclaves", () => {
    const stacks = scaledStacks(50);
    expect(Object.keys(stacks).sort()).to.deep.equal(["ireland", THIRD.stack, "oregon"].sort());
    for (const [stack, file] of Object.entries(stacks)) {
      const parsed = parseStackConfig(asPulumiGivesIt(stack, file), { project: "ehealth", stack });
      expect(parsed.research.enclaves, stack).to.have.length(stack === "ireland" ? 50 : 0);
    }
  });

  it("gives the third region a region and a VPC range of its own", () => {
    const london = parseStackConfig(asPulumiGivesIt(THIRD.stack, scaledStacks(1)[THIRD.stack]), {
      project: "ehealth",
      stack: THIRD.stack,
    });
    expect(london.region).to.equal(THIRD.region);
    expect(london.vpcCidr).to.equal(THIRD.vpcCidr);
  });

  it("prints a row per size with resources, time and peak memory, and the cost per added resource", () => {
    const row = (enclaves: number, resources: number, ms: number) => ({
      enclaves,
      stacks: { ireland: resources - 580, london: 290, oregon: 290 },
      resources,
      ms,
      maxRssMb: 400 + enclaves,
      msPerResource: Number((ms / resources).toFixed(2)),
      verdict: "pass" as const,
    });
    const lines = renderScale({
      runs: 1,
      rows: [row(1, 1003, 3000), row(10, 1876, 5000)],
      marginal: [{ from: 1, to: 10, msPerAddedResource: 2.29 }],
    });
    expect(lines[1].trim().split(/\s{2,}/)).to.deep.equal([
      "enclaves",
      "resources",
      "(ireland/london/oregon)",
      "time ms",
      "peak MB",
      "ms/resource",
      "verdict",
    ]);
    expect(lines[3].trim().split(/\s+/)).to.deep.equal([
      "10",
      "1876",
      "(1296/290/290)",
      "5000",
      "410",
      "2.67",
      "pass",
    ]);
    expect(lines[4]).to.equal("time per added resource: 1 to 10 enclaves: 2.29 ms");
  });

  it("fails with exit 2 and one line when given --sizes 1,ten", () => {
    const { code, err } = capture(["--sizes", "1,ten"]);
    expect(code).to.equal(2);
    expect(err).to.have.length(1);
    expect(err[0]).to.match(/^scale: .*1,ten is not a list of enclave counts from 0 to \d+/);
  });

  it(`fails with exit 2 and one line when given more enclaves than /20 ranges fit (${MAX_ENCLAVES + 1})`, () => {
    const { code, err } = capture(["--sizes", String(MAX_ENCLAVES + 1)]);
    expect(code).to.equal(2);
    expect(err).to.have.length(1);
  });

  it("describes --sizes and --runs in --help", () => {
    const { code, out } = capture(["--help"]);
    expect(code).to.equal(0);
    expect(out)
      .to.match(/--sizes <list>/)
      .and.match(/--runs <n>/);
  });

  it("is given bench's --runs, so that `npm run bench -- --only scale --runs 5` keeps the median of 5", () => {
    const scale = BENCHMARKS.find((b) => b.name === "scale")!;
    const argv = reportedCommand(scale, 5);
    // What scale's own parser makes of the arguments after its script.
    const script = argv.findIndex((a) => a.endsWith(path.join("bench", "scale.ts")));
    expect(script, argv.join(" ")).to.be.greaterThan(-1);
    const parsed = command()
      .exitOverride()
      .parse(argv.slice(script + 1), { from: "user" })
      .opts<{ runs: number }>();
    expect(parsed.runs).to.equal(5);
    // Without bench's --runs it repeats itself all the same: a single run is no median.
    const own = command()
      .exitOverride()
      .parse(reportedCommand(scale, undefined).slice(script + 1), { from: "user" })
      .opts<{ runs: number }>();
    expect(own.runs).to.be.greaterThan(1);
  });
});
