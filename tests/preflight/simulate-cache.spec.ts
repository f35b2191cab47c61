import { expect } from "chai";
import { SimulationError, simulate } from "../../tools/preflight/iam/simulate";

const ROLE = "arn:aws:iam::123456789012:role/reader";
const BUCKET = "arn:aws:s3:::ehealth-records/scan.pdf";

describe("simulate (validation reused across requests)", () => {
  it("validates a policy again when the same document changed between two requests", async () => {
    const statement: Record<string, unknown> = {
      Effect: "Allow",
      Action: "s3:GetObject",
      Resource: BUCKET,
    };
    const policy = { Version: "2012-10-17", Statement: [statement] };
    const request = { principal: ROLE, action: "s3:GetObject", resource: BUCKET };
    const first = await simulate({ ...request, identityPolicies: [policy] });
    expect(first.decision).to.equal("Allowed");
    // The same object, now invalid: an Effect IAM does not have.
    statement.Effect = "Perhaps";
    let refused: unknown;
    await simulate({ ...request, identityPolicies: [policy] }).catch((e: unknown) => (refused = e));
    expect(refused).to.be.instanceOf(SimulationError);
    expect(String((refused as Error).message)).to.include("identityPolicyErrors");
  });

  it("judges each request on the document it gives, not on an equal one seen before", async () => {
    const allow = {
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: BUCKET }],
    };
    const deny = {
      Version: "2012-10-17",
      Statement: [{ Effect: "Deny", Action: "s3:GetObject", Resource: BUCKET }],
    };
    const request = { principal: ROLE, action: "s3:GetObject", resource: BUCKET };
    expect((await simulate({ ...request, identityPolicies: [allow] })).decision).to.equal(
      "Allowed",
    );
    expect((await simulate({ ...request, identityPolicies: [allow, deny] })).decision).to.equal(
      "ExplicitlyDenied",
    );
    expect((await simulate({ ...request, identityPolicies: [allow] })).decision).to.equal(
      "Allowed",
    );
  });
});
