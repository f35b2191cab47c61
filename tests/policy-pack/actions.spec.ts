import { expect } from "chai";
import fc from "fast-check";
import { actionMatchesPattern as expand } from "@cloud-copilot/iam-expand";
import { actionMatchesPattern } from "../../policy-pack/policies/lib/actions";

/**
 * The pack's own action matcher (lib/actions.ts) against AWS's rules as the IAM guide states them,
 * and against @cloud-copilot/iam-expand (a dev dependency here, no longer the pack's) on generated
 * actions and patterns.
 */
describe("policy-pack/policies/lib/actions", () => {
  it("matches the service prefix and action name without regard to case", () => {
    expect(actionMatchesPattern("iam:ListAccessKeys", "IAM:listaccesskeys")).to.equal(true);
    expect(actionMatchesPattern("s3:GetObject", "S3:get*")).to.equal(true);
  });

  it("lets * match any run of characters, none included, and ? exactly one", () => {
    expect(actionMatchesPattern("iam:CreateAccessKey", "iam:*AccessKey*")).to.equal(true);
    expect(actionMatchesPattern("s3:GetObject", "s3:GetObject*")).to.equal(true);
    expect(actionMatchesPattern("s3:GetObject", "*")).to.equal(true);
    expect(actionMatchesPattern("ec2:RunInstances", "ec2:R?nInstances")).to.equal(true);
    expect(actionMatchesPattern("ec2:RnInstances", "ec2:R?nInstances")).to.equal(false);
  });

  it("matches whole actions only, and other characters literally", () => {
    expect(actionMatchesPattern("s3:GetObjectAcl", "s3:GetObject")).to.equal(false);
    expect(actionMatchesPattern("s3:xGetObject", "s3:GetObject")).to.equal(false);
    expect(actionMatchesPattern("s3:GetObject", "s3.GetObject")).to.equal(false);
    expect(actionMatchesPattern("sqs:SendMessage", "s3:*")).to.equal(false);
  });

  it("decides as iam-expand does on generated actions and patterns", () => {
    const word = fc.stringMatching(/^[A-Za-z0-9]{0,6}$/);
    const piece = fc.oneof(word, fc.constant("*"), fc.constant("?"));
    const action = fc
      .tuple(fc.constantFrom("s3", "iam", "kms", "ec2"), fc.stringMatching(/^[A-Za-z]{1,10}$/))
      .map(([s, a]) => `${s}:${a}`);
    fc.assert(
      fc.property(action, fc.array(piece, { minLength: 1, maxLength: 4 }), (a, parts) => {
        const [service, name] = a.split(":");
        const serviceForm = parts.length % 2 ? service.toUpperCase() : service;
        for (const pattern of [
          `${serviceForm}:${parts.join("")}`,
          `${service}:${name.slice(0, 2)}${parts.join("")}`,
        ])
          expect(actionMatchesPattern(a, pattern), pattern).to.equal(expand(a, pattern));
      }),
      { numRuns: 300 },
    );
  });
});
