import { expect } from "chai";
import { cpSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { pulumiResourceEnforceProtect } from "../../policy-pack/policies/governance/protectStateful";
import { PROJECT_DIR, PlatformMocks } from "../../tools/engine";
import type { Evaluation, EvaluationRequest } from "../../tools/engine/types";
import { main } from "../../tools/plan/cli";
import { DEFAULT_POLICY_CONFIG, readPolicyConfig, resolveTargets } from "../../tools/plan/inputs";
import type { PlanReport } from "../../tools/plan/report";
import { runPolicies } from "../../tools/policy/run";
import { evaluateOnce, evaluateShared } from "../helpers";
import { programDir, tempDir } from "../helpers/temp";
import { reportValidator } from "../helpers/report-schema";

interface Run {
  readonly code: number;
  readonly out: string;
  readonly err: string[];
}

/** The plan command on the shared workers, each program evaluated once (evaluateOnce). */
async function plan(
  argv: string[],
  env: NodeJS.ProcessEnv = {},
  evaluate = evaluateOnce,
): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(
    argv,
    (s) => out.push(s),
    (s) => err.push(s),
    evaluate,
    env,
  );
  return { code, out: out.join("\n"), err };
}

/** A bad-input run: exit 2, and the last thing said is one line naming the problem. */
function expectBadInput(run: Run, fragment: string | RegExp): void {
  expect(run.code, run.err.join("\n")).to.equal(2);
  const last = run.err[run.err.length - 1];
  expect(last.split("\n")).to.have.length(1);
  expect(last).to.match(/^plan: /);
  if (typeof fragment === "string") expect(last).to.include(fragment);
  else expect(last).to.match(fragment);
  expect(run.err.join("\n")).to.not.match(/\n\s+at /);
}

const tmp = (prefix: string) => tempDir(`ehealth-${prefix}-`);

/** examples/standalone, copied outside the repository: no node_modules, no tsconfig. */
function standalone(edit: (dir: string) => void = () => undefined): string {
  const dir = tmp("standalone");
  cpSync(path.join(PROJECT_DIR, "examples", "standalone"), dir, { recursive: true });
  edit(dir);
  return dir;
}

function program(files: Record<string, string>): string {
  return programDir("ehealth-program-", files);
}

const PROJECT = "name: prog\nruntime: nodejs\nmain: index.ts\n";

