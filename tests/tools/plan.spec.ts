import { Resvg } from "@resvg/resvg-js";
import { expect } from "chai";
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { Evaluation, EvaluationError, PROJECT_DIR, evaluateInWorker } from "../../tools/engine";
import { knownClean } from "../../tools/engine/typecheck";
import { Evaluator, Typechecker, main } from "../../tools/plan/cli";
import { PlanReport } from "../../tools/plan/report";
import { packSummary } from "../../tools/policy/run";
import { likelyStacks } from "../../tools/plan/prestart";
import { policies } from "../../policy-pack/policies";
import { evaluateOnce } from "../helpers";
import { tempDir } from "../helpers/temp";
import { reportValidator } from "../helpers/report-schema";

interface Run {
  readonly code: number;
  readonly out: string;
  readonly err: string[];
}

async function runPlan(
  argv: string[],
  evaluate?: Evaluator,
  typecheckWith?: Typechecker,
): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(
    argv,
    (s) => out.push(s),
    (s) => err.push(s),
    evaluate,
    process.env,
    typecheckWith,
  );
  return { code, out: out.join("\n"), err };
}

/**
 * The plan command as users run it: each stack in a worker of its own. Except its type check: the
 * stacks' types are `npm run check`'s (the check lane of npm test), and checking them again costs a
 * fresh clone ~20 CPU-s; the plan's own type check runs for real in plan-anywhere.spec ("type errors
 * with --typecheck"). Here it is recorded: which program the plan asked to check, and where.
 */
const typecheckAsked: { entry: string; projectDir: string }[] = [];
const recordTypecheck: Typechecker = (entry, projectDir) => {
  typecheckAsked.push({ entry, projectDir });
  return Promise.resolve({ diagnostics: [], cached: false, ms: 0 });
};
/**
 * What the workers handed the plan, in order: a stack's evaluation as soon as its worker had it
 * (when the plan asks for it early), then its answer with the pack's findings.
 */
const handed: { stack: string; what: "evaluated" | "answered"; evaluation: Evaluation }[] = [];
const observedWorkers: Evaluator = (request, onEvaluated) =>
  evaluateInWorker(
    request,
    onEvaluated &&
      ((evaluation) => {
        handed.push({ stack: request.stack, what: "evaluated", evaluation });
        onEvaluated(evaluation);
      }),
  ).then((evaluation) => {
    handed.push({ stack: request.stack, what: "answered", evaluation });
    return evaluation;
  });
const planInWorkers = (...argv: string[]) => runPlan(argv, observedWorkers, recordTypecheck);

/** A type check that never ends: a verdict that must not wait for it does not. */
const neverChecked: Typechecker = () => new Promise(() => undefined);

/**
 * The same command on the test run's shared workers, which are already warm, each program
 * evaluated once for the suites that ask for it (the research example's ireland, the insecure
 * fixture), the pack run on it in this process (evaluateOnce).
 */
