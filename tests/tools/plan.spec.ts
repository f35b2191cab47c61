import Ajv from "ajv";
import { expect } from "chai";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { PROJECT_DIR } from "../../tools/engine";
import { Evaluator, main } from "../../tools/plan/cli";
import { PlanReport } from "../../tools/plan/report";
import { evaluateShared } from "../helpers";

interface Run {
  readonly code: number;
  readonly out: string;
  readonly err: string[];
}

async function runPlan(argv: string[], evaluate?: Evaluator): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(
    argv,
    (s) => out.push(s),
    (s) => err.push(s),
    evaluate,
  );
  return { code, out: out.join("\n"), err };
}

/** The plan command as users run it: each stack in a worker of its own. */
const planInWorkers = (...argv: string[]) => runPlan(argv);

/** The same command on the test run's shared workers, which are already warm. */
const plan = (...argv: string[]) => runPlan(argv, evaluateShared);

const fixture = (name: string) =>
  path.join(PROJECT_DIR, "tests", "fixtures", "programs", `${name}.ts`);

/** A bad-input run: exit 2, and the last thing said is one line naming the problem. */
function expectBadInput(run: Run, fragment: string): void {
  expect(run.code, run.err.join("\n")).to.equal(2);
  const last = run.err[run.err.length - 1];
  expect(last.split("\n")).to.have.length(1);
  expect(last)
    .to.match(/^plan: /)
    .and.include(fragment);
  expect(run.err.join("\n")).to.not.match(/\n\s+at /);
}

