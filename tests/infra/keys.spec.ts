import { expect } from "chai";
import { Statement } from "../../infra/iam";
import { KEY_PURPOSES, Keys, keyPolicy } from "../../infra/keys";
import { build, json, ofType, stack } from "../helpers";

const ctx = { accountId: "210987654321", partition: "aws", region: "eu-west-1" };
const root = `arn:aws:iam::${ctx.accountId}:root`;

function principals(statement: Statement): string[] {
  const p = statement.Principal;
  if (p === undefined) return [];
  if (p === "*") return ["*"];
  return [p.AWS ?? [], p.Service ?? []].flat();
}

function actions(statement: Statement): string[] {
  return [statement.Action ?? []].flat();
}

const USE = /^kms:(Encrypt|Decrypt|ReEncrypt|GenerateDataKey)/;

describe("infra/keys/policy", () => {
  for (const purpose of KEY_PURPOSES) {
    it(`names no wildcard principal and no other account in the ${purpose} key policy`, () => {
      for (const statement of keyPolicy(purpose, ctx).Statement) {
        for (const principal of principals(statement)) {
          expect(principal).to.not.equal("*");
          if (principal.startsWith("arn:")) expect(principal).to.equal(root);
        }
      }
    });

    it(`lists the ${purpose} key's administrative actions one by one, none of them a use of the key`, () => {
      const admin = keyPolicy(purpose, ctx).Statement.find(
        (s) => s.Sid === "KeyAdministrationByAccount",
      )!;
      // Listed one by one: a wildcard such as kms:Create* would include kms:CreateGrant. That the
      // account administers the recorded keys and uses none: tests/infra/key-access.spec.ts.
      expect(actions(admin).filter((a) => a.includes("*"))).to.deep.equal([]);
      expect(actions(admin).filter((a) => USE.test(a) || a === "kms:CreateGrant")).to.deep.equal(
        [],
      );
    });

    it(`grants key use in the ${purpose} policy only with a service or encryption-context condition`, () => {
      for (const statement of keyPolicy(purpose, ctx).Statement) {
        if (!actions(statement).some((a) => USE.test(a) || a === "kms:CreateGrant")) continue;
        const c = statement.Condition ?? {};
        const servicePrincipal =
          typeof statement.Principal === "object" && statement.Principal.Service !== undefined;
        // EventBridge is the documented exception: SNS does not support source conditions in a key
        // policy for EventBridge-to-encrypted topics (see infra/keys/policy.ts).
        const eventBridge = principals(statement).includes("events.amazonaws.com");
        const conditioned =
          eventBridge ||
          c.StringEquals?.["kms:ViaService"] !== undefined ||
          c.ArnLike?.["kms:GranteePrincipal"] !== undefined ||
          (servicePrincipal && c.StringEquals?.["aws:SourceAccount"] === ctx.accountId) ||
          c.ArnLike?.["kms:EncryptionContext:aws:logs:arn"] !== undefined ||
          c.StringLike?.["kms:EncryptionContext:aws:cloudtrail:arn"] !== undefined;
        expect(conditioned, statement.Sid).to.equal(true);
      }
    });
  }

  // AWS Config's delivery and copy role on the logs key, and the services each key serves:
  // tests/infra/key-access.spec.ts simulates the keys' policies as the stacks record them.
});

describe("ehealth:keys:Keys", () => {
  it("creates one rotated key and alias per purpose, with the purpose's policy", async () => {
    const { resources } = await build(
      () =>
        new Keys("unit-keys", { accountId: ctx.accountId, partition: "aws", region: "eu-west-1" }),
    );
    const keys = ofType(resources, "aws:kms/key:Key");
    expect(keys).to.have.length(KEY_PURPOSES.length);
    for (const key of keys) {
      expect(key.inputs.enableKeyRotation).to.equal(true);
      expect(key.inputs.deletionWindowInDays).to.equal(30);
      expect(key.inputs.multiRegion).to.equal(false);
      const purpose = (key.inputs.tags as Record<string, string>)
        .Purpose as (typeof KEY_PURPOSES)[number];
      expect(json(key.inputs.policy)).to.deep.equal(keyPolicy(purpose, ctx));
    }
    const aliases = ofType(resources, "aws:kms/alias:Alias").map((a) => a.inputs.name);
    expect(aliases).to.have.members([
      "alias/unit-keys-phi",
      "alias/unit-keys-logs",
      "alias/unit-keys-backups",
    ]);
  });

  it("protects and retains the keys unless told not to", async () => {
    const guarded = await build(
      () =>
        new Keys("unit-guarded", {
          accountId: ctx.accountId,
          partition: "aws",
          region: "eu-west-1",
        }),
    );
    for (const key of ofType(guarded.resources, "aws:kms/key:Key")) {
      expect(key.protect).to.equal(true);
      expect(key.retainOnDelete).to.equal(true);
    }
    const loose = await build(
      () =>
        new Keys("unit-loose", {
          accountId: ctx.accountId,
          partition: "aws",
          region: "eu-west-1",
          protect: false,
        }),
    );
    for (const key of ofType(loose.resources, "aws:kms/key:Key"))
      expect(key.protect).to.equal(false);
  });

  it("fails when the deletion window is outside 7..30 days", () => {
    expect(
      () =>
        new Keys("unit-bad", {
          accountId: ctx.accountId,
          partition: "aws",
          region: "eu-west-1",
          deletionWindowInDays: 3,
        }),
    ).to.throw(/deletionWindowInDays must be 7\.\.30, got 3/);
  });

  for (const stackName of ["ireland", "oregon"]) {
    it(`gives the ${stackName} stack protected keys in its own region`, async () => {
      const evaluation = await stack(stackName);
      const keys = ofType(evaluation.resources, "aws:kms/key:Key");
      expect(keys).to.have.length(3);
      for (const key of keys) {
        expect(key.protect, key.name).to.equal(true);
        // That their policies serve the services of this region alone: key-access.spec.ts.
        expect(String(key.outputs.arn)).to.match(new RegExp(`^arn:aws:kms:${evaluation.region}:`));
      }
    });
  }
});