describe("npm run plan on any program", () => {
  const out = tmp("plan-anywhere");
  const runs: Record<string, Promise<Run>> = {};
  const evaluations: Record<string, Evaluation> = {};
  /** Keeps the evaluation a plan ran, for tests that judge it further. */
  const keeping = (key: string) => async (request: EvaluationRequest) => {
    const e = await evaluateOnce(request);
    evaluations[key] = e;
    return e;
  };

  // London: a copy of this project with a Pulumi.london.yaml beside the others, and no list edited.
  const london = tmp("london");
  for (const f of [
    "Pulumi.yaml",
    "Pulumi.ireland.yaml",
    "Pulumi.oregon.yaml",
    "package.json",
    "tsconfig.json",
  ])
    cpSync(path.join(PROJECT_DIR, f), path.join(london, f));
  for (const d of ["stacks", "infra"])
    cpSync(path.join(PROJECT_DIR, d), path.join(london, d), { recursive: true });
  symlinkSync(path.join(PROJECT_DIR, "node_modules"), path.join(london, "node_modules"), "dir");
  writeFileSync(
    path.join(london, "Pulumi.london.yaml"),
    readFileSync(path.join(PROJECT_DIR, "Pulumi.oregon.yaml"), "utf8")
      .replace("aws:region: us-west-2", "aws:region: eu-west-2")
      .replace("ehealth:vpcCidr: 10.40.0.0/16", "ehealth:vpcCidr: 10.60.0.0/16"),
  );

  before(() => {
    // The type check loads TypeScript's compiler on a thread of its own (about a second of CPU):
    // asked for first, it runs beside the evaluations the other runs wait for.
    const typed = program({
      "Pulumi.yaml": PROJECT,
      "index.ts":
        'import * as pulumi from "@pulumi/pulumi";\nconst n: number = "seven";\nexport const out = pulumi.output(n);\n',
    });
    runs.typeErrors = plan(["--program", typed, "--typecheck"]);
    const dir = standalone();
    runs.standalone = plan(
      [
        "--program",
        dir,
        "--mocks",
        path.join(dir, "mocks.yaml"),
        "--json",
        path.join(out, "standalone.json"),
        "--markdown",
        path.join(out, "standalone.md"),
      ],
      {},
      keeping("standalone"),
    );
    runs.london = plan(
      ["--program", london, "--stack", "london", "--json", path.join(out, "london.json")],
      {},
      keeping("london"),
    );
    const disabled = path.join(out, "disabled.json");
    writeFileSync(
      disabled,
      JSON.stringify({
        "rds-storage-enforce-encryption": "disabled",
        "ec2-volume-enforce-encryption": { enforcementLevel: "advisory" },
      }),
    );
    runs.disabled = plan([
      "--program",
      path.join(PROJECT_DIR, "tests", "fixtures", "programs", "insecure-healthcare.ts"),
      "--policy-config",
      disabled,
      "--json",
      path.join(out, "disabled-report.json"),
      "--markdown",
      path.join(out, "disabled.md"),
    ]);
    for (const run of Object.values(runs)) run.catch(() => undefined);
  });

  it("plans a program in a folder outside the repository, using data sources and a stack reference from --mocks", async () => {
    const run = await runs.standalone;
    expect(run.err.join("\n")).to.not.include("plan: ");
    expect([0, 1]).to.include(run.code);
    const report = JSON.parse(
      readFileSync(path.join(out, "standalone.json"), "utf8"),
    ) as PlanReport;
    const validate = reportValidator();
    expect(validate(report), JSON.stringify(validate.errors)).to.equal(true);
    const [stack] = report.stacks;
    expect([stack.stack, stack.region]).to.deep.equal(["dev", "eu-west-2"]);
    const resource = (type: string) => stack.resources.find((r) => r.type === type)!;
    const server = resource("aws:ec2/instance:Instance");
    expect(server.inputs.instanceType).to.equal("t3.micro");
    expect(String(server.inputs.ami)).to.match(/^ami-[0-9a-f]{17}$/);
    expect(String(server.inputs.subnetId)).to.match(/^subnet-/);
    // The stack reference's output, from mocks.yaml, reached the disk's key.
    expect((server.inputs.rootBlockDevice as Record<string, unknown>).kmsKeyId).to.equal(
      "arn:aws:kms:eu-west-2:123456789012:key/0b7c3f4e-1a2b-4c5d-8e9f-0a1b2c3d4e5f",
    );
    expect(String(server.inputs.userData)).to.include("Welcome to the clinic portal");
    // The default VPC of eu-west-2 and its subnets, as the engine answers them for any program.
    const london = new PlatformMocks({ region: "eu-west-2" });
    const vpc = london.call({ token: "aws:ec2/getVpc:getVpc", inputs: { default: true } });
    const subnets = london.call({
      token: "aws:ec2/getSubnets:getSubnets",
      inputs: { filters: [{ name: "vpc-id", values: [vpc.id] }] },
    });
    expect(resource("aws:ec2/securityGroup:SecurityGroup").inputs.vpcId).to.equal(vpc.id);
    expect(server.inputs.subnetId).to.equal((subnets.ids as string[])[0]);
    expect(evaluations.standalone.outputs.vpcCidr).to.equal("172.31.0.0/16");
    // The trust policy as the provider writes it: one principal, one action, collapsed to strings.
    expect(resource("aws:iam/role:Role").inputs.assumeRolePolicy).to.equal(
      '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {\n      "Effect": "Allow",\n      "Action": "sts:AssumeRole",\n      "Principal": {\n        "Service": "ec2.amazonaws.com"\n      }\n    }\n  ]\n}',
    );
    // The pack judged it: the security group open to the internet is a mandatory violation.
    expect(stack.violations.map((v) => v.policy)).to.include("ec2-ingress-disallow-internet");
    expect(readFileSync(path.join(out, "standalone.md"), "utf8")).to.include("## dev (eu-west-2)");
  });

  it("resolves the program's own node_modules before this project's @pulumi packages", async () => {
    const dir = program({
      "Pulumi.yaml": PROJECT,
      "index.ts":
        'import * as aws from "@pulumi/aws";\nnew aws.s3.Bucket("b");\nexport const own = (aws as unknown as { ownCopy?: boolean }).ownCopy === true;\n',
      "node_modules/@pulumi/aws/package.json":
        '{"name":"@pulumi/aws","version":"0.0.0-own","main":"index.js"}',
      "node_modules/@pulumi/aws/index.js": `module.exports = { ...require(${JSON.stringify(require.resolve("@pulumi/aws"))}), ownCopy: true };\n`,
    });
    const bare = program({
      "Pulumi.yaml": PROJECT,
      "index.ts":
        'import * as aws from "@pulumi/aws";\nexport const own = (aws as unknown as { ownCopy?: boolean }).ownCopy === true;\n',
    });
    const [own, fallback] = await Promise.all(
      [dir, bare].map((d) => evaluateShared(resolveTargets({ program: d }).requests[0])),
    );
    expect(own.outputs.own).to.equal(true);
    expect(fallback.outputs.own).to.equal(false);
  });

  it("discovers every Pulumi.<stack>.yaml as a stack, and --config names the stack", () => {
    expect(resolveTargets({ program: london }).requests.map((r) => r.stack)).to.deep.equal([
      "ireland",
      "london",
      "oregon",
    ]);
    const [oregon] = resolveTargets({
      config: path.join(PROJECT_DIR, "Pulumi.oregon.yaml"),
    }).requests;
    expect([oregon.stack, oregon.config["aws:region"]]).to.deep.equal(["oregon", "us-west-2"]);
    expect(resolveTargets({}).ownStacks).to.equal(true);
    expect(resolveTargets({ program: london }).ownStacks).to.equal(false);
  });

  it("plans Pulumi.london.yaml with production rules, from the unedited policy config", async () => {
    const run = await runs.london;
    expect(run.code, run.err.join("\n")).to.equal(0);
    const report = JSON.parse(readFileSync(path.join(out, "london.json"), "utf8")) as PlanReport;
    const [stack] = report.stacks;
    expect([stack.stack, stack.region]).to.deep.equal(["london", "eu-west-2"]);
    expect(stack.properties).to.deep.equal({ environment: "prod", primary: false });
    expect(report.summary.mandatory).to.equal(0);
    // Production rules: under the repository's policy config, where no list names london, a
    // stateful resource without protect is a violation in london.
    const e = evaluations.london;
    const bucket = e.resources.find((r) => r.type === "aws:s3/bucket:Bucket" && r.protect)!;
    const unprotected = e.resources.map((r) => (r === bucket ? { ...r, protect: false } : r));
    const found = runPolicies(
      unprotected,
      [pulumiResourceEnforceProtect],
      readPolicyConfig(DEFAULT_POLICY_CONFIG),
    );
    expect(found.violations.map((v) => v.urn)).to.deep.equal([bucket.urn]);
  });

  it("says not checked for a safeguard whose mandatory encryption policy is disabled, and names it in every report", async () => {
    const run = await runs.disabled;
    expect(run.code).to.equal(1);
    const md = readFileSync(path.join(out, "disabled.md"), "utf8");
    const row = md.split("\n").find((l) => l.startsWith("| 164.312(a)(2)(iv) |"))!;
    expect(row).to.match(/\*\*not checked\*\* \(.*rds-storage-enforce-encryption \(disabled\)/);
    expect(row).to.include("ec2-volume-enforce-encryption (advisory)");
    expect(md).to.include("| `rds-storage-enforce-encryption` | disabled | mandatory | disabled |");
    const report = JSON.parse(
      readFileSync(path.join(out, "disabled-report.json"), "utf8"),
    ) as PlanReport;
    expect(report.levelChanges.map((c) => [c.policy, c.change])).to.deep.equal([
      ["ec2-volume-enforce-encryption", "downgraded"],
      ["rds-storage-enforce-encryption", "disabled"],
    ]);
    expect(
      report.stacks[0].safeguards.find((s) => s.citation === "164.312(a)(2)(iv)")?.status,
    ).to.equal("not checked");
    expect(report.provenance?.policyConfig.sha256).to.match(/^sha256:[0-9a-f]{64}$/);
    expect(run.out)
      .to.include("rds-storage-enforce-encryption: disabled")
      .and.include("ec2-volume-enforce-encryption: advisory");
    const quiet = await plan([
      "--quiet",
      "--program",
      path.join(PROJECT_DIR, "tests", "fixtures", "programs", "insecure-healthcare.ts"),
      "--policy-config",
      path.join(out, "disabled.json"),
    ]);
    expect(quiet.out).to.include("rds-storage-enforce-encryption: disabled");
  });

  describe("bad input: exit 2 and one line with the location or the fix", () => {
    it("a syntax error, with file, line and column", async () => {
      const dir = program({
        "Pulumi.yaml": PROJECT,
        "index.ts": 'import * as aws from "@pulumi/aws";\nconst x = ;\n',
      });
      expectBadInput(
        await plan(["--program", dir]),
        /index\.ts:2:11: syntax error: Unexpected ";"/,
      );
    });

    it("a YAML error in a stack file, with line and column and no dangling colon", async () => {
      const dir = standalone((d) =>
        writeFileSync(path.join(d, "Pulumi.dev.yaml"), "config:\n  aws:region: [eu-west-2\n"),
      );
      const run = await plan(["--program", dir]);
      expectBadInput(run, /Pulumi\.dev\.yaml:\d+:\d+: invalid YAML: \w/);
      expect(run.err.pop()).to.not.match(/:$/);
    });

    it("a key the project declares and the stack does not set, with how to set it", async () => {
      const dir = standalone((d) =>
        writeFileSync(path.join(d, "Pulumi.dev.yaml"), "config:\n  aws:region: eu-west-2\n"),
      );
      expectBadInput(
        await plan(["--program", dir]),
        "Stack 'dev' is missing configuration value 'instanceType': set it with `pulumi config set clinic-web:instanceType <value> --stack dev`",
      );
    });

    it("a key the program requires at run time, with Pulumi's set-it-with line", async () => {
      const dir = program({
        "Pulumi.yaml": PROJECT,
        "index.ts":
          'import * as pulumi from "@pulumi/pulumi";\nexport const v = new pulumi.Config().require("dbName");\n',
      });
      expectBadInput(
        await plan(["--program", dir]),
        "dev: Missing required configuration variable 'prog:dbName': set it with `pulumi config set prog:dbName <value>`, or add prog:dbName under config: in Pulumi.dev.yaml and pass that file with --config",
      );
    });

    it("an invoke nobody answers, naming it and --mocks", async () => {
      expectBadInput(
        await plan([
          "--program",
          path.join(PROJECT_DIR, "tests", "fixtures", "programs", "unknown-invoke.ts"),
        ]),
        /aws:rds\/getEngineVersion:getEngineVersion .*--mocks/,
      );
    });

    it("a package the program does not have, naming where to install it", async () => {
      const dir = program({
        "Pulumi.yaml": PROJECT,
        "index.ts": 'import pad from "left-pad";\nexport const x = pad;\n',
      });
      expectBadInput(
        await plan(["--program", dir]),
        /Cannot find module 'left-pad' .*npm install in /,
      );
    });

    it("--stack that contradicts the --config file's stack", async () => {
      expectBadInput(
        await plan([
          "--stack",
          "ireland",
          "--config",
          path.join(PROJECT_DIR, "Pulumi.oregon.yaml"),
        ]),
        "--stack ireland contradicts --config",
      );
    });

    it("a project of another runtime", async () => {
      const dir = program({ "Pulumi.yaml": "name: py\nruntime: python\n", "__main__.py": "" });
      expectBadInput(await plan(["--program", dir]), "runtime: python: the plan evaluates Node.js");
    });

    it("type errors with --typecheck, each listed before the verdict", async () => {
      const run = await runs.typeErrors;
      expectBadInput(run, "1 type error in");
      expect(run.err.join("\n")).to.match(
        /index\.ts:2:7: error TS2322: Type 'string' is not assignable to type 'number'/,
      );
    });

    it("options npm kept for itself, with the hint to add --", async () => {
      expectBadInput(await plan(["ireland"]), 'unexpected argument "ireland"');
      expectBadInput(
        await plan([], { npm_lifecycle_event: "plan", npm_config_stack: "ireland" }),
        "put -- before them, as in npm run plan -- --stack ireland",
      );
    });

    it("a --mocks file that is not what the plan takes", async () => {
      const file = path.join(out, "mocks-bad.yaml");
      writeFileSync(file, "invokes:\n  aws.ec2.getVpc: [1]\n");
      expectBadInput(
        await plan(["--mocks", file]),
        /mocks file .*mocks-bad\.yaml: invokes\.aws\.ec2\.getVpc/,
      );
    });
  });
});
