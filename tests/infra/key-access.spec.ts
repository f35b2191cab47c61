/**
 * Who may use the platform's keys, as AWS decides it: the key policies (and the personas'
 * permission boundary) evaluated by @cloud-copilot/iam-simulate, request by request.
 */
import { expect } from "chai";
import { personaBoundary } from "../../infra/identity/personas";
import { AUTOSCALING_GRANT_OPERATIONS, keyPolicy } from "../../infra/keys/policy";
import { Evaluation, json, ofType, stack } from "../helpers";
import { decide, leaves } from "../helpers/simulate";
import type { PolicyDocument } from "../../infra/iam";

const account = "210987654321";
const region = "eu-west-1";
const ctx = { accountId: account, partition: "aws", region };
const key = (purpose: string) => `arn:aws:kms:${region}:${account}:key/${purpose}-0000`;
const role = (path: string) => `arn:aws:iam::${account}:role/${path}`;
const ARCHIVE = "arn:aws:s3:::ehealth-ireland-archive-1a2b3c4";
const CONFIG_BUCKET = "arn:aws:s3:::ehealth-ireland-config-5d6e7f8";

/** A request to a key of this account, allowed by the caller's IAM policies unless told. */
async function onKey(
  purpose: "phi" | "logs" | "backups",
  principal: string,
  action: string,
  context: Record<string, string | string[]> = {},
  logArchiveBucketArns: string[] = [],
) {
  return decide(
    {
      principal,
      action,
      resource: key(purpose),
      resourceAccount: account,
      context: principal.endsWith(".amazonaws.com")
        ? context
        : { "kms:CallerAccount": account, ...context },
    },
    { resource: keyPolicy(purpose, { ...ctx, logArchiveBucketArns }) },
  );
}

