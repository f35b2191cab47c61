import { expect } from "chai";
import { PASSWORD_POLICY } from "../../infra/identity";
import { bothStacks, one, ofType } from "../helpers";

describe("ehealth:identity:Identity", () => {
  const stacks = bothStacks();

  it("encrypts every new EBS volume with the region's PHI key, in both regions", () => {
    for (const evaluation of [stacks.ireland, stacks.oregon]) {
      expect(
        one(evaluation.resources, "aws:ebs/encryptionByDefault:EncryptionByDefault").inputs.enabled,
      ).to.equal(true);
      const phi = ofType(evaluation.resources, "aws:kms/key:Key").find(
        (k) => (k.inputs.tags as Record<string, string>).Purpose === "phi",
      )!;
      expect(
        one(evaluation.resources, "aws:ebs/defaultKmsKey:DefaultKmsKey").inputs.keyArn,
      ).to.equal(phi.outputs.arn);
    }
  });

  it("sets the account password policy once, in the primary: 14 characters, all classes, 24 remembered, 90 days", () => {
    const policy = one(
      stacks.ireland.resources,
      "aws:iam/accountPasswordPolicy:AccountPasswordPolicy",
    );
    expect(policy.inputs).to.deep.include({ ...PASSWORD_POLICY });
    expect(policy.inputs.minimumPasswordLength).to.be.at.least(14);
    expect(
      ofType(stacks.oregon.resources, "aws:iam/accountPasswordPolicy:AccountPasswordPolicy"),
    ).to.deep.equal([]);
  });
});
