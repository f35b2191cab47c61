import { expect } from "chai";
import * as path from "node:path";
import { Evaluation, EvaluationError, PROJECT_DIR } from "../../tools/engine";
import { evaluateInWorker } from "../../tools/engine/worker";
import { evaluateShared, one } from "../helpers";

const fixture = (name: string) =>
  path.join(PROJECT_DIR, "tests", "fixtures", "programs", `${name}.ts`);

const request = (program: string, extra: object = {}) => ({
  program: fixture(program),
  project: "foreign",
  stack: "dev",
  config: { "aws:region": "eu-west-2" },
  timeoutMs: 20_000,
  ...extra,
});

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

describe("tools/engine on programs written elsewhere", () => {
  const runs: Record<string, Promise<Evaluation>> = {};
  before(() => {
    runs.references = evaluateShared(request("resource-reference"));
    runs.callback = evaluateShared(request("callback-function"));
    // A failing program gets a worker of its own (worker.ts).
    runs.rejects = evaluateInWorker(request("rejects-early"));
    for (const run of Object.values(runs)) run.catch(() => undefined);
  });

  it("gives a resource passed as an input its id, as the engine does for the AWS provider", async () => {
    const evaluation = await runs.references;
    const role = one(evaluation.resources, "aws:iam/role:Role");
    const attachment = one(
      evaluation.resources,
      "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    );
    expect(role.id).to.be.a("string").and.not.equal("");
    expect(attachment.inputs.role).to.equal(role.id);
    expect(evaluation.outputs.attachedTo).to.equal(evaluation.outputs.roleName);
  });

  it("serializes a magic function's closure inside an evaluation worker", async () => {
    const evaluation = await runs.callback;
    const fn = one(evaluation.resources, "aws:lambda/function:Function");
    expect(fn.name).to.equal("on-upload");
    expect(one(evaluation.resources, "aws:lambda/permission:Permission").inputs.function).to.equal(
      fn.outputs.name,
    );
  });

  it("fails with the first error as it happens, not with a timeout naming what waited on it", async () => {
    const failure = await failureOf(runs.rejects);
    expect(failure.kind).to.equal("program");
    expect(failure.message).to.match(
      /^the offline plan has no outputs for the stack reference "acme\/network\/prod": give them in a YAML file passed with --mocks/,
    );
    expect(failure.message.split("\n")).to.have.length(1);
  });
});
