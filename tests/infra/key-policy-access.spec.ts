/**
 * What each key serves, simulated against the key policies the stacks record: the account
 * administers every key and uses none directly, AWS Config delivers and copies with the logs key
 * for this account and region only, the PHI and logs keys serve disjoint services, and each
 * region's keys serve that region's services.
 */
import { ACCOUNT, Recorded, stack, table, type RowSpec } from "../access/recorded";
import { APP, EU, US, caller, ireland, role, service, via } from "./key-requests";

const ADMINISTRATION = [
  "kms:PutKeyPolicy",
  "kms:EnableKeyRotation",
  "kms:ScheduleKeyDeletion",
  "kms:CancelKeyDeletion",
];
const USE = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:ReEncryptFrom"];

table(
  "infra/keys: the account administers every key and uses none (ireland, as recorded)",
  ireland,
  ["phi", "logs", "backups"].flatMap((purpose): RowSpec<Recorded>[] => {
    const key = `ehealth-ireland-${purpose}`;
    return [
      ...ADMINISTRATION.map((action): RowSpec<Recorded> => ({
        says: `an account administrator calls ${action} on the ${purpose} key`,
        expect: "Allowed",
        request: (s) => caller(s, role("key-admin"), action, key),
      })),
      ...[...USE, "kms:CreateGrant"].map((action): RowSpec<Recorded> => ({
        says: `an account administrator calls ${action} on the ${purpose} key outside any service`,
        expect: "Denied",
        request: (s) => caller(s, role("key-admin"), action, key),
      })),
      {
        says: `an administrator of another account describes the ${purpose} key`,
        expect: "Denied",
        request: (s) => ({
          ...caller(s, "arn:aws:iam::999988887777:role/admin", "kms:DescribeKey", key),
          context: {
            "kms:CallerAccount": "999988887777",
            "aws:PrincipalArn": "arn:aws:iam::999988887777:role/admin",
          },
        }),
      },
    ];
  }),
);

const CONFIG_ROLE = role("ehealth-config/ehealth-ireland-config-replication");
const configDelivers = (s: Recorded, account: string, region: string) =>
  service(s, "config.amazonaws.com", "kms:GenerateDataKey", "ehealth-ireland-logs", {
    "aws:SourceAccount": account,
    "aws:SourceArn": `arn:aws:config:${region}:${account}:config-recorder/ehealth-ireland`,
  });

table("infra/keys: AWS Config on the logs key (ireland, as recorded)", ireland, [
  {
    says: "AWS Config delivers with the logs key for this account's channel in this region",
    expect: "Allowed",
    request: (s) => configDelivers(s, ACCOUNT, EU),
  },
  {
    says: "AWS Config delivers with the logs key for this account's channel in another region",
    expect: "Denied",
    request: (s) => configDelivers(s, ACCOUNT, US),
  },
  {
    says: "AWS Config delivers with the logs key for another account's channel",
    expect: "Denied",
    request: (s) => configDelivers(s, "999988887777", EU),
  },
  ...["kms:Encrypt", "kms:Decrypt"].flatMap((action): RowSpec<Recorded>[] => [
    {
      says: `the role copying AWS Config's files (on /ehealth-config/) calls ${action} through S3`,
      expect: "Allowed",
      request: (s) => caller(s, CONFIG_ROLE, action, "ehealth-ireland-logs", via("s3")),
    },
    {
      says: `a role off the /ehealth-config/ path calls ${action} on the logs key through S3`,
      expect: "Denied",
      request: (s) => caller(s, APP, action, "ehealth-ireland-logs", via("s3")),
    },
  ]),
]);

/** The services each key is for: the other key refuses them (AWS Config's copy role aside). */
const PHI_SERVICES = [
  "rds",
  "elasticfilesystem",
  "elasticache",
  "dynamodb",
  "secretsmanager",
  "ec2",
];

table("infra/keys: the PHI and logs keys serve disjoint services (ireland, as recorded)", ireland, [
  ...PHI_SERVICES.map((name): RowSpec<Recorded> => ({
    says: `${name} encrypts with the logs key for a caller of the account`,
    expect: "Denied",
    request: (s) => caller(s, APP, "kms:GenerateDataKey", "ehealth-ireland-logs", via(name)),
  })),
  {
    says: "CloudWatch Logs encrypts a log group with the PHI key",
    expect: "Denied",
    request: (s) =>
      service(s, `logs.${EU}.amazonaws.com`, "kms:GenerateDataKey", "ehealth-ireland-phi", {
        "kms:EncryptionContext:aws:logs:arn": `arn:aws:logs:${EU}:${ACCOUNT}:log-group:/ehealth/x`,
      }),
  },
  {
    says: "AWS Config delivers with the PHI key",
    expect: "Denied",
    request: (s) => ({
      ...configDelivers(s, ACCOUNT, EU),
      resource: s.keyArn("ehealth-ireland-phi"),
      resourcePolicy: s.keyPolicy("ehealth-ireland-phi"),
    }),
  },
  {
    says: "CloudTrail encrypts its logs with the PHI key",
    expect: "Denied",
    request: (s) =>
      service(s, "cloudtrail.amazonaws.com", "kms:GenerateDataKey", "ehealth-ireland-phi", {
        "aws:SourceAccount": ACCOUNT,
        "kms:EncryptionContext:aws:cloudtrail:arn": `arn:aws:cloudtrail:${EU}:${ACCOUNT}:trail/x`,
      }),
  },
]);

table(
  "infra/keys: oregon's keys serve oregon's services (oregon, as recorded)",
  async () => new Recorded(await stack("oregon")),
  [
    {
      says: "S3 in us-west-2 uses oregon's PHI key for a caller of the account",
      expect: "Allowed",
      request: (s) => caller(s, APP, "kms:GenerateDataKey", "ehealth-oregon-phi", via("s3", US)),
    },
    {
      says: "S3 in eu-west-1 uses oregon's PHI key",
      expect: "Denied",
      request: (s) => caller(s, APP, "kms:GenerateDataKey", "ehealth-oregon-phi", via("s3")),
    },
    {
      says: "AWS Backup in us-west-2 uses oregon's backups key",
      expect: "Allowed",
      request: (s) =>
        caller(s, APP, "kms:GenerateDataKey", "ehealth-oregon-backups", via("backup", US)),
    },
    {
      says: "CloudWatch Logs of us-west-2 encrypts oregon's log group with oregon's logs key",
      expect: "Allowed",
      request: (s) =>
        service(s, `logs.${US}.amazonaws.com`, "kms:GenerateDataKey", "ehealth-oregon-logs", {
          "kms:EncryptionContext:aws:logs:arn": `arn:aws:logs:${US}:${ACCOUNT}:log-group:/ehealth/ehealth-oregon/app`,
        }),
    },
    {
      says: "CloudWatch Logs of eu-west-1 encrypts with oregon's logs key",
      expect: "Denied",
      request: (s) =>
        service(s, `logs.${EU}.amazonaws.com`, "kms:GenerateDataKey", "ehealth-oregon-logs", {
          "kms:EncryptionContext:aws:logs:arn": `arn:aws:logs:${EU}:${ACCOUNT}:log-group:/ehealth/x`,
        }),
    },
  ],
);