describe("infra/keys/policy (evaluated)", () => {
  describe("grants (issue 13.13)", () => {
    it("lets no principal of the account grant itself use of the PHI key, whatever IAM allows", async () => {
      const admin = role("key-admin");
      const decision = await onKey("phi", admin, "kms:CreateGrant", {
        "kms:GrantIsForAWSResource": "false",
        "kms:GranteePrincipal": admin,
        "kms:GrantOperations": ["Decrypt"],
      });
      expect(decision.result).to.not.equal("Allowed");
    });

    it("lets the deployer give the Auto Scaling role the grant its encrypted volumes need", async () => {
      const grant = (grantee: string, operations: readonly string[]) =>
        onKey("phi", role("deployer"), "kms:CreateGrant", {
          "kms:GrantIsForAWSResource": "false",
          "kms:GranteePrincipal": grantee,
          "kms:GrantOperations": [...operations],
        });
      const scaling = role(
        "aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling_ehealth-ireland",
      );
      expect((await grant(scaling, AUTOSCALING_GRANT_OPERATIONS)).result).to.equal("Allowed");
      expect((await grant(role("app"), ["Decrypt"])).result).to.not.equal("Allowed");
      expect((await grant(scaling, ["Decrypt", "RetireGrant"])).result).to.not.equal("Allowed");
    });

    it("lets the PHI services create grants for the resources they encrypt", async () => {
      for (const service of ["rds", "ec2", "elasticfilesystem"]) {
        const decision = await onKey("phi", role("app"), "kms:CreateGrant", {
          "kms:ViaService": `${service}.${region}.amazonaws.com`,
          "kms:GrantIsForAWSResource": "true",
        });
        expect(decision.result, service).to.equal("Allowed");
      }
    });
  });

  describe("backups key (issue 13.8)", () => {
    it("lets RDS copy a database snapshot into this region's vault and restore from it", async () => {
      const backupRole = role("ehealth-ireland-backup-1234567");
      const via = { "kms:ViaService": `rds.${region}.amazonaws.com` };
      expect((await onKey("backups", backupRole, "kms:DescribeKey", via)).result).to.equal(
        "Allowed",
      );
      const grant = await onKey("backups", backupRole, "kms:CreateGrant", {
        ...via,
        "kms:GrantIsForAWSResource": "true",
      });
      expect(grant.result).to.equal("Allowed");
    });

    it("lets AWS Backup use the backups key, and no other service nor RDS of another region", async () => {
      const via = (endpoint: string) => ({ "kms:ViaService": endpoint });
      const app = role("app");
      expect(
        (await onKey("backups", app, "kms:GenerateDataKey", via(`backup.${region}.amazonaws.com`)))
          .result,
      ).to.equal("Allowed");
      for (const endpoint of [
        "rds.us-west-2.amazonaws.com",
        `s3.${region}.amazonaws.com`,
        `ec2.${region}.amazonaws.com`,
      ]) {
        const decision = await onKey("backups", app, "kms:CreateGrant", {
          ...via(endpoint),
          "kms:GrantIsForAWSResource": "true",
        });
        expect(decision.result, endpoint).to.not.equal("Allowed");
      }
      // RDS gets grants and DescribeKey only: it uses the key through its grant.
      expect(
        (await onKey("backups", app, "kms:Decrypt", via(`rds.${region}.amazonaws.com`))).result,
      ).to.not.equal("Allowed");
    });
  });

  describe("alert publishers (issue 13.14)", () => {
    it("lets EventBridge encrypt alerts with the logs key, though it sends no source account", async () => {
      // SNS guide: aws:SourceAccount/aws:SourceArn in a KMS policy are not supported for
      // EventBridge-to-encrypted topics, so the request carries neither.
      for (const action of ["kms:GenerateDataKey", "kms:Decrypt"]) {
        const decision = await onKey("logs", "events.amazonaws.com", action);
        expect(decision.result, action).to.equal("Allowed");
      }
    });

    it("lets CloudWatch alarms of this account encrypt alerts, and not another account's", async () => {
      const alarm = (sourceAccount: string) =>
        onKey("logs", "cloudwatch.amazonaws.com", "kms:GenerateDataKey", {
          "aws:SourceAccount": sourceAccount,
        });
      expect((await alarm(account)).result).to.equal("Allowed");
      expect((await alarm("999988887777")).result).to.not.equal("Allowed");
    });

    it("gives the alert publishers nothing on the PHI and backups keys", async () => {
      for (const purpose of ["phi", "backups"] as const) {
        for (const principal of ["events.amazonaws.com", "cloudwatch.amazonaws.com"]) {
          const decision = await onKey(purpose, principal, "kms:GenerateDataKey", {
            "aws:SourceAccount": account,
          });
          expect(decision.result, `${principal} on ${purpose}`).to.not.equal("Allowed");
        }
      }
    });
  });

  describe("CloudTrail and the archive's S3 Bucket Key", () => {
    it("lets CloudTrail decrypt with the logs key for this account's trails only, as CreateTrail needs with a Bucket Key", async () => {
      // "Granting decrypt permissions", CloudTrail User Guide: with an S3 Bucket Key on the trail's
      // bucket, kms:Decrypt is required to create or update a trail with SSE-KMS.
      const trail = (sourceAccount: string) =>
        onKey("logs", "cloudtrail.amazonaws.com", "kms:Decrypt", {
          "aws:SourceAccount": sourceAccount,
          "aws:SourceArn": `arn:aws:cloudtrail:${region}:${sourceAccount}:trail/ehealth`,
        });
      expect((await trail(account)).result).to.equal("Allowed");
      expect((await trail("999988887777")).result).to.not.equal("Allowed");
      const onPhi = await onKey("phi", "cloudtrail.amazonaws.com", "kms:Decrypt", {
        "aws:SourceAccount": account,
      });
      expect(onPhi.result).to.not.equal("Allowed");
    });
  });

  describe("log archive (issue 13.3)", () => {
    // The simulator cannot evaluate kms:EncryptionContext:* (see tests/helpers/simulate.ts): it
    // decides the rest and reports the encryption-context condition left to check, asserted here.
    it("lets an auditor decrypt the log buckets' objects through S3, only for those buckets", async () => {
      const decision = await onKey(
        "logs",
        role("auditor"),
        "kms:Decrypt",
        {
          "kms:ViaService": `s3.${region}.amazonaws.com`,
          "kms:EncryptionContext:aws:s3:arn": ARCHIVE,
        },
        [ARCHIVE, CONFIG_BUCKET],
      );
      expect(decision.result).to.equal("Allowed");
      const left = leaves(decision.unevaluated);
      // Only encryption contexts are left: the S3 one of these buckets (or CloudTrail's own).
      expect(left.every((c) => c.key.startsWith("kms:EncryptionContext:"))).to.equal(true);
      expect(left).to.deep.include({
        op: "ArnLike",
        key: "kms:EncryptionContext:aws:s3:arn",
        values: [ARCHIVE, `${ARCHIVE}/*`, CONFIG_BUCKET, `${CONFIG_BUCKET}/*`],
      });
    });

    it("lets nobody decrypt archived objects through another service or another region", async () => {
      for (const endpoint of [`s3.us-west-2.amazonaws.com`, `ec2.${region}.amazonaws.com`]) {
        const decision = await onKey(
          "logs",
          role("auditor"),
          "kms:Decrypt",
          { "kms:ViaService": endpoint, "kms:EncryptionContext:aws:s3:arn": ARCHIVE },
          [ARCHIVE],
        );
        const s3 = leaves(decision.unevaluated).filter((c) => c.key.endsWith("aws:s3:arn"));
        expect(s3, endpoint).to.deep.equal([]);
      }
    });
  });
});

