/**
 * Who writes the data tier's access logs, who assumes its backup role, what its replication role
 * reaches, and who reads documents and mounts the shared file system, simulated against what the
 * stacks record (bucket, trust, role and file system policies).
 *
 * Not modelled: the backup role's AWS managed policies (AWSBackupServiceRolePolicy*), which the
 * program does not record; S3 replication's own checks (versioning, the replica key's use), which
 * the preflight's S3 and KMS rules judge.
 */
import type { PolicyDoc } from "../../tools/preflight/iam/simulate";
import {
  ACCOUNT,
  ADMIN,
  Recorded,
  allowedByIam,
  stack,
  table,
  type RowSpec,
} from "../access/recorded";

const FOREIGN = "999988887777";
const TLS = { "aws:SecureTransport": "true" };
const ireland = async () => new Recorded(await stack("ireland"));

/** A service assuming one of the stack's roles, as the role's trust policy judges it. */
const assumed = (
  s: Recorded,
  role: string,
  principal: string,
  context: Record<string, string> = {},
) => ({
  principal,
  context,
  action: "sts:AssumeRole",
  resource: s.role(role).arn,
  resourcePolicy: s.role(role).trust,
});

for (const name of ["ireland", "oregon"] as const) {
  const source = async () => new Recorded(await stack(name));
  const logs = (s: Recorded) => s.bucket(`ehealth-${name}-access-logs`);
  const deliver = (s: Recorded, principal: string, context: Record<string, string>) => ({
    principal,
    context: { ...TLS, ...context },
    action: "s3:PutObject",
    resource: `${logs(s).arn}/uploads/2026-01-01-00-00-00-ABC`,
    resourcePolicy: logs(s).policy,
  });

  table(`ehealth:data:Data: the access-log bucket (${name}, as recorded)`, source, [
    {
      says: "S3 log delivery writes this account's server access logs",
      expect: "Allowed",
      request: (s) =>
        deliver(s, "logging.s3.amazonaws.com", {
          "aws:SourceAccount": ACCOUNT,
          "aws:SourceArn": s.bucket(`ehealth-${name}-uploads`).arn,
        }),
    },
    {
      says: "S3 log delivery writes another account's server access logs",
      expect: "Denied",
      request: (s) =>
        deliver(s, "logging.s3.amazonaws.com", {
          "aws:SourceAccount": FOREIGN,
          "aws:SourceArn": "arn:aws:s3:::theirs",
        }),
    },
    {
      says: "CloudTrail writes into the access-log bucket",
      expect: "Denied",
      request: (s) => deliver(s, "cloudtrail.amazonaws.com", { "aws:SourceAccount": ACCOUNT }),
    },
    {
      says: "a role of another account, allowed everything by its own IAM, writes into it",
      expect: "Denied",
      request: (s) => ({
        ...deliver(s, `arn:aws:iam::${FOREIGN}:role/admin`, {}),
        identity: [ADMIN],
        resourceAccount: ACCOUNT,
      }),
    },
  ]);

  const backup = `ehealth-${name}-backup`;
  table(
    `ehealth:data:Data: who assumes the backup selection's role (${name}, as recorded)`,
    source,
    [
      {
        says: "AWS Backup assumes the backup selection's role",
        expect: "Allowed",
        request: (s) => assumed(s, backup, "backup.amazonaws.com"),
      },
      {
        says: "EC2 assumes the backup selection's role",
        expect: "Denied",
        request: (s) => assumed(s, backup, "ec2.amazonaws.com"),
      },
      {
        says: "a role of the account, allowed everything by IAM, assumes the backup selection's role",
        expect: "Denied",
        request: (s) => ({
          ...assumed(s, backup, `arn:aws:iam::${ACCOUNT}:role/admin`),
          identity: [ADMIN],
        }),
      },
    ],
  );
}

const replication = (s: Recorded, action: string, resource: string) => ({
  ...s.as("ehealth-ireland-replication", TLS),
  action,
  resource,
});
/** The replica bucket ireland's uploads replicate into (its replication rule's destination). */
const replica = (s: Recorded) => {
  const rules = s.one(
    "aws:s3/bucketReplicationConfig:BucketReplicationConfig",
    "ehealth-ireland-uploads",
  ).inputs.rules as { destination: { bucket: string } }[];
  return rules[0].destination.bucket;
};
const uploads = (s: Recorded) => s.bucket("ehealth-ireland-uploads").arn;

