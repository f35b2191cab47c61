/**
 * The document buckets, the log buckets and the service roles, simulated against what the stacks
 * record: TLS and the PHI key enforced on patient documents, CloudTrail and S3 log delivery
 * admitted exactly where they write, and each service role able to do its job and nothing beside.
 *
 * Not modelled: the S3 log delivery, CloudTrail and AWS Config services' own checks (bucket ACL reads before a
 * write), and AWS managed policies other than AdministratorAccess (the backup role's four AWS
 * Backup policies are not simulated; the preflight's kms-backup-vault rule judges its key use).
 */
import { ACCOUNT, ADMIN, Recorded, stack, table } from "./recorded";

const EU = "eu-west-1";
const operator = `arn:aws:iam::${ACCOUNT}:role/app-operator`;
const asOperator = (extra: Record<string, string>) => ({
  principal: operator,
  identity: [ADMIN],
  context: { "aws:PrincipalArn": operator, "aws:PrincipalAccount": ACCOUNT, ...extra },
});
const role = (s: Recorded, name: string, extra: Record<string, string> = {}) => {
  const r = s.role(name);
  return {
    principal: r.arn,
    identity: r.identity,
    context: { "aws:SecureTransport": "true", "aws:PrincipalArn": r.arn, ...extra },
  };
};
const kmsUpload = (s: Recorded, key = s.keyArn("ehealth-ireland-phi")) => ({
  "aws:SecureTransport": "true",
  "s3:x-amz-server-side-encryption": "aws:kms",
  "s3:x-amz-server-side-encryption-aws-kms-key-id": key,
});

