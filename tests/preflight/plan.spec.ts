import { expect } from "chai";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { PROJECT_DIR } from "../../tools/engine";
import { main } from "../../tools/plan/cli";
import type { PlanReport } from "../../tools/plan/report";
import { evaluateOnce } from "../helpers";
import { tempDir } from "../helpers/temp";
import { reportValidator } from "../helpers/report-schema";

describe("npm run plan: the preflight's part", () => {
  const dir = tempDir("preflight-plan-");
  let run: { code: number; out: string };
  let quiet: { code: number; out: string };
  const program = path.join(PROJECT_DIR, "tests", "fixtures", "programs", "deploy-defects.ts");

  before(async () => {
    const plan = async (argv: string[]) => {
      const out: string[] = [];
      const code = await main(
        argv,
        (s) => out.push(s),
        () => undefined,
        // One evaluation for the two plans of the program (evaluateOnce).
        evaluateOnce,
      );
      return { code, out: out.join("\n") };
    };
    run = await plan([
      "--program",
      program,
      "--json",
      path.join(dir, "plan.json"),
      "--markdown",
      path.join(dir, "plan.md"),
    ]);
    quiet = await plan(["--program", program, "--quiet"]);
  });

  it("exits 1 on a program AWS would refuse, and says why in the verdict", () => {
    expect(run.code).to.equal(1);
    expect(run.out.split("\n").pop()).to.match(
      /^FAIL .*; deploy: [1-9]\d* fails-deploy, \d+ silently-broken$/,
    );
  });

  it("prints a deploy section per stack naming the resource, the rule and the source", () => {
    expect(run.out).to.include("deploy: fails-deploy (");
    expect(run.out).to.match(/ {6}patient-portal-public-load-balancer {2}\[name-lb\]/);
    expect(run.out).to.include(
      "(Elastic Load Balancing API Reference: CreateLoadBalancer (Name): https://docs.aws.amazon.com/",
    );
  });

  it("prints the fails-deploy findings in --quiet, not the silently-broken ones", () => {
    expect(quiet.out).to.include("[name-lb]");
    expect(quiet.out).to.not.include("deploy: silently-broken");
  });

  it("writes stacks[].deploy in the JSON report, valid against the documented schema", () => {
    const report = JSON.parse(readFileSync(path.join(dir, "plan.json"), "utf8")) as PlanReport;
    const validate = reportValidator();
    expect(validate(report), JSON.stringify(validate.errors)).to.equal(true);
    const deploy = report.stacks[0].deploy ?? [];
    expect(
      deploy.some(
        (f) =>
          f.rule === "name-lb" &&
          f.kind === "fails-deploy" &&
          f.urn?.endsWith("::patient-portal-public-load-balancer"),
      ),
    ).to.equal(true);
    expect(report.summary.failsDeploy).to.equal(
      deploy.filter((f) => f.kind === "fails-deploy").length,
    );
    expect(report.preflightMs).to.be.a("number");
    expect(
      validate({
        ...report,
        stacks: [{ ...report.stacks[0], deploy: [{ ...deploy[0], kind: "maybe" }] }],
      }),
    ).to.equal(false);
  });

  it("gives the findings a Markdown section of their own, with their sources", () => {
    const markdown = readFileSync(path.join(dir, "plan.md"), "utf8");
    expect(markdown).to.include("### Deploy findings");
    expect(markdown).to.match(
      /\| fails-deploy \| patient-portal-public-load-balancer \| `name-lb` \| .* \| \[Elastic Load Balancing API Reference/,
    );
  });
});
