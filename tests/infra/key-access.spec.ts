/**
 * Who may use the platform's keys, as AWS decides it: the key policies and the personas' permission
 * boundaries the stacks record, evaluated by the preflight's simulator (iam-simulate), request by
 * request, encryption contexts included.
 *
 * Not modelled: grants once made (the Auto Scaling grant is judged by the preflight's
 * kms-ebs-autoscaling rule), the AWS managed policies of the backup role (AWSBackupServiceRolePolicy*:
 * an `Allow *` identity stands in for them, so those rows judge the key policy alone), and what a
 * service does after KMS answers.
 */
import { ACCOUNT, Recorded, stack, table, type RowSpec } from "../access/recorded";
import { APP, BACKUP, DEPLOYER, EU, US, caller, ireland, role, service, via } from "./key-requests";

const grantTo = (grantee: string, operations: readonly string[]) => ({
  "kms:GrantIsForAWSResource": "false",
  "kms:GranteePrincipal": grantee,
  "kms:GrantOperations": [...operations],
});
/** The Auto Scaling grant as the stack records it (aws:kms/grant:Grant). */
const recordedGrant = (s: Recorded) => {
  const grant = s.one("aws:kms/grant:Grant", "ehealth-ireland-autoscaling").inputs;
  return { grantee: String(grant.granteePrincipal), operations: grant.operations as string[] };
};

table("infra/keys: grants on the PHI key (issue 13.13; ireland, as recorded)", ireland, [
  {
    says: "an account administrator grants itself Decrypt on the PHI key, whatever IAM allows",
    expect: "Denied",
    request: (s) =>
      caller(s, role("key-admin"), "kms:CreateGrant", "ehealth-ireland-phi", {
        ...grantTo(role("key-admin"), ["Decrypt"]),
      }),
  },
  {
    says: "the deployer gives the Auto Scaling service-linked role the grant the stack records",
    expect: "Allowed",
    request: (s) => {
      const { grantee, operations } = recordedGrant(s);
      return caller(s, DEPLOYER, "kms:CreateGrant", "ehealth-ireland-phi", {
        ...grantTo(grantee, operations),
      });
    },
  },
  {
    says: "the deployer gives the app role a Decrypt grant on the PHI key",
    expect: "Denied",
    request: (s) =>
      caller(s, DEPLOYER, "kms:CreateGrant", "ehealth-ireland-phi", {
        ...grantTo(APP, ["Decrypt"]),
      }),
  },
  {
    says: "the deployer gives the Auto Scaling role a grant that may retire grants",
    expect: "Denied",
    request: (s) =>
      caller(s, DEPLOYER, "kms:CreateGrant", "ehealth-ireland-phi", {
        ...grantTo(recordedGrant(s).grantee, ["Decrypt", "RetireGrant"]),
      }),
  },
  ...(["rds", "ec2", "elasticfilesystem"] as const).map((name): RowSpec<Recorded> => ({
    says: `${name} creates a grant on the PHI key for a resource it encrypts`,
    expect: "Allowed",
    request: (s) =>
      caller(s, APP, "kms:CreateGrant", "ehealth-ireland-phi", {
        ...via(name),
        "kms:GrantIsForAWSResource": "true",
      }),
  })),
  {
    says: "a grant on the PHI key through a service it does not name (Lambda)",
    expect: "Denied",
    request: (s) =>
      caller(s, APP, "kms:CreateGrant", "ehealth-ireland-phi", {
        ...via("lambda"),
        "kms:GrantIsForAWSResource": "true",
      }),
  },
]);

table("infra/keys: the backups key (issue 13.8; ireland, as recorded)", ireland, [
  {
    says: "RDS describes the backups key to copy a snapshot into this region's vault",
    expect: "Allowed",
    request: (s) => caller(s, BACKUP(s), "kms:DescribeKey", "ehealth-ireland-backups", via("rds")),
  },
  {
    says: "RDS creates a grant on the backups key for the copy it restores from",
    expect: "Allowed",
    request: (s) =>
      caller(s, BACKUP(s), "kms:CreateGrant", "ehealth-ireland-backups", {
        ...via("rds"),
        "kms:GrantIsForAWSResource": "true",
      }),
  },
  {
    says: "AWS Backup encrypts with the backups key",
    expect: "Allowed",
    request: (s) =>
      caller(s, BACKUP(s), "kms:GenerateDataKey", "ehealth-ireland-backups", via("backup")),
  },
  ...[
    ["rds", US],
    ["s3", EU],
    ["ec2", EU],
  ].map(([name, region]): RowSpec<Recorded> => ({
    says: `a grant on the backups key through ${name} in ${region}`,
    expect: "Denied",
    request: (s) =>
      caller(s, APP, "kms:CreateGrant", "ehealth-ireland-backups", {
        ...via(name, region),
        "kms:GrantIsForAWSResource": "true",
      }),
  })),
  {
    says: "RDS decrypts with the backups key itself (it uses its grant)",
    expect: "Denied",
    request: (s) => caller(s, APP, "kms:Decrypt", "ehealth-ireland-backups", via("rds")),
  },
]);

