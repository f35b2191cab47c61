import { expect } from "chai";
import { Statement } from "../../infra/iam";
import { KEY_PURPOSES, Keys, keyPolicy } from "../../infra/keys";
import { CONFIG_ROLE_PATH } from "../../infra/keys/policy";
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

    it(`lets the account administer the ${purpose} key but not use it`, () => {
      const admin = keyPolicy(purpose, ctx).Statement.find(
        (s) => s.Sid === "KeyAdministrationByAccount",
      )!;
      expect(principals(admin)).to.deep.equal([root]);
      // What an administrator needs: change the policy, rotate, and schedule or cancel deletion.
      expect(actions(admin)).to.include.members([
        "kms:PutKeyPolicy",
        "kms:EnableKeyRotation",
        "kms:ScheduleKeyDeletion",
        "kms:CancelKeyDeletion",
      ]);
      // Listed one by one: a wildcard such as kms:Create* would include kms:CreateGrant.
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

  it("lets AWS Config deliver with the logs key only for this account's channels in this region", () => {
    const s = keyPolicy("logs", ctx).Statement.find((x) => x.Sid === "AwsConfigDeliversThroughS3")!;
    expect(principals(s)).to.deep.equal(["config.amazonaws.com"]);
    expect(actions(s)).to.have.members(["kms:GenerateDataKey", "kms:Decrypt"]);
    expect(s.Condition).to.deep.equal({
      StringEquals: { "aws:SourceAccount": ctx.accountId },
      ArnLike: { "aws:SourceArn": `arn:aws:config:eu-west-1:${ctx.accountId}:*` },
    });
  });

  it("lets only roles on the Config copy path re-encrypt through S3 with the logs key", () => {
    const s = keyPolicy("logs", ctx).Statement.find((x) => x.Sid === "ConfigCopiesThroughS3")!;
    expect(s.Condition!.StringEquals["kms:ViaService"]).to.equal("s3.eu-west-1.amazonaws.com");
    expect(s.Condition!.ArnLike["aws:PrincipalArn"]).to.equal(
      `arn:aws:iam::${ctx.accountId}:role${CONFIG_ROLE_PATH}*`,
    );
    expect(actions(s)).to.include.members(["kms:Decrypt", "kms:Encrypt"]);
  });

  it("gives the PHI and logs keys to disjoint services, but for AWS Config's own role writing through S3", () => {
    const servicesOf = (purpose: "phi" | "logs") =>
      keyPolicy(purpose, ctx)
        .Statement.filter((s) => s.Condition?.ArnLike?.["aws:PrincipalArn"] === undefined)
        .flatMap((s) => [
          ...principals(s).filter((p) => p.endsWith("amazonaws.com")),
          ...[s.Condition?.StringEquals?.["kms:ViaService"] ?? []].flat(),
        ]);
    const phi = new Set(servicesOf("phi"));
    for (const service of servicesOf("logs")) expect(phi.has(service), service).to.equal(false);
  });
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
    it(`gives the ${stackName} stack protected keys whose policies name its own region`, async () => {
      const evaluation = await stack(stackName);
      const keys = ofType(evaluation.resources, "aws:kms/key:Key");
      expect(keys).to.have.length(3);
      for (const key of keys) {
        expect(key.protect, key.name).to.equal(true);
        expect(key.inputs.policy).to.include(`.${evaluation.region}.amazonaws.com`);
        expect(String(key.outputs.arn)).to.match(new RegExp(`^arn:aws:kms:${evaluation.region}:`));
      }
    });
  }
});