describe("the stacks' logs keys (issue 13.3)", () => {
  for (const name of ["ireland", "oregon"]) {
    it(`let ${name}'s auditors read its log archive's objects through S3 in its region`, async () => {
      const evaluation: Evaluation = await stack(name);
      const tags = (r: { inputs: Record<string, unknown> }) =>
        r.inputs.tags as Record<string, string>;
      const logsKey = ofType(evaluation.resources, "aws:kms/key:Key").find(
        (k) => tags(k).Purpose === "logs",
      )!;
      const archive = ofType(evaluation.resources, "aws:s3/bucket:Bucket").find(
        (b) => tags(b).Purpose === "log-archive",
      )!;
      const keyArn = String(logsKey.outputs.arn);
      const [, , , keyRegion, keyAccount] = keyArn.split(":");
      const archiveArn = String(archive.outputs.arn);
      const decision = await decide(
        {
          principal: `arn:aws:iam::${keyAccount}:role/auditor`,
          action: "kms:Decrypt",
          resource: keyArn,
          resourceAccount: keyAccount,
          context: {
            "kms:CallerAccount": keyAccount,
            "kms:ViaService": `s3.${keyRegion}.amazonaws.com`,
            "kms:EncryptionContext:aws:s3:arn": archiveArn,
          },
        },
        { resource: json<PolicyDocument>(logsKey.inputs.policy) },
      );
      expect(decision.result).to.equal("Allowed");
      // The archive and AWS Config's own bucket are both log buckets the auditors may read.
      const context = leaves(decision.unevaluated).find(
        (l) => l.op === "ArnLike" && l.key === "kms:EncryptionContext:aws:s3:arn",
      );
      expect(context?.values).to.include.members([archiveArn, `${archiveArn}/*`]);
    });
  }
});

describe("infra/identity/personas boundary on keys (issue 13.13)", () => {
  const phiBucketArns = ["arn:aws:s3:::ehealth-ireland-uploads"];
  for (const persona of ["support", "dba", "sysadmin"] as const) {
    it(`refuses the ${persona} persona a grant it asks for itself, and allows one an AWS service asks for`, async () => {
      const boundary = personaBoundary(persona, {
        partition: "aws",
        accountId: account,
        phiBucketArns,
      });
      const grant = (context: Record<string, string>) =>
        decide(
          {
            principal: role(`ehealth-ireland-${persona}`),
            action: "kms:CreateGrant",
            resource: key("phi"),
            resourceAccount: account,
            context: { "kms:CallerAccount": account, ...context },
          },
          { boundary, resource: keyPolicy("phi", ctx) },
        );
      expect((await grant({ "kms:GrantIsForAWSResource": "false" })).result).to.equal(
        "ExplicitlyDenied",
      );
      expect((await grant({})).result).to.equal("ExplicitlyDenied");
      expect(
        (
          await grant({
            "kms:GrantIsForAWSResource": "true",
            "kms:ViaService": `rds.${region}.amazonaws.com`,
          })
        ).result,
      ).to.equal("Allowed");
    });
  }
});