table("infra/keys: alert publishers and CloudTrail (issue 13.14; ireland, as recorded)", ireland, [
  // SNS guide: aws:SourceAccount/aws:SourceArn in a key policy are not supported for
  // EventBridge-to-encrypted topics, so its requests carry neither.
  ...["kms:GenerateDataKey", "kms:Decrypt"].map((action): RowSpec<Recorded> => ({
    says: `EventBridge calls ${action} on the logs key to encrypt alerts, sending no source account`,
    expect: "Allowed",
    request: (s) => service(s, "events.amazonaws.com", action, "ehealth-ireland-logs"),
  })),
  {
    says: "CloudWatch alarms of this account encrypt alerts with the logs key",
    expect: "Allowed",
    request: (s) =>
      service(s, "cloudwatch.amazonaws.com", "kms:GenerateDataKey", "ehealth-ireland-logs", {
        "aws:SourceAccount": ACCOUNT,
      }),
  },
  {
    says: "CloudWatch alarms of another account encrypt with the logs key",
    expect: "Denied",
    request: (s) =>
      service(s, "cloudwatch.amazonaws.com", "kms:GenerateDataKey", "ehealth-ireland-logs", {
        "aws:SourceAccount": "999988887777",
      }),
  },
  ...["events.amazonaws.com", "cloudwatch.amazonaws.com"].flatMap((publisher) =>
    ["ehealth-ireland-phi", "ehealth-ireland-backups"].map((key): RowSpec<Recorded> => ({
      says: `${publisher} encrypts with ${key}`,
      expect: "Denied",
      request: (s) =>
        service(s, publisher, "kms:GenerateDataKey", key, { "aws:SourceAccount": ACCOUNT }),
    })),
  ),
  // "Granting decrypt permissions", CloudTrail User Guide: with an S3 Bucket Key on the trail's
  // bucket, kms:Decrypt is required to create or update a trail with SSE-KMS.
  {
    says: "CloudTrail decrypts with the logs key for this account's trail (the archive's Bucket Key)",
    expect: "Allowed",
    request: (s) =>
      service(s, "cloudtrail.amazonaws.com", "kms:Decrypt", "ehealth-ireland-logs", {
        "aws:SourceAccount": ACCOUNT,
        "aws:SourceArn": `arn:aws:cloudtrail:${EU}:${ACCOUNT}:trail/ehealth`,
      }),
  },
  {
    says: "CloudTrail decrypts with the logs key for another account's trail",
    expect: "Denied",
    request: (s) =>
      service(s, "cloudtrail.amazonaws.com", "kms:Decrypt", "ehealth-ireland-logs", {
        "aws:SourceAccount": "999988887777",
        "aws:SourceArn": `arn:aws:cloudtrail:${EU}:999988887777:trail/ehealth`,
      }),
  },
  {
    says: "CloudTrail decrypts with the PHI key",
    expect: "Denied",
    request: (s) =>
      service(s, "cloudtrail.amazonaws.com", "kms:Decrypt", "ehealth-ireland-phi", {
        "aws:SourceAccount": ACCOUNT,
      }),
  },
]);

/**
 * S3 sends the object's ARN as `aws:s3:arn`, or the bucket's with an S3 Bucket Key ("Encryption
 * context", Amazon S3 User Guide, UsingKMSEncryption.html#encryption-context).
 */
const s3Context = (arn: string, region = EU) => ({
  ...via("s3", region),
  "kms:EncryptionContext:aws:s3:arn": arn,
});
const AUDITOR = role("auditor");