table("ehealth:data:Data: the replication role (ireland, as recorded)", ireland, [
  {
    says: "the replication role reads a source version for replication",
    expect: "Allowed",
    request: (s) => replication(s, "s3:GetObjectVersionForReplication", `${uploads(s)}/a.pdf`),
  },
  {
    says: "the replication role reads the source's replication configuration",
    expect: "Allowed",
    request: (s) => replication(s, "s3:GetReplicationConfiguration", uploads(s)),
  },
  {
    says: "the replication role replicates into the replica bucket",
    expect: "Allowed",
    request: (s) => replication(s, "s3:ReplicateObject", `${replica(s)}/a.pdf`),
  },
  {
    says: "the replication role replicates into a source bucket",
    expect: "Denied",
    request: (s) => replication(s, "s3:ReplicateObject", `${uploads(s)}/a.pdf`),
  },
  {
    says: "the replication role writes into the replica bucket as a client would",
    expect: "Denied",
    request: (s) => replication(s, "s3:PutObject", `${replica(s)}/a.pdf`),
  },
  {
    says: "the replication role writes into the log archive",
    expect: "Denied",
    request: (s) =>
      replication(s, "s3:ReplicateObject", `${s.bucket("ehealth-ireland-archive").arn}/x`),
  },
  {
    says: "the replication role decrypts with the logs key",
    expect: "Denied",
    request: (s) => replication(s, "kms:Decrypt", s.keyArn("ehealth-ireland-logs")),
  },
]);

const operator = `arn:aws:iam::${ACCOUNT}:role/app-operator`;
const read = (s: Recorded, name: string, secure: boolean) => ({
  ...allowedByIam(operator, { "aws:SecureTransport": String(secure) }),
  action: "s3:GetObject",
  resource: `${s.bucket(`ehealth-ireland-${name}`).arn}/a.pdf`,
  resourcePolicy: s.bucket(`ehealth-ireland-${name}`).policy,
});

table(
  "ehealth:data:Data: the document buckets refuse plain HTTP (ireland, as recorded)",
  ireland,
  ["uploads", "images", "results"].flatMap((name): RowSpec<Recorded>[] => [
    {
      says: `a role allowed everything by IAM reads a document in ${name} over TLS`,
      expect: "Allowed",
      request: (s) => read(s, name, true),
    },
    {
      says: `a role allowed everything by IAM reads a document in ${name} over plain HTTP`,
      expect: "ExplicitlyDenied",
      request: (s) => read(s, name, false),
    },
  ]),
);

/** An NFS client mounting the shared file system, judged by its IAM and the file system policy. */
const mount = (
  s: Recorded,
  principal: string,
  identity: readonly PolicyDoc[],
  context: Record<string, string>,
) => ({
  principal,
  identity,
  context: {
    "aws:PrincipalArn": principal,
    "elasticfilesystem:AccessedViaMountTarget": "true",
    "elasticfilesystem:AccessPointArn": String(
      s.one("aws:efs/accessPoint:AccessPoint", "ehealth-ireland-files").outputs.arn,
    ),
    ...context,
  },
  action: "elasticfilesystem:ClientMount",
  resource: String(s.one("aws:efs/fileSystem:FileSystem", "ehealth-ireland-files").outputs.arn),
  resourcePolicy: JSON.parse(
    String(
      s.one("aws:efs/fileSystemPolicy:FileSystemPolicy", "ehealth-ireland-files").inputs.policy,
    ),
  ) as PolicyDoc,
});
const app = (s: Recorded) => s.role("ehealth-ireland-app");

table("ehealth:data:Data: who mounts the shared file system (ireland, as recorded)", ireland, [
  {
    says: "the app role mounts it over TLS through a mount target",
    expect: "Allowed",
    request: (s) => mount(s, app(s).arn, app(s).identity, TLS),
  },
  {
    says: "the app role mounts it without TLS",
    expect: "ExplicitlyDenied",
    request: (s) => mount(s, app(s).arn, app(s).identity, { "aws:SecureTransport": "false" }),
  },
  {
    says: "a role of the account whose IAM policies grant it nothing mounts it (IAM authorises every client)",
    expect: "Denied",
    request: (s) => {
      const other = s.role("ehealth-ireland-flow-logs");
      return mount(s, other.arn, other.identity, TLS);
    },
  },
  {
    says: "a role of another account, allowed everything by its own IAM, mounts it",
    expect: "Denied",
    request: (s) => ({
      ...mount(s, `arn:aws:iam::${FOREIGN}:role/admin`, [ADMIN], TLS),
      resourceAccount: ACCOUNT,
    }),
  },
]);
