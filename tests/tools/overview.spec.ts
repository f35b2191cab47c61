import { expect } from "chai";
import * as path from "node:path";
import { PROJECT_DIR } from "../../tools/engine";
import { overviewDot } from "../../tools/plan/overview";
import { stackReport } from "../../tools/plan/report";
import { evaluateOnce } from "../helpers";

/** The colour the overview draws exposure and findings in (tools/plan/overview.ts). */
const RED = "#c0392b";

/**
 * The committed overviews show clean stacks, so nothing there proves that a finding is drawn. The
 * insecure fixture has the internet reaching SSH and a public database: its overview must show it.
 */
describe("tools/plan/overview: an insecure program's overview", () => {
  let dot: string;
  let internetFindings: number;
  before(async () => {
    // The request crossguard.spec evaluates, so the two share one evaluation (evaluateOnce).
    const evaluation = await evaluateOnce({
      program: path.join(PROJECT_DIR, "tests", "fixtures", "programs", "insecure-healthcare.ts"),
      project: "clinic",
      stack: "prod",
      config: { "aws:region": "eu-west-1" },
      check: { config: {} },
    });
    const report = stackReport(evaluation, "insecure-healthcare.ts");
    internetFindings = report.violations.filter(
      (v) => v.urn && /public|internet|allowlist/.test(v.policy),
    ).length;
    dot = overviewDot(
      { stack: "prod", region: "eu-west-1", resources: evaluation.resources },
      report,
    );
  });

  it("draws a red edge from the internet to what the pack found exposed", () => {
    expect(internetFindings).to.be.greaterThan(0);
    const exposed = dot
      .split("\n")
      .filter((l) => /^\s*internet -> g\d+ \[/.test(l) && l.includes(`color="${RED}"`));
    expect(exposed.length).to.be.greaterThan(0);
    for (const l of exposed) expect(l).to.include('label="exposed"');
  });

  it("marks each box holding a finding in red, with the number of findings", () => {
    const flagged = dot
      .split("\n")
      .filter((l) => /^\s*g\d+ \[label=/.test(l) && l.includes(`color="${RED}", penwidth=2.5`));
    expect(flagged.length).to.be.greaterThan(0);
    for (const l of flagged) expect(l).to.match(/COLOR="#c0392b">\d+ findings?</);
  });

  it("says a store without a key is not encrypted", () => {
    expect(dot).to.include("NOT encrypted");
  });
});
