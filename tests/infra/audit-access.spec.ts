/**
 * Who may write the audit record and its alerts, simulated against the policies the stacks record:
 * the log archive's and AWS Config's buckets, the role that copies AWS Config's files into the
 * archive, and the alert topic.
 *
 * Not modelled: the services' own checks beyond IAM (CloudTrail and AWS Config read the bucket ACL
 * before a write, S3 replication checks versioning and Object Lock), which the preflight's S3 and
 * ordering rules judge instead.
 */
import {
  ACCOUNT,
  ADMIN,
  Recorded,
  allowedByIam,
  stack,
  table,
  type RowSpec,
} from "../access/recorded";

const STACKS = [
  { name: "ireland", region: "eu-west-1", other: "us-west-2" },
  { name: "oregon", region: "us-west-2", other: "eu-west-1" },
] as const;
const FOREIGN = "999988887777";
const TLS = { "aws:SecureTransport": "true" };
const OWNER_ACL = { "s3:x-amz-acl": "bucket-owner-full-control" };
const operator = `arn:aws:iam::${ACCOUNT}:role/app-operator`;
/** A role of the account whose IAM policies allow everything: only the resource policy refuses. */
const asOperator = (context: Record<string, string>) => allowedByIam(operator, context);

const ireland = async () => new Recorded(await stack("ireland"));
const archive = (s: Recorded) => s.bucket("ehealth-ireland-archive");
const trailLog = (account: string) =>
  `cloudtrail/AWSLogs/${account}/CloudTrail/eu-west-1/2026/01/01/x.json.gz`;

/** CloudTrail at the archive: what it sends beside TLS, the action, the object or the bucket. */
const trail = (s: Recorded, context: Record<string, string>, action: string, resource: string) => ({
  principal: "cloudtrail.amazonaws.com",
  context: { ...TLS, ...context },
  action,
  resource,
  resourcePolicy: archive(s).policy,
});
const writes = (s: Recorded, context: Record<string, string>, account: string = ACCOUNT) =>
  trail(s, context, "s3:PutObject", `${archive(s).arn}/${trailLog(account)}`);
const owned = (account: string) => ({ ...OWNER_ACL, "aws:SourceAccount": account });

table(
  "ehealth:audit:Audit: CloudTrail writes into the log archive (ireland, as recorded)",
  ireland,
  [
    {
      says: "CloudTrail checks the archive's ACL for this account",
      expect: "Allowed",
      request: (s) => trail(s, { "aws:SourceAccount": ACCOUNT }, "s3:GetBucketAcl", archive(s).arn),
    },
    {
      says: "CloudTrail checks the archive's ACL for another account",
      expect: "Denied",
      request: (s) => trail(s, { "aws:SourceAccount": FOREIGN }, "s3:GetBucketAcl", archive(s).arn),
    },
    {
      says: "CloudTrail writes this account's log under its prefix, handing the object to the bucket owner",
      expect: "Allowed",
      request: (s) => writes(s, owned(ACCOUNT)),
    },
    {
      says: "CloudTrail writes another account's log under that account's prefix",
      expect: "Denied",
      request: (s) => writes(s, owned(FOREIGN), FOREIGN),
    },
    {
      says: "CloudTrail writes under this account's prefix on another account's behalf",
      expect: "Denied",
      request: (s) => writes(s, owned(FOREIGN)),
    },
    {
      says: "CloudTrail writes a log it keeps ownership of (no bucket-owner-full-control)",
      expect: "Denied",
      request: (s) => writes(s, { "aws:SourceAccount": ACCOUNT }),
    },
    {
      says: "CloudTrail writes outside its prefix (AWS Config's copies)",
      expect: "Denied",
      request: (s) =>
        trail(
          s,
          owned(ACCOUNT),
          "s3:PutObject",
          `${archive(s).arn}/config/AWSLogs/${ACCOUNT}/Config/x.json.gz`,
        ),
    },
  ],
);

