import { runSimulation } from "@cloud-copilot/iam-simulate";
import { expect } from "chai";
import { SimulationError, simulate } from "../../tools/preflight/iam/simulate";

const KEY = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const LOGS_ONLY = {
  Version: "2012-10-17",
  Statement: [
    {
      Effect: "Allow",
      Principal: { Service: "logs.eu-west-1.amazonaws.com" },
      Action: "kms:GenerateDataKey*",
      Resource: "*",
      Condition: {
        ArnLike: {
          "kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:eu-west-1:123456789012:log-group:*",
        },
      },
    },
  ],
};
const CONTEXT = {
  "kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:eu-west-1:123456789012:log-group:/app",
};

describe("IAM simulation (tools/preflight/iam/simulate.ts)", () => {
  it("iam-simulate 0.1.173 alone drops kms:EncryptionContext:<key> (its variable follows a colon), so the condition never matches", async () => {
    const raw = await runSimulation(
      {
        request: {
          principal: "logs.eu-west-1.amazonaws.com",
          action: "kms:GenerateDataKey",
          resource: { resource: KEY, accountId: "123456789012" },
          contextVariables: CONTEXT,
        },
        identityPolicies: [],
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        resourcePolicy: LOGS_ONLY,
      },
      { simulationMode: "Strict" },
    );
    expect(raw.resultType).to.equal("single");
    if (raw.resultType !== "single") return;
    expect(raw.result.ignoredContextKeys).to.deep.equal(["kms:EncryptionContext:aws:logs:arn"]);
    expect(raw.overallResult).to.equal("ImplicitlyDenied");
  });

  it("keeps the encryption-context key the action documents, and the condition decides", async () => {
    const allowed = await simulate({
      principal: "logs.eu-west-1.amazonaws.com",
      action: "kms:GenerateDataKey",
      resource: KEY,
      context: CONTEXT,
      resourcePolicy: LOGS_ONLY,
    });
    expect(allowed).to.deep.equal({ decision: "Allowed", ignoredContextKeys: [] });
    const otherRegion = await simulate({
      principal: "logs.eu-west-1.amazonaws.com",
      action: "kms:GenerateDataKey",
      resource: KEY,
      context: {
        "kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:us-west-2:123456789012:log-group:/app",
      },
      resourcePolicy: LOGS_ONLY,
    });
    expect(otherRegion.decision).to.equal("ImplicitlyDenied");
  });

  it("still reports a context key the action does not take (a typo cannot pass silently)", async () => {
    const result = await simulate({
      principal: "logs.eu-west-1.amazonaws.com",
      action: "kms:GenerateDataKey",
      resource: KEY,
      context: { "kms:ViaServce": "s3.eu-west-1.amazonaws.com" },
      resourcePolicy: LOGS_ONLY,
    });
    expect(result.ignoredContextKeys).to.deep.equal(["kms:ViaServce"]);
  });

  it("fails when the request cannot be judged (an action that does not exist)", async () => {
    let error: unknown;
    try {
      await simulate({
        principal: "arn:aws:iam::123456789012:role/x",
        action: "kms:Decrypts",
        resource: KEY,
      });
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(SimulationError);
  });
});