describe("npm run plan", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "ehealth-plan-"));
  const runs: Record<string, Promise<Run>> = {};
  before(() => {
    // The evaluations are independent workers: start them together.
    runs.both = planInWorkers(
      "--json",
      path.join(dir, "plan.json"),
      "--markdown",
      path.join(dir, "plan.md"),
      "--diagram",
      path.join(dir, "diagrams"),
    );
    runs.insecure = plan(
      "--program",
      fixture("insecure-healthcare"),
      "--json",
      path.join(dir, "insecure.json"),
    );
    runs.secrets = plan(
      "--program",
      fixture("secrets"),
      "--stack",
      "ireland",
      "--json",
      path.join(dir, "secrets.json"),
      "--markdown",
      path.join(dir, "secrets.md"),
    );
    runs.throws = plan("--program", fixture("throws"));
    runs.hangs = plan("--program", fixture("hangs"), "--timeout", "1000");
    const bad = path.join(dir, "Pulumi.ireland.yaml");
    writeFileSync(
      bad,
      readFileSync(path.join(PROJECT_DIR, "Pulumi.ireland.yaml"), "utf8").replace(
        "10.20.0.0/16",
        "10.0.0.0/8",
      ),
    );
    runs.badConfig = plan("--stack", "ireland", "--config", bad);
    runs.research = plan(
      "--stack",
      "ireland",
      "--config",
      path.join(PROJECT_DIR, "examples", "research", "Pulumi.ireland.yaml"),
      "--json",
      path.join(dir, "research.json"),
      "--markdown",
      path.join(dir, "research.md"),
    );
  });

  it("plans both stacks with no mandatory violation and exits 0", async () => {
    const run = await runs.both;
    expect(run.code).to.equal(0);
    expect(run.out).to.include("ireland (eu-west-1)").and.include("oregon (us-west-2)");
    expect(run.out.split("\n").pop()).to.match(
      /^PASS \d+ resources in ireland, oregon: 0 mandatory/,
    );
    expect(run.err.filter((l) => l.includes("evaluating"))).to.have.length(2);
  });

  it("writes a JSON report that validates against the documented schema", async () => {
    await runs.both;
    const schema = JSON.parse(
      readFileSync(path.join(PROJECT_DIR, "docs", "plan-report.schema.json"), "utf8"),
    ) as object;
    const validate = new Ajv({ allErrors: true, validateFormats: false }).compile(schema);
    for (const file of ["plan.json", "insecure.json"]) {
      const report = JSON.parse(readFileSync(path.join(dir, file), "utf8")) as PlanReport;
      expect(validate(report), JSON.stringify(validate.errors)).to.equal(true);
    }
    const report = JSON.parse(readFileSync(path.join(dir, "plan.json"), "utf8")) as PlanReport;
    expect(report.stacks.map((s) => s.stack)).to.deep.equal(["ireland", "oregon"]);
    expect(report.summary.resources).to.equal(
      report.stacks.reduce((n, s) => n + s.resources.length, 0),
    );
    expect(report.summary.mandatory).to.equal(0);
    // Stack-level findings (no URN) are part of the schema: the insecure program has some.
    const insecure = JSON.parse(
      readFileSync(path.join(dir, "insecure.json"), "utf8"),
    ) as PlanReport;
    const stackFindings = insecure.stacks
      .flatMap((s) => s.violations)
      .filter((v) => v.urn === null);
    expect(stackFindings.length).to.be.greaterThan(0);
  });

  it("rejects a report that breaks the schema (the schema can fail)", async () => {
    await runs.both;
    const schema = JSON.parse(
      readFileSync(path.join(PROJECT_DIR, "docs", "plan-report.schema.json"), "utf8"),
    ) as object;
    const validate = new Ajv({ validateFormats: false }).compile(schema);
    const report = JSON.parse(readFileSync(path.join(dir, "plan.json"), "utf8")) as PlanReport;
    expect(validate({ ...report, schemaVersion: 2 })).to.equal(false);
    expect(validate({ ...report, summary: { ...report.summary, mandatory: -1 } })).to.equal(false);
  });

  it("gives each research enclave a section of its own in every report", async () => {
    const run = await runs.research;
    expect(run.code, run.err.join("\n")).to.equal(0);
    expect(run.out)
      .to.include("research enclave cardio01 (open, IRB-2026-0142)")
      .and.include("no route to the internet; people reach it through Session Manager only")
      .and.include("research enclave onco07 (closed, IRB-2024-0031)")
      .and.include("workstation, upload pipeline and network removed");
    const report = JSON.parse(readFileSync(path.join(dir, "research.json"), "utf8")) as PlanReport;
    const schema = JSON.parse(
      readFileSync(path.join(PROJECT_DIR, "docs", "plan-report.schema.json"), "utf8"),
    ) as object;
    const validate = new Ajv({ allErrors: true, validateFormats: false }).compile(schema);
    expect(validate(report), JSON.stringify(validate.errors)).to.equal(true);
    const [ireland] = report.stacks;
    expect(ireland.enclaves.map((e) => [e.id, e.status])).to.deep.equal([
      ["cardio01", "open"],
      ["onco07", "closed"],
    ]);
    const below = (urn: string) => ireland.resources.filter((r) => r.parent === urn).length;
    // The open enclave nests its network (counted too); the closed one has direct children only.
    const [open, closed] = ireland.enclaves;
    expect(open.resources).to.be.greaterThan(below(open.urn));
    expect(closed.resources).to.equal(below(closed.urn));
    expect(report.summary.mandatory).to.equal(0);
    const md = readFileSync(path.join(dir, "research.md"), "utf8");
    expect(md)
      .to.include("### Research enclave cardio01")
      .and.include("### Research enclave onco07");
  });

  it("writes the HIPAA safeguard matrix per stack in the Markdown report", async () => {
    await runs.both;
    const md = readFileSync(path.join(dir, "plan.md"), "utf8");
    for (const citation of [
      "164.308(a)(1)(ii)(D)",
      "164.308(a)(7)",
      "164.312(a)(1)",
      "164.312(a)(2)(iv)",
      "164.312(b)",
      "164.312(c)(1)",
      "164.312(d)",
      "164.312(e)(1)",
    ]) {
      const rows = md.split("\n").filter((l) => l.startsWith(`| ${citation} |`));
      expect(rows, citation).to.have.length(2);
      for (const row of rows) expect(row).to.match(/\| (passes|advisory findings|fails) \|$/);
    }
    expect(md).to.include("## ireland (eu-west-1)").and.include("## oregon (us-west-2)");
  });

  it("draws an SVG per stack with a cluster per tier and the way in from the internet", async () => {
    await runs.both;
    for (const stack of ["ireland", "oregon"]) {
      const svg = readFileSync(path.join(dir, "diagrams", `${stack}.svg`), "utf8");
      expect(svg).to.match(/^<\?xml|^<svg/);
      for (const label of ["public tier", "app tier", "data tier", "internet"])
        expect(svg, `${stack}: ${label}`).to.include(label);
    }
  });

  it("matches the diagrams committed under docs/diagrams (npm run diagrams regenerates them)", async () => {
    await runs.both;
    for (const stack of ["ireland", "oregon"]) {
      const fresh = readFileSync(path.join(dir, "diagrams", `${stack}.svg`), "utf8");
      const committed = readFileSync(
        path.join(PROJECT_DIR, "docs", "diagrams", `${stack}.svg`),
        "utf8",
      );
      expect(
        committed === fresh,
        `docs/diagrams/${stack}.svg is stale: run npm run diagrams`,
      ).to.equal(true);
    }
  });

  it("fails the insecure healthcare program with exit 1, listing its weaknesses", async () => {
    const run = await runs.insecure;
    expect(run.code).to.equal(1);
    for (const policy of [
      "ec2-subnet-disallow-public-ip-on-launch",
      "ec2-ingress-enforce-admin-allowlist",
      "ec2-volume-enforce-encryption",
      "s3-bucket-enforce-encryption",
      "iam-user-disallow-credentials",
      "rds-storage-enforce-encryption",
      "rds-instance-enforce-managed-password",
      "efs-filesystem-enforce-encryption",
      "ec2-vpc-enable-flow-logs",
    ]) {
      expect(run.out, policy).to.include(`[${policy}]`);
    }
    expect(run.out.split("\n").pop()).to.match(/^FAIL /);
  });

  it("fails with exit 2 and one line on an unknown stack", async () => {
    expectBadInput(
      await plan("--stack", "tokyo"),
      'unknown stack "tokyo": use ireland, oregon or all',
    );
  });

  it("fails with exit 2 and one line on a missing program or config file", async () => {
    expectBadInput(
      await plan("--program", "nowhere/index.ts"),
      "program nowhere/index.ts does not exist",
    );
    expectBadInput(
      await plan("--stack", "ireland", "--config", "Pulumi.nowhere.yaml"),
      "config file Pulumi.nowhere.yaml does not exist",
    );
  });

  it("fails with exit 2 and one line on a program that throws", async () => {
    expectBadInput(await runs.throws, "the program failed on purpose");
  });

  it("fails with exit 2 and one line on an invalid stack config", async () => {
    expectBadInput(
      await runs.badConfig,
      'ireland: invalid stack configuration: ehealth:vpcCidr "10.0.0.0/8" is too wide',
    );
  });

  it("fails with exit 2, naming what is pending, on a program that never settles", async () => {
    const run = await runs.hangs;
    expectBadInput(run, "did not settle within 1000 ms");
    expect(run.err.pop()).to.include("aws:ec2/vpc:Vpc::waiting");
  });

  it("fails with exit 2 and one line on an invalid policy config", async () => {
    const write = (name: string, content: string) => {
      const file = path.join(dir, name);
      writeFileSync(file, content);
      return file;
    };
    expectBadInput(
      await plan("--policy-config", write("broken.json", "{ nope")),
      "is not valid JSON",
    );
    expectBadInput(
      await plan("--policy-config", write("unknown.json", '{"no-such-policy": "advisory"}')),
      '"no-such-policy" is not a policy of the pack',
    );
    const noReason = JSON.stringify({
      "ec2-vpc-enable-flow-logs": { exemptions: [{ resource: "lab-vpc" }] },
    });
    expectBadInput(
      await plan("--policy-config", write("reason.json", noReason)),
      "gives no reason: every exemption must say why",
    );
    const badLevel = JSON.stringify({
      "ec2-vpc-enable-flow-logs": { enforcementLevel: "sometimes" },
    });
    expectBadInput(
      await plan("--policy-config", write("level.json", badLevel)),
      'enforcementLevel "sometimes" is not one of',
    );
  });

  it("masks secret inputs, nested ones included, in every report it writes", async () => {
    const run = await runs.secrets;
    const json = readFileSync(path.join(dir, "secrets.json"), "utf8");
    const report = JSON.parse(json) as PlanReport;
    const group = report.stacks[0].resources.find((r) => r.name === "secretive");
    expect(group?.inputs.name).to.equal("[secret]");
    // The nested secret makes its whole top-level input a secret, so all of `tags` is masked.
    expect(group?.inputs.tags).to.equal("[secret]");
    expect(group?.inputs.retentionInDays).to.equal(365);
    const written = [json, readFileSync(path.join(dir, "secrets.md"), "utf8"), run.out, ...run.err];
    for (const text of written) {
      expect(text).to.not.include("/very/secret").and.not.include("dr-hidden");
    }
  });

  it("fails with exit 2 and one line on an unknown option", async () => {
    expectBadInput(await plan("--stak", "ireland"), "unknown option '--stak'");
  });

  it("prints its usage with --help", async () => {
    const run = await plan("--help");
    expect(run.code).to.equal(0);
    for (const option of [
      "--stack",
      "--program",
      "--config",
      "--policy-config",
      "--json",
      "--markdown",
      "--diagram",
      "--quiet",
      "--timeout",
    ]) {
      expect(run.out).to.include(option);
    }
  });
});