for (const { name, region, other } of STACKS) {
  const bucket = (s: Recorded) => s.bucket(`ehealth-${name}-config`);
  const channel = (account: string, inRegion: string = region) =>
    `arn:aws:config:${inRegion}:${account}:config-recorder/ehealth-${name}`;
  const file = (account: string) =>
    `config/AWSLogs/${account}/Config/${region}/2026/1/1/ConfigSnapshot/x.json.gz`;
  const deliver = (
    s: Recorded,
    context: Record<string, string>,
    key = file(ACCOUNT),
  ): ReturnType<RowSpec<Recorded>["request"]> => ({
    principal: "config.amazonaws.com",
    context,
    action: "s3:PutObject",
    resource: `${bucket(s).arn}/${key}`,
    resourcePolicy: bucket(s).policy,
  });
  const mine = { ...TLS, ...OWNER_ACL, "aws:SourceAccount": ACCOUNT };

  table(
    `ehealth:audit:Audit: AWS Config's delivery bucket (${name}, as recorded)`,
    async () => new Recorded(await stack(name)),
    [
      {
        says: "AWS Config checks the bucket's ACL for this region's channel",
        expect: "Allowed",
        request: (s) => ({
          ...deliver(s, {
            ...TLS,
            "aws:SourceAccount": ACCOUNT,
            "aws:SourceArn": channel(ACCOUNT),
          }),
          action: "s3:GetBucketAcl",
          resource: bucket(s).arn,
        }),
      },
      {
        says: "AWS Config checks that the bucket exists (ListBucket) for this region's channel",
        expect: "Allowed",
        request: (s) => ({
          ...deliver(s, {
            ...TLS,
            "aws:SourceAccount": ACCOUNT,
            "aws:SourceArn": channel(ACCOUNT),
          }),
          action: "s3:ListBucket",
          resource: bucket(s).arn,
        }),
      },
      ...(["s3:GetBucketAcl", "s3:ListBucket"] as const).map((action): RowSpec<Recorded> => ({
        says: `AWS Config calls ${action} on the bucket for another account's channel`,
        expect: "Denied",
        request: (s) => ({
          ...deliver(s, {
            ...TLS,
            "aws:SourceAccount": FOREIGN,
            "aws:SourceArn": channel(FOREIGN),
          }),
          action,
          resource: bucket(s).arn,
        }),
      })),
      {
        says: "AWS Config delivers this region's channel's file under its prefix",
        expect: "Allowed",
        request: (s) => deliver(s, { ...mine, "aws:SourceArn": channel(ACCOUNT) }),
      },
      {
        says: `AWS Config delivers a file of this account's ${other} channel`,
        expect: "Denied",
        request: (s) => deliver(s, { ...mine, "aws:SourceArn": channel(ACCOUNT, other) }),
      },
      {
        says: "AWS Config delivers another account's file",
        expect: "Denied",
        request: (s) =>
          deliver(
            s,
            {
              ...TLS,
              ...OWNER_ACL,
              "aws:SourceAccount": FOREIGN,
              "aws:SourceArn": channel(FOREIGN),
            },
            file(FOREIGN),
          ),
      },
      {
        says: "AWS Config delivers outside its prefix",
        expect: "Denied",
        request: (s) =>
          deliver(s, { ...mine, "aws:SourceArn": channel(ACCOUNT) }, "elsewhere/x.json.gz"),
      },
      {
        says: "AWS Config delivers a file it keeps ownership of (no bucket-owner-full-control)",
        expect: "Denied",
        request: (s) =>
          deliver(s, { ...TLS, "aws:SourceAccount": ACCOUNT, "aws:SourceArn": channel(ACCOUNT) }),
      },
      {
        says: "AWS Config delivers over plain HTTP",
        expect: "ExplicitlyDenied",
        request: (s) =>
          deliver(s, {
            ...mine,
            "aws:SecureTransport": "false",
            "aws:SourceArn": channel(ACCOUNT),
          }),
      },
      ...(
        [
          ["reads an AWS Config file over TLS", "Allowed", "s3:GetObject", true],
          ["reads an AWS Config file over plain HTTP", "ExplicitlyDenied", "s3:GetObject", false],
          ["lists the bucket over plain HTTP", "ExplicitlyDenied", "s3:ListBucket", false],
        ] as const
      ).map(([does, expect, action, secure]): RowSpec<Recorded> => ({
        says: `an account role ${does}`,
        expect,
        request: (s) => ({
          ...asOperator({ "aws:SecureTransport": String(secure) }),
          action,
          resource:
            action === "s3:ListBucket" ? bucket(s).arn : `${bucket(s).arn}/${file(ACCOUNT)}`,
          resourcePolicy: bucket(s).policy,
        }),
      })),
    ],
  );

  /** The role S3 replication assumes to copy AWS Config's files into the locked archive. */
  const copier = (s: Recorded, action: string, resource: string) => ({
    ...s.as(`ehealth-${name}-config-replication`, TLS),
    action,
    resource,
  });
  const target = (s: Recorded, key: string) => `${s.bucket(`ehealth-${name}-archive`).arn}/${key}`;
  const source = (s: Recorded) => `${bucket(s).arn}/${file(ACCOUNT)}`;
  const documents = (s: Recorded) => s.bucket(`ehealth-${name}-uploads`);

  table(
    `ehealth:audit:Audit: the copy of AWS Config's files into the archive (${name}, as recorded)`,
    async () => new Recorded(await stack(name)),
    [
      {
        says: "the copy role replicates an AWS Config file into the archive",
        expect: "Allowed",
        request: (s) => copier(s, "s3:ReplicateObject", target(s, file(ACCOUNT))),
      },
      {
        says: "the copy role replicates into the archive's CloudTrail prefix",
        expect: "Denied",
        request: (s) => copier(s, "s3:ReplicateObject", target(s, trailLog(ACCOUNT))),
      },
      {
        says: "the copy role replicates a deletion into the archive",
        expect: "Denied",
        request: (s) => copier(s, "s3:ReplicateDelete", target(s, file(ACCOUNT))),
      },
      // Replication into an Object Lock bucket reads the source's retention and legal hold.
      ...[
        "s3:GetObjectRetention",
        "s3:GetObjectLegalHold",
        "s3:GetObjectVersionForReplication",
      ].map((action): RowSpec<Recorded> => ({
        says: `the copy role calls ${action} on an AWS Config file`,
        expect: "Allowed",
        request: (s) => copier(s, action, source(s)),
      })),
      {
        says: "the copy role reads an AWS Config file as a client would",
        expect: "Denied",
        request: (s) => copier(s, "s3:GetObject", source(s)),
      },
      // Its policy names each resource: the same calls on the platform's documents are refused.
      ...(["s3:GetReplicationConfiguration", "s3:ListBucket"] as const).map(
        (action): RowSpec<Recorded> => ({
          says: `the copy role calls ${action} on the patient document bucket`,
          expect: "Denied",
          request: (s) => ({
            ...copier(s, action, documents(s).arn),
            resourcePolicy: documents(s).policy,
          }),
        }),
      ),
      ...(["s3:GetObjectVersionForReplication", "s3:ReplicateObject"] as const).map(
        (action): RowSpec<Recorded> => ({
          says: `the copy role calls ${action} on a patient document`,
          expect: "Denied",
          request: (s) => ({
            ...copier(s, action, `${documents(s).arn}/${file(ACCOUNT)}`),
            resourcePolicy: documents(s).policy,
          }),
        }),
      ),
      {
        says: "the copy role decrypts with the PHI key",
        expect: "Denied",
        request: (s) => ({
          ...copier(s, "kms:Decrypt", s.keyArn(`ehealth-${name}-phi`)),
          resourcePolicy: s.keyPolicy(`ehealth-${name}-phi`),
        }),
      },
    ],
  );

  const topic = (s: Recorded) => s.topic(`ehealth-${name}-security-alerts`);
  const publish = (s: Recorded, principal: string, context: Record<string, string>) => ({
    principal,
    context: { ...TLS, ...context },
    action: "sns:Publish",
    resource: topic(s).arn,
    resourcePolicy: topic(s).policy,
  });
  const rule = (s: Recorded, suffix: string) =>
    s.arn("aws:cloudwatch/eventRule:EventRule", `ehealth-${name}-${suffix}`);
  const alarm = (account: string) =>
    `arn:aws:cloudwatch:${region}:${account}:alarm:ehealth-${name}-root-account-usage`;

  table(
    `ehealth:audit:Audit: who publishes to the alert topic (issue 13.14; ${name}, as recorded)`,
    async () => new Recorded(await stack(name)),
    [
      {
        says: "a CloudWatch alarm of this account publishes (it sends the alarm as aws:SourceArn)",
        expect: "Allowed",
        request: (s) => publish(s, "cloudwatch.amazonaws.com", { "aws:SourceArn": alarm(ACCOUNT) }),
      },
      {
        says: "a CloudWatch alarm of another account publishes",
        expect: "Denied",
        request: (s) => publish(s, "cloudwatch.amazonaws.com", { "aws:SourceArn": alarm(FOREIGN) }),
      },
      ...["guardduty-high", "backup-job-failed", "copy-job-failed", "restore-job-failed"].map(
        (suffix): RowSpec<Recorded> => ({
          says: `the ${suffix} rule publishes (EventBridge sends the rule as aws:SourceArn)`,
          expect: "Allowed",
          request: (s) => publish(s, "events.amazonaws.com", { "aws:SourceArn": rule(s, suffix) }),
        }),
      ),
      {
        says: "another EventBridge rule of the account publishes",
        expect: "Denied",
        request: (s) =>
          publish(s, "events.amazonaws.com", {
            "aws:SourceArn": `arn:aws:events:${region}:${ACCOUNT}:rule/someone-elses`,
          }),
      },
      {
        says: "a rule of the stack publishes over plain HTTP",
        expect: "ExplicitlyDenied",
        request: (s) =>
          publish(s, "events.amazonaws.com", {
            "aws:SourceArn": rule(s, "guardduty-high"),
            "aws:SecureTransport": "false",
          }),
      },
      {
        says: "a CloudWatch alarm of this account publishes over plain HTTP",
        expect: "ExplicitlyDenied",
        request: (s) =>
          publish(s, "cloudwatch.amazonaws.com", {
            "aws:SourceArn": alarm(ACCOUNT),
            "aws:SecureTransport": "false",
          }),
      },
      {
        says: "an account role allowed everything by IAM publishes over plain HTTP",
        expect: "ExplicitlyDenied",
        request: (s) => ({
          ...publish(s, operator, { "aws:SecureTransport": "false" }),
          identity: [ADMIN],
        }),
      },
      {
        says: "an account role allowed everything by IAM publishes over TLS",
        expect: "Allowed",
        request: (s) => ({ ...publish(s, operator, {}), identity: [ADMIN] }),
      },
    ],
  );
}
