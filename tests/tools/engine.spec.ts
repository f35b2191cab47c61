import { expect } from "chai";
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import {
  Evaluation,
  EvaluationError,
  MOCK_ACCOUNT_ID,
  PROJECT_DIR,
  PlatformMocks,
  StackConfigFileError,
  loadProjectFile,
  loadStackConfig,
} from "../../tools/engine";
import { evaluateShared, one } from "../helpers";
import { tempDir } from "../helpers/temp";

const fixture = (name: string) =>
  path.join(PROJECT_DIR, "tests", "fixtures", "programs", `${name}.ts`);

function failureOf(promise: Promise<unknown>): Promise<EvaluationError> {
  return promise.then(
    () => {
      throw new Error("expected the evaluation to fail");
    },
    (err: unknown) => {
      expect(err).to.be.instanceOf(EvaluationError);
      return err as EvaluationError;
    },
  );
}

const request = (program: string, extra: object = {}) => ({
  program: fixture(program),
  project: "fixture",
  stack: "test",
  config: { "aws:region": "eu-west-1" },
  ...extra,
});

describe("tools/engine", () => {
  describe("PlatformMocks", () => {
    const mocks = new PlatformMocks({ region: "eu-west-1" });

    it("answers the invokes the platform uses for the stack's region and account", () => {
      const zones = mocks.call({
        token: "aws:index/getAvailabilityZones:getAvailabilityZones",
        inputs: {},
      });
      expect(zones.names).to.deep.equal(["eu-west-1a", "eu-west-1b", "eu-west-1c"]);
      const identity = mocks.call({
        token: "aws:index/getCallerIdentity:getCallerIdentity",
        inputs: {},
      });
      expect(identity.accountId).to.equal(MOCK_ACCOUNT_ID);
      expect(mocks.call({ token: "aws:index/getRegion:getRegion", inputs: {} }).name).to.equal(
        "eu-west-1",
      );
    });

    it("fails on an invoke it does not know, naming it and the --mocks option", () => {
      const unknown = () =>
        mocks.call({ token: "aws:rds/getEngineVersion:getEngineVersion", inputs: {} });
      expect(unknown).to.throw(
        /no answer for the invoke aws:rds\/getEngineVersion:getEngineVersion/,
      );
      expect(unknown).to.throw(/--mocks/);
    });

    it("gives resources AWS-shaped ids and ARNs in their region", () => {
      const vpc = mocks.newResource({
        type: "aws:ec2/vpc:Vpc",
        name: "v",
        inputs: { cidrBlock: "10.0.0.0/16" },
      });
      expect(vpc.id).to.match(/^vpc-[0-9a-f]{17}$/);
      expect(vpc.state.arn).to.equal(`arn:aws:ec2:eu-west-1:${MOCK_ACCOUNT_ID}:vpc/${vpc.id}`);
      expect(vpc.state.cidrBlock).to.equal("10.0.0.0/16");
      const group = mocks.newResource({
        type: "aws:cloudwatch/logGroup:LogGroup",
        name: "g",
        inputs: { name: "/x" },
      });
      expect(group.state.arn).to.equal(`arn:aws:logs:eu-west-1:${MOCK_ACCOUNT_ID}:log-group:/x`);
    });

    it("gives the same resource the same id every time", () => {
      const args = { type: "aws:ec2/subnet:Subnet", name: "s", inputs: {} };
      expect(mocks.newResource(args).id).to.equal(
        new PlatformMocks({ region: "eu-west-1" }).newResource(args).id,
      );
    });
  });

  describe("stack config files", () => {
    const project = loadProjectFile(PROJECT_DIR);
    const dir = tempDir("ehealth-config-");

    it("applies Pulumi.yaml defaults under the stack file's values, all as strings", () => {
      const file = path.join(dir, "Pulumi.a.yaml");
      // Every key Pulumi.yaml declares without a default is given, as Pulumi requires.
      const required = Object.entries(project.declared)
        .filter(([, d]) => d.type !== undefined && d.default === undefined)
        .map(([key, d]) => `  ${key}: ${d.type === "boolean" ? "true" : "x"}\n`)
        .join("");
      writeFileSync(
        file,
        `config:\n${required}  ehealth:azCount: 2\n  vpcCidr: 10.1.0.0/16\n  aws:region: eu-west-1\n`,
      );
      const config = loadStackConfig(file, project);
      expect(config["ehealth:azCount"]).to.equal("2");
      expect(config["ehealth:vpcCidr"]).to.equal("10.1.0.0/16");
      expect(config["ehealth:flowLogRetentionDays"]).to.equal(
        String(project.defaults["ehealth:flowLogRetentionDays"]),
      );
      expect(config["ehealth:flowLogRetentionDays"]).to.equal("365");
    });

    it("fails when a value is an encrypted secret, naming the key", () => {
      const file = path.join(dir, "Pulumi.b.yaml");
      writeFileSync(file, "config:\n  ehealth:dbPassword:\n    secure: AAABAJ\n");
      expect(() => loadStackConfig(file, project)).to.throw(
        StackConfigFileError,
        /ehealth:dbPassword is an encrypted secret/,
      );
    });

    it("fails when the file is missing or not YAML", () => {
      expect(() => loadStackConfig(path.join(dir, "Pulumi.none.yaml"), project)).to.throw(
        /does not exist/,
      );
      const file = path.join(dir, "Pulumi.c.yaml");
      writeFileSync(file, "config: [unclosed\n");
      expect(() => loadStackConfig(file, project)).to.throw(/Pulumi\.c\.yaml:2:1: invalid YAML: /);
    });
  });

  describe("evaluation in workers", () => {
    // Started when the file loads, not when the suite starts: the shared workers evaluate them
    // while the suites before this one run, and the hanging program's second of waiting for its
    // timeout passes then too. The tests await theirs.
    const runs: Record<string, Promise<Evaluation>> = {
      secrets: evaluateShared(request("secrets")),
      secretsAgain: evaluateShared(request("secrets")),
      // Failures go to the shared workers too: each evaluation collects its own errors, and a
      // worker survives a failed program, and answers for one that hangs once its timeout passes.
      throws: evaluateShared(request("throws")),
      invoke: evaluateShared(request("unknown-invoke")),
      hangs: evaluateShared(request("hangs", { timeoutMs: 1000 })),
      inputFails: evaluateShared(request("input-fails")),
    };
    // Rejections are asserted by the tests; keep Node from reporting them as unhandled meanwhile.
    for (const run of Object.values(runs)) run.catch(() => undefined);

    it("records URNs, parents, providers, protect, secrets unwrapped and the provider's region", async () => {
      const evaluation = await runs.secrets;
      const group = one(evaluation.resources, "aws:cloudwatch/logGroup:LogGroup");
      expect(group.inputs.name).to.equal("/very/secret");
      expect(group.inputs.tags).to.deep.equal({ Team: "records", Owner: "dr-hidden" });
      // Deserializing lifts a nested secret to the top-level input that holds it.
      expect(group.secretInputs).to.have.members(["name", "tags"]);
      expect(group.urn).to.equal(
        "urn:pulumi:test::fixture::aws:cloudwatch/logGroup:LogGroup::secretive",
      );
      expect(group.parent).to.equal("urn:pulumi:test::fixture::pulumi:pulumi:Stack::fixture-test");
      const vpc = one(evaluation.resources, "aws:ec2/vpc:Vpc");
      expect(vpc.protect).to.equal(true);
      expect(group.protect).to.equal(false);
      expect(String(vpc.outputs.arn)).to.include(":us-west-2:");
      expect(String(group.outputs.arn)).to.include(":eu-west-1:");
      // Unfiltered, an account opted in to the Los Angeles Local Zones gets those too.
      expect(evaluation.outputs.zones).to.deep.equal([
        "us-west-2a",
        "us-west-2b",
        "us-west-2c",
        "us-west-2d",
        "us-west-2-lax-1a",
        "us-west-2-lax-1b",
      ]);
    });

    it("evaluates a program again, from scratch, in a worker that evaluated others", async () => {
      const [first, second] = await Promise.all([runs.secrets, runs.secretsAgain]);
      expect(second.resources.map((r) => r.urn)).to.deep.equal(first.resources.map((r) => r.urn));
    });

    it("fails with the program's error in one line when it throws", async () => {
      const failure = await failureOf(runs.throws);
      expect(failure.message).to.equal("the program failed on purpose");
      expect(failure.kind).to.equal("program");
    });

    it("fails when the program calls an invoke the engine does not answer, naming it and --mocks", async () => {
      const failure = await failureOf(runs.invoke);
      expect(failure.message)
        .to.include("aws:rds/getEngineVersion:getEngineVersion (aws.rds.getEngineVersion)")
        .and.include("--mocks");
      expect(failure.message.split("\n")).to.have.length(1);
    });

    it("fails when a resource's input fails, instead of silently leaving the resource out", async () => {
      const failure = await failureOf(runs.inputFails);
      expect(failure.message).to.match(/the input failed on purpose|aws:ec2\/vpc:Vpc::lost/);
    });

    it("stops a program that never settles, naming the resources still waiting", async () => {
      const failure = await failureOf(runs.hangs);
      expect(failure.kind).to.equal("timeout");
      expect(failure.message).to.include("did not settle within 1000 ms");
      expect(failure.message).to.include("aws:ec2/vpc:Vpc::waiting");
    });
  });
});