const plan = (...argv: string[]) => runPlan(argv, evaluateOnce);

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
  const dir = tempDir("ehealth-plan-");
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
      "--detailed-diagrams",
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
    runs.badConfig = plan("--stack", "ireland", "--config", bad, "--no-typecheck");
    runs.research = plan(
      "--stack",
      "ireland",
      "--config",
      path.join(PROJECT_DIR, "examples", "research", "Pulumi.ireland.yaml"),
      "--no-typecheck",
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
    // This repository's stacks are type-checked unless the plan is told not to (unless an earlier
    // check found them clean and unchanged: typecheck.ts's cache).
    expect(run.err).to.include("type-checking stacks/index.ts");
    const entry = path.join(PROJECT_DIR, "stacks", "index.ts");
    expect(typecheckAsked).to.deep.equal(
      knownClean(entry, PROJECT_DIR) ? [] : [{ entry, projectDir: PROJECT_DIR }],
    );
    // The short summary before the verdict: the config used, safeguards and stores.
    expect(run.out)
      .to.match(/policy config: policy-pack\/config\.json \(sha256:[0-9a-f]{12}…\)/)
      .and.include("every policy at the pack's level")
      .and.match(/ireland: \d+ pass, 0 not checked, \d+ not applicable, 0 fail/)
      .and.match(/PHI stores: (\d+) of \1 protected/);
  });

  it("has each stack's records from its worker before the pack has run on them, and then the pack's findings on the same records", async () => {
    // The preflight's rules for a stack start on its records while its worker runs the pack.
    const run = await runs.both;
    expect(run.code).to.equal(0);
    for (const stack of ["ireland", "oregon"]) {
      const mine = handed.filter((h) => h.stack === stack);
      expect(
        mine.map((h) => h.what),
        stack,
      ).to.deep.equal(["evaluated", "answered"]);
      const [evaluated, answered] = mine.map((h) => h.evaluation);
      expect(evaluated.checks, stack).to.equal(undefined);
      expect(answered.checks?.checked, stack).to.not.deep.equal({});
      expect(answered.timingsMs.policies, stack).to.be.a("number");
      expect(answered.resources.map((r) => r.urn)).to.deep.equal(
        evaluated.resources.map((r) => r.urn),
      );
    }
  });

  it("writes a JSON report that validates against the documented schema", async () => {
    await runs.both;
    const validate = reportValidator();
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
    const validate = reportValidator();
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
    const validate = reportValidator();
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

  it("writes the auditor's report: provenance, a matrix over every cited provision by safeguard, the PHI inventory", async () => {
    await runs.both;
    const md = readFileSync(path.join(dir, "plan.md"), "utf8");
    expect(md).to.match(/\| program commit \| `[0-9a-f]{40}`/);
    expect(md)
      .to.include("| policy pack | ehealth-hipaa ")
      .and.match(/\| policy config \| `policy-pack\/config\.json`, `sha256:[0-9a-f]{64}` \|/)
      .and.match(
        /\| Pulumi SDK and provider \| @pulumi\/pulumi 3\.\d+\.\d+, @pulumi\/aws 7\.\d+\.\d+/,
      );
    const cited = [...new Set(policies.flatMap((p) => p.meta.hipaa))];
    for (const citation of cited) {
      const rows = md.split("\n").filter((l) => l.startsWith(`| ${citation} |`));
      expect(rows, citation).to.have.length(2);
      for (const row of rows) expect(row).to.match(/\| (passes|not applicable) \|$/);
    }
    for (const heading of [
      "Administrative safeguards (164.308)",
      "Physical safeguards (164.310)",
      "Technical safeguards (164.312)",
    ])
      expect(md).to.include(`#### ${heading}`);
    expect(md).to.include("## ireland (eu-west-1)").and.include("## oregon (us-west-2)");
    // The inventory: ireland's database with its key, TLS, backup; the documents replicated to oregon.
    const report = JSON.parse(readFileSync(path.join(dir, "plan.json"), "utf8")) as PlanReport;
    const ireland = report.stacks[0];
    const db = ireland.inventory.find((s) => s.type === "aws:rds/instance:Instance")!;
    expect(db.key).to.deep.equal({ kind: "customer", name: "ehealth-ireland-phi" });
    expect(db.tls.status).to.equal("enforced");
    expect(db.backup).to.match(/^AWS Backup plan ehealth-ireland .*copies to us-west-2/);
    const uploads = ireland.inventory.find((s) => s.name === "ehealth-ireland-uploads")!;
    expect(uploads.replication).to.match(/^ehealth-oregon-replica-uploads-\w+ \(us-west-2\)$/);
    expect(ireland.inventory.filter((s) => s.phi).every((s) => s.protected)).to.equal(true);
    expect(md).to.match(
      /\| ehealth-ireland-db \| database \| PHI \| customer key `ehealth-ireland-phi` \| enforced: /,
    );
  });

  it("draws an SVG per stack with a cluster per tier and the way in from the internet", async () => {
    await runs.both;
    for (const stack of ["ireland", "oregon"]) {
      // Graphviz writes hyphens as character references.
      const svg = readFileSync(path.join(dir, "diagrams", `${stack}.svg`), "utf8").replace(
        /&#(\d+);/g,
        (_m, n: string) => String.fromCharCode(Number(n)),
      );
      expect(svg).to.match(/^<\?xml|^<svg/);
      for (const label of [
        "public tier",
        "app tier",
        "data tier",
        "internet",
        "load balancer",
        "WAF web ACL",
        "log archive",
        "us-west-2",
        "eu-west-1",
      ].filter((l) => !(stack === "oregon" && l === "eu-west-1")))
        expect(svg, `${stack}: ${label}`).to.include(label);
      const detailed = readFileSync(path.join(dir, "diagrams", `${stack}-detailed.svg`), "utf8");
      expect(detailed).to.include("lb.LoadBalancer").and.not.include("boundary, boundary");
    }
  });

  it("draws overviews a reader can read at the README's width: at most 60 boxes, text of 11 px or more, inside its box", async () => {
    await runs.both;
    const README_PX = 830;
    const font = { loadSystemFonts: true, defaultFontFamily: "DejaVu Sans" };
    const widthOf = (text: string, size: number, family: string) => {
      const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="4000" height="400"><text x="10" y="300" font-family="${family}" font-size="${size}">${text}</text></svg>`;
      return new Resvg(svg, { font }).getBBox()?.width ?? 0;
    };
    for (const stack of ["ireland", "oregon"]) {
      const svg = readFileSync(path.join(dir, "diagrams", `${stack}.svg`), "utf8");
      const [, w] = /<svg width="(\d+)pt" height="(\d+)pt"/.exec(svg)!.map(Number);
      const shown = Math.min(w * (4 / 3), README_PX);
      const nodes = svg.split('<g id="node').slice(1);
      expect(nodes.length, `${stack}: boxes`).to.be.within(10, 60);
      const sizes = [...svg.matchAll(/font-size="([\d.]+)"/g)].map((m) => Number(m[1]));
      expect(Math.min(...sizes) * (shown / w), `${stack}: smallest text in px`).to.be.at.least(11);
      for (const node of nodes) {
        const xs = [...node.matchAll(/(?:points|d)="([^"]+)"/g)].flatMap((m) =>
          [...m[1].matchAll(/(-?[\d.]+),(-?[\d.]+)/g)].map((p) => Number(p[1])),
        );
        const ellipse = /<ellipse[^>]*cx="([\d.-]+)"[^>]*rx="([\d.]+)"/.exec(node);
        const [left, right] = ellipse
          ? [Number(ellipse[1]) - Number(ellipse[2]), Number(ellipse[1]) + Number(ellipse[2])]
          : [Math.min(...xs), Math.max(...xs)];
        for (const t of node.matchAll(
          /<text text-anchor="middle" x="([\d.-]+)"[^>]*font-family="([^"]+)" font-size="([\d.]+)"[^>]*>([^<]*)<\/text>/g,
        )) {
          const [, x, family, size, text] = t;
          const half = widthOf(text, Number(size), family) / 2;
          expect(Number(x) - half, `${stack}: "${text}" overflows left`).to.be.at.least(left);
          expect(Number(x) + half, `${stack}: "${text}" overflows right`).to.be.at.most(right);
        }
      }
      const png = new Resvg(svg, { fitTo: { mode: "width", value: README_PX }, font }).render();
      expect(png.width).to.equal(README_PX);
      writeFileSync(path.join(dir, `${stack}.png`), png.asPng());
    }
  });

  it("shows the overviews in the README", () => {
    const readme = readFileSync(path.join(PROJECT_DIR, "README.md"), "utf8");
    for (const stack of ["ireland", "oregon"])
      expect(readme).to.include(`](docs/diagrams/${stack}.svg)`);
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

  it("fails with exit 2 and one line on an invalid policy config, before any evaluation answers", async () => {
    const write = (name: string, content: string) => {
      const file = path.join(dir, name);
      writeFileSync(file, content);
      return file;
    };
    // The config is judged while the stacks evaluate: an evaluator that fails proves that the
    // verdict does not wait for it (its failure would be the message otherwise), and spares the
    // run two evaluations per case.
    const unanswered: Evaluator = () =>
      Promise.reject(new EvaluationError("the test evaluates nothing", "program"));
    // Nor does it wait for the type check (seconds of CPU on a fresh clone): one that never ends.
    const judge = (file: string) => runPlan(["--policy-config", file], unanswered, neverChecked);
    expectBadInput(await judge(write("broken.json", "{ nope")), "is not valid JSON");
    expectBadInput(
      await judge(write("unknown.json", '{"no-such-policy": "advisory"}')),
      '"no-such-policy" is not a policy of the pack',
    );
    const noReason = JSON.stringify({
      "ec2-vpc-enable-flow-logs": { exemptions: [{ resource: "lab-vpc" }] },
    });
    expectBadInput(
      await judge(write("reason.json", noReason)),
      "gives no reason: every exemption must say why",
    );
    const badLevel = JSON.stringify({
      "ec2-vpc-enable-flow-logs": { enforcementLevel: "sometimes" },
    });
    expectBadInput(
      await judge(write("level.json", badLevel)),
      'enforcementLevel "sometimes" is not one of',
    );
  });

  it("says a fault in the policy config without waiting for the type check", async () => {
    // A program no run has checked before (a new file), so that the plan asks for its type check.
    const program = path.join(dir, "unchecked.ts");
    writeFileSync(program, "export const answer = 42;\n");
    const config = path.join(dir, "unknown-policy.json");
    writeFileSync(config, '{"no-such-policy": "advisory"}');
    let asked = 0;
    const never: Typechecker = (entry, projectDir) => {
      asked++;
      return neverChecked(entry, projectDir);
    };
    const unanswered: Evaluator = () =>
      Promise.reject(new EvaluationError("the test evaluates nothing", "program"));
    const run = runPlan(
      ["--program", program, "--typecheck", "--policy-config", config],
      unanswered,
      never,
    );
    const late = new Promise<"waited">((resolve) =>
      setTimeout(() => resolve("waited"), 5000).unref(),
    );
    const first = await Promise.race([run, late]);
    expect(
      first,
      "the plan waited for the type check before saying the config's fault",
    ).to.not.equal("waited");
    expect(asked).to.equal(1);
    expectBadInput(first as Run, '"no-such-policy" is not a policy of the pack');
  });

  it("judges the policy config against the pack its workers ran, as their answers describe it", async () => {
    // A worker answers with the pack it ran as data (PolicyRun's `pack`); the plan judges names
    // against that, and never loads the pack itself for a config with no other fault. An answer
    // whose pack has one policy only makes a policy the repository's pack has unknown.
    const only = packSummary(policies.filter((p) => p.name === "ec2-vpc-enable-flow-logs"));
    const answered: Evaluator = (request) =>
      Promise.resolve({
        project: request.project,
        stack: request.stack,
        program: request.program,
        region: "eu-west-1",
        resources: [],
        outputs: {},
        timingsMs: { program: 0 },
        checks: { violations: [], exempted: [], checked: {}, pack: only },
      });
    const file = path.join(dir, "other-pack.json");
    writeFileSync(file, JSON.stringify({ "rds-storage-enforce-encryption": "advisory" }));
    expectBadInput(
      await runPlan(["--policy-config", file, "--stack", "ireland", "--no-typecheck"], answered),
      '"rds-storage-enforce-encryption" is not a policy of the pack',
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
      "--detailed-diagrams",
      "--mocks",
      "--typecheck",
      "--no-typecheck",
      "--quiet",
      "--timeout",
    ]) {
      expect(run.out).to.include(option);
    }
  });
});

describe("plan prestart (tools/plan/prestart.ts)", () => {
  it("starts a worker per stack file of the project, one for --stack or --config, none for --program or --help", () => {
    const stackFiles = readdirSync(PROJECT_DIR).filter((f) => /^Pulumi\.[^.]+\.yaml$/.test(f));
    expect(stackFiles.length).to.be.greaterThan(1);
    expect(likelyStacks([])).to.equal(stackFiles.length);
    expect(likelyStacks(["--quiet", "--stack", "all"])).to.equal(stackFiles.length);
    expect(likelyStacks(["--stack", "ireland"])).to.equal(1);
    expect(likelyStacks(["--stack=oregon", "--json", "x.json"])).to.equal(1);
    expect(likelyStacks(["--config", "examples/research/Pulumi.ireland.yaml"])).to.equal(1);
    expect(likelyStacks(["--program", "elsewhere/index.ts"])).to.equal(0);
    expect(likelyStacks(["--help"])).to.equal(0);
  });
});