table(
  "access: buckets and service roles (ireland, as recorded)",
  async () => new Recorded(await stack("ireland")),
  [
    {
      says: "an operator uploads a document over TLS under the PHI key",
      expect: "Allowed",
      request: (s) => ({
        ...asOperator(kmsUpload(s)),
        action: "s3:PutObject",
        resource: `${s.bucket("ehealth-ireland-uploads").arn}/a.pdf`,
        resourcePolicy: s.bucket("ehealth-ireland-uploads").policy,
      }),
    },
    {
      says: "an operator uploads a document over TLS asking for no encryption (the bucket's default, the PHI key, applies)",
      expect: "Allowed",
      request: (s) => ({
        ...asOperator({ "aws:SecureTransport": "true" }),
        action: "s3:PutObject",
        resource: `${s.bucket("ehealth-ireland-uploads").arn}/a.pdf`,
        resourcePolicy: s.bucket("ehealth-ireland-uploads").policy,
      }),
    },
    {
      says: "an upload that asks for SSE-S3 instead of the PHI key",
      expect: "Denied",
      request: (s) => ({
        ...asOperator({
          "aws:SecureTransport": "true",
          "s3:x-amz-server-side-encryption": "AES256",
        }),
        action: "s3:PutObject",
        resource: `${s.bucket("ehealth-ireland-uploads").arn}/a.pdf`,
        resourcePolicy: s.bucket("ehealth-ireland-uploads").policy,
      }),
    },
    {
      says: "an upload that asks for another key",
      expect: "Denied",
      request: (s) => ({
        ...asOperator(kmsUpload(s, `arn:aws:kms:${EU}:${ACCOUNT}:key/other`)),
        action: "s3:PutObject",
        resource: `${s.bucket("ehealth-ireland-uploads").arn}/a.pdf`,
        resourcePolicy: s.bucket("ehealth-ireland-uploads").policy,
      }),
    },
    {
      says: "a document read over plain HTTP",
      expect: "Denied",
      request: (s) => ({
        ...asOperator({ "aws:SecureTransport": "false" }),
        action: "s3:GetObject",
        resource: `${s.bucket("ehealth-ireland-images").arn}/a.png`,
        resourcePolicy: s.bucket("ehealth-ireland-images").policy,
      }),
    },
    {
      says: "CloudTrail writes this account's logs under its prefix in the archive",
      expect: "Allowed",
      request: (s) => ({
        principal: "cloudtrail.amazonaws.com",
        context: {
          "aws:SecureTransport": "true",
          "aws:SourceAccount": ACCOUNT,
          "s3:x-amz-acl": "bucket-owner-full-control",
        },
        action: "s3:PutObject",
        resource: `${s.bucket("ehealth-ireland-archive").arn}/cloudtrail/AWSLogs/${ACCOUNT}/CloudTrail/eu-west-1/x.json.gz`,
        resourcePolicy: s.bucket("ehealth-ireland-archive").policy,
      }),
    },
    {
      says: "CloudTrail writes outside its prefix",
      expect: "Denied",
      request: (s) => ({
        principal: "cloudtrail.amazonaws.com",
        context: {
          "aws:SecureTransport": "true",
          "aws:SourceAccount": ACCOUNT,
          "s3:x-amz-acl": "bucket-owner-full-control",
        },
        action: "s3:PutObject",
        resource: `${s.bucket("ehealth-ireland-archive").arn}/elsewhere/x.json.gz`,
        resourcePolicy: s.bucket("ehealth-ireland-archive").policy,
      }),
    },
    {
      says: "S3 delivers this account's server access logs",
      expect: "Allowed",
      request: (s) => ({
        principal: "logging.s3.amazonaws.com",
        context: {
          "aws:SecureTransport": "true",
          "aws:SourceAccount": ACCOUNT,
          "aws:SourceArn": s.bucket("ehealth-ireland-uploads").arn,
        },
        action: "s3:PutObject",
        resource: `${s.bucket("ehealth-ireland-access-logs").arn}/uploads/log`,
        resourcePolicy: s.bucket("ehealth-ireland-access-logs").policy,
      }),
    },
    {
      says: "S3 delivers another account's server access logs",
      expect: "Denied",
      request: (s) => ({
        principal: "logging.s3.amazonaws.com",
        context: {
          "aws:SecureTransport": "true",
          "aws:SourceAccount": "999999999999",
          "aws:SourceArn": "arn:aws:s3:::theirs",
        },
        action: "s3:PutObject",
        resource: `${s.bucket("ehealth-ireland-access-logs").arn}/x/log`,
        resourcePolicy: s.bucket("ehealth-ireland-access-logs").policy,
      }),
    },
    {
      says: "the replication role replicates into the other region's replica bucket",
      expect: "Allowed",
      request: (s) => ({
        ...role(s, "ehealth-ireland-replication"),
        action: "s3:ReplicateObject",
        resource: `arn:aws:s3:::${replicaOf(s)}/a.pdf`,
      }),
    },
    {
      says: "the replication role reads current documents (it reads versions for replication only)",
      expect: "Denied",
      request: (s) => ({
        ...role(s, "ehealth-ireland-replication"),
        action: "s3:GetObject",
        resource: `${s.bucket("ehealth-ireland-uploads").arn}/a.pdf`,
      }),
    },
    {
      says: "the trail's role writes to its log group",
      expect: "Allowed",
      request: (s) => ({
        ...role(s, "ehealth-ireland-trail"),
        action: "logs:PutLogEvents",
        resource: `${s.arn("aws:cloudwatch/logGroup:LogGroup", "ehealth-ireland-trail")}:log-stream:123456789012_CloudTrail_eu-west-1`,
      }),
    },
    {
      says: "the trail's role writes to the application's log group",
      expect: "Denied",
      request: (s) => ({
        ...role(s, "ehealth-ireland-trail"),
        action: "logs:PutLogEvents",
        resource: `${s.arn("aws:cloudwatch/logGroup:LogGroup", "ehealth-ireland-app")}:log-stream:x`,
      }),
    },
    {
      says: "AWS Config delivers snapshots into its bucket for this account",
      expect: "Allowed",
      request: (s) => ({
        principal: "config.amazonaws.com",
        context: {
          "aws:SecureTransport": "true",
          "aws:SourceAccount": ACCOUNT,
          "aws:SourceArn": `arn:aws:config:${EU}:${ACCOUNT}:config-recorder/ehealth-ireland`,
          "s3:x-amz-acl": "bucket-owner-full-control",
        },
        action: "s3:PutObject",
        resource: `${s.bucket("ehealth-ireland-config").arn}/config/AWSLogs/${ACCOUNT}/Config/x.json.gz`,
        resourcePolicy: s.bucket("ehealth-ireland-config").policy,
      }),
    },
    {
      says: "AWS Config delivers into the bucket for another account",
      expect: "Denied",
      request: (s) => ({
        principal: "config.amazonaws.com",
        context: {
          "aws:SecureTransport": "true",
          "aws:SourceAccount": "999999999999",
          "aws:SourceArn": "arn:aws:config:eu-west-1:999999999999:config-recorder/theirs",
          "s3:x-amz-acl": "bucket-owner-full-control",
        },
        action: "s3:PutObject",
        resource: `${s.bucket("ehealth-ireland-config").arn}/config/AWSLogs/999999999999/Config/x.json.gz`,
        resourcePolicy: s.bucket("ehealth-ireland-config").policy,
      }),
    },
  ],
);

/** The replica bucket the ireland stack replicates uploads into (its stack reference's name). */
function replicaOf(s: Recorded): string {
  const config = s.evaluation.resources.find(
    (r) =>
      r.type === "aws:s3/bucketReplicationConfig:BucketReplicationConfig" &&
      r.name === "ehealth-ireland-uploads",
  );
  const rules = (config?.inputs.rules ?? []) as { destination: { bucket: string } }[];
  return rules[0].destination.bucket.replace("arn:aws:s3:::", "");
}