table("infra/keys: the log archive's objects (issue 13.3; ireland, as recorded)", ireland, [
  {
    says: "an auditor decrypts an archived object through S3, the object's ARN as encryption context",
    expect: "Allowed",
    request: (s) =>
      caller(s, AUDITOR, "kms:Decrypt", "ehealth-ireland-logs", {
        ...s3Context(`${s.bucket("ehealth-ireland-archive").arn}/cloudtrail/AWSLogs/x.json.gz`),
      }),
  },
  {
    says: "an auditor decrypts an AWS Config file through S3 under the Config bucket's Bucket Key",
    expect: "Allowed",
    request: (s) =>
      caller(s, AUDITOR, "kms:Decrypt", "ehealth-ireland-logs", {
        ...s3Context(s.bucket("ehealth-ireland-config").arn),
      }),
  },
  {
    says: "an auditor decrypts with the logs key through S3 for another bucket's object",
    expect: "Denied",
    request: (s) =>
      caller(s, AUDITOR, "kms:Decrypt", "ehealth-ireland-logs", {
        ...s3Context(`${s.bucket("ehealth-ireland-uploads").arn}/a.pdf`),
      }),
  },
  {
    says: "an auditor decrypts with the logs key through S3 without an encryption context",
    expect: "Denied",
    request: (s) => caller(s, AUDITOR, "kms:Decrypt", "ehealth-ireland-logs", via("s3")),
  },
  {
    says: "an auditor decrypts an archived object through S3 of another region",
    expect: "Denied",
    request: (s) =>
      caller(s, AUDITOR, "kms:Decrypt", "ehealth-ireland-logs", {
        ...s3Context(s.bucket("ehealth-ireland-archive").arn, US),
      }),
  },
  {
    says: "an auditor decrypts an archived object through EC2",
    expect: "Denied",
    request: (s) =>
      caller(s, AUDITOR, "kms:Decrypt", "ehealth-ireland-logs", {
        ...via("ec2"),
        "kms:EncryptionContext:aws:s3:arn": s.bucket("ehealth-ireland-archive").arn,
      }),
  },
]);

table(
  "infra/keys: the log archive's objects (issue 13.3; oregon, as recorded)",
  async () => ({ oregon: new Recorded(await stack("oregon")), ireland: await ireland() }),
  [
    {
      says: "an oregon auditor decrypts oregon's archived object through S3 in us-west-2",
      expect: "Allowed",
      request: ({ oregon }) =>
        caller(oregon, AUDITOR, "kms:Decrypt", "ehealth-oregon-logs", {
          ...s3Context(`${oregon.bucket("ehealth-oregon-archive").arn}/x.json.gz`, US),
        }),
    },
    {
      says: "oregon's logs key decrypts ireland's archived object",
      expect: "Denied",
      request: ({ oregon, ireland }) =>
        caller(oregon, AUDITOR, "kms:Decrypt", "ehealth-oregon-logs", {
          ...s3Context(`${ireland.bucket("ehealth-ireland-archive").arn}/x.json.gz`, US),
        }),
    },
  ],
);

/** A persona whose identity policy allows everything: its recorded boundary decides. */
const persona = (s: Recorded, name: string, extra: Record<string, string | string[]>) => {
  const r = s.role(`ehealth-ireland-${name}`);
  return {
    ...caller(s, r.arn, "kms:CreateGrant", "ehealth-ireland-phi", extra),
    boundary: r.boundary,
  };
};

table(
  "infra/identity: the personas' boundaries on the PHI key (issue 13.13; ireland, as recorded)",
  ireland,
  (["support", "dba", "sysadmin"] as const).flatMap((name): RowSpec<Recorded>[] => [
    {
      says: `the ${name} persona grants itself use of the PHI key`,
      expect: "ExplicitlyDenied",
      request: (s) =>
        persona(s, name, { "kms:GrantIsForAWSResource": "false", "kms:GranteePrincipal": APP }),
    },
    {
      says: `the ${name} persona creates a grant without saying whom it is for`,
      expect: "ExplicitlyDenied",
      request: (s) => persona(s, name, {}),
    },
    {
      says: `RDS creates a grant on the PHI key for the ${name} persona's database`,
      expect: "Allowed",
      request: (s) =>
        persona(s, name, {
          "kms:GrantIsForAWSResource": "true",
          ...via("rds"),
        }),
    },
  ]),
);
