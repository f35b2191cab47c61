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

  const INSTANCE = "arn:aws:ec2:eu-west-1:123456789012:instance/i-0123456789abcdef0";
  const SSH_AS_EC2_USER = {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Action: "ec2-instance-connect:SendSSHPublicKey",
        Resource: INSTANCE,
        Condition: { StringEquals: { "ec2:osuser": "ec2-user" } },
      },
    ],
  };
  const push = (user: string) =>
    simulate({
      principal: "arn:aws:iam::123456789012:role/sysadmin",
      action: "ec2-instance-connect:SendSSHPublicKey",
      resource: INSTANCE,
      context: { "ec2:osuser": user },
      identityPolicies: [SSH_AS_EC2_USER],
    });

  it("iam-simulate 0.1.173 alone cannot type ec2:osuser (EC2 Instance Connect documents it under another prefix) and refuses the request", async () => {
    let error: unknown;
    try {
      await runSimulation(
        {
          request: {
            principal: "arn:aws:iam::123456789012:role/sysadmin",
            action: "ec2-instance-connect:SendSSHPublicKey",
            resource: { resource: INSTANCE, accountId: "123456789012" },
            contextVariables: { "ec2:osuser": "ec2-user" },
          },
          identityPolicies: [{ name: "ssh", policy: SSH_AS_EC2_USER }],
          serviceControlPolicies: [],
          resourceControlPolicies: [],
        },
        { simulationMode: "Strict" },
      );
    } catch (e) {
      error = e;
    }
    expect(String(error)).to.include("Condition key ec2:osuser not found");
  });

  it("types ec2:osuser from the service that documents it, and the condition decides", async () => {
    expect(await push("ec2-user")).to.deep.equal({ decision: "Allowed", ignoredContextKeys: [] });
    expect((await push("root")).decision).to.equal("ImplicitlyDenied");
  });

  const EVERYTHING = {
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }],
  };
  const ONLY_MINE = {
    Version: "2012-10-17",
    Statement: [
      { Effect: "Allow", Principal: "*", Action: "s3:*", Resource: "arn:aws:s3:::mine/*" },
    ],
  };
  const copy = (endpoint?: object) =>
    simulate({
      principal: "arn:aws:iam::123456789012:role/workstation",
      action: "s3:PutObject",
      resource: "arn:aws:s3:::mine/x",
      context: { "aws:SourceVpce": "vpce-0123456789abcdef0" },
      identityPolicies: [EVERYTHING],
      ...(endpoint ? { vpcEndpointPolicies: [endpoint as typeof ONLY_MINE] } : {}),
    });

  it("judges a request through a VPC endpoint by the endpoint's policy too", async () => {
    expect((await copy()).decision).to.equal("Allowed");
    expect((await copy(ONLY_MINE)).decision).to.equal("Allowed");
    const elsewhere = {
      ...ONLY_MINE,
      Statement: [{ ...ONLY_MINE.Statement[0], Resource: "arn:aws:s3:::theirs/*" }],
    };
    expect((await copy(elsewhere)).decision).to.equal("ImplicitlyDenied");
  });

  it("fails when an encryption context must be judged with a VPC endpoint policy (the engine that reads one ignores the other)", async () => {
    let error: unknown;
    try {
      await simulate({
        principal: "logs.eu-west-1.amazonaws.com",
        action: "kms:GenerateDataKey",
        resource: KEY,
        context: CONTEXT,
        resourcePolicy: LOGS_ONLY,
        vpcEndpointPolicies: [EVERYTHING],
      });
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(SimulationError);
  });
});
