/** Data protection: backups, versioning, PITR, replication, keys on every path, enclave isolation. */
import fc from "fast-check";
import { res } from "../fixtures";
import { Family, anyCase, customerKey, notCustomer, rotated } from "./family";

export const DATA: Family[] = [];
const family = (f: Family) => DATA.push(f);

// ---- RDS backups, protection, final snapshot ----
const RDS_INSTANCE = "aws:rds/instance:Instance";
const RDS_CLUSTER = "aws:rds/cluster:Cluster";
const rdsType = fc.constantFrom(RDS_INSTANCE, RDS_CLUSTER);
const safeBackups = fc
  .tuple(fc.integer({ min: 7, max: 35 }), fc.constantFrom<boolean | undefined>(undefined, false))
  .map(([days, skip]) => ({
    backupRetentionPeriod: days,
    deletionProtection: true,
    ...(skip === undefined ? {} : { skipFinalSnapshot: skip, finalSnapshotIdentifier: "db-final" }),
  }));
family({
  policy: "rds-instance-enforce-backups",
  name: "instances and clusters with 7 to 35 days of backups, deletion protection and a final snapshot (skipFinalSnapshot false or omitted); read replicas inherit",
  caught: false,
  variants: fc
    .tuple(rdsType, safeBackups, fc.boolean())
    .map(([type, backups, replica]) =>
      replica && type === RDS_INSTANCE
        ? [res(type, "replica", { replicateSourceDb: "arn:aws:rds:us-west-2:1:db:primary" })]
        : [res(type, "db", { engine: "postgres", ...backups })],
    ),
});
family({
  policy: "rds-instance-enforce-backups",
  name: "instances and clusters with under 7 days of backups (or the default), no deletion protection, or no final snapshot",
  caught: true,
  variants: fc
    .tuple(
      rdsType,
      safeBackups,
      fc.oneof(
        fc.integer({ min: 0, max: 6 }).map((d) => ({ backupRetentionPeriod: d })),
        fc.constant({ backupRetentionPeriod: undefined }),
        fc.constantFrom<unknown>(false, undefined).map((v) => ({ deletionProtection: v })),
        fc.constantFrom<unknown>(true, "true").map((v) => ({ skipFinalSnapshot: v })),
      ),
    )
    .map(([type, backups, flaw]) => {
      const props: Record<string, unknown> = { engine: "postgres", ...backups, ...flaw };
      for (const k of Object.keys(props)) if (props[k] === undefined) delete props[k];
      return [res(type, "db", props)];
    }),
});

// ---- RDS master password managed by Secrets Manager ----
family({
  policy: "rds-instance-enforce-managed-password",
  name: "instances and clusters with manageMasterUserPassword (with or without a customer key), restores from snapshots and replicas",
  caught: false,
  variants: fc
    .tuple(rdsType, fc.constantFrom("managed", "managed-key", "snapshot", "replica"), customerKey)
    .map(([type, how, key]) => [
      res(
        type,
        "db",
        how === "managed"
          ? { manageMasterUserPassword: true }
          : how === "managed-key"
            ? { manageMasterUserPassword: true, masterUserSecretKmsKeyId: key }
            : how === "snapshot"
              ? { snapshotIdentifier: "db-snap" }
              : type === RDS_INSTANCE
                ? { replicateSourceDb: "db-primary" }
                : { manageMasterUserPassword: true },
      ),
    ]),
});
family({
  policy: "rds-instance-enforce-managed-password",
  name: "a master password in the program (password, masterPassword, their write-only forms) or none managed",
  caught: true,
  variants: fc
    .tuple(
      rdsType,
      fc.constantFrom("literal", "write-only", "unmanaged"),
      fc.stringMatching(/^[A-Za-z0-9]{12,20}$/),
    )
    .map(([type, how, pw]) => {
      const field = type === RDS_INSTANCE ? "password" : "masterPassword";
      return [
        res(
          type,
          "db",
          how === "literal"
            ? { [field]: pw, manageMasterUserPassword: false }
            : how === "write-only"
              ? { [`${field}Wo`]: pw, [`${field}WoVersion`]: 1 }
              : { manageMasterUserPassword: false },
        ),
      ];
    }),
});

// ---- S3 versioning: the separate resource (current or V2) by name or id, or the inline block ----
const BUCKET = "aws:s3/bucket:Bucket";
const VERSIONING = [
  "aws:s3/bucketVersioning:BucketVersioning",
  "aws:s3/bucketVersioningV2:BucketVersioningV2",
];
const bucketRef = fc.constantFrom("docs-1", "docs-id");
family({
  policy: "s3-bucket-enable-versioning",
  name: "a bucket versioned by BucketVersioning (or V2, naming it by name or id, MFA delete or not) or inline versioning.enabled",
  caught: false,
  variants: fc
    .tuple(fc.boolean(), fc.constantFrom(...VERSIONING), bucketRef, fc.boolean(), fc.nat())
    .map(([inline, type, ref, mfa, seed]) =>
      rotated(
        inline
          ? [res(BUCKET, "docs", { bucket: "docs-1", versioning: { enabled: true } })]
          : [
              res(BUCKET, "docs", { bucket: "docs-1" }),
              res(type, "docs-versioning", {
                bucket: ref,
                versioningConfiguration: {
                  status: "Enabled",
                  ...(mfa ? { mfaDelete: "Enabled" } : {}),
                },
              }),
            ],
        seed,
      ),
    ),
});
family({
  policy: "s3-bucket-enable-versioning",
  name: "a bucket unversioned: no configuration, Suspended or Disabled, inline enabled false, or versioning of another bucket",
  caught: true,
  variants: fc
    .tuple(
      fc.constantFrom("none", "Suspended", "Disabled", "inline-off", "other"),
      fc.constantFrom(...VERSIONING),
      bucketRef,
    )
    .map(([flaw, type, ref]) => [
      res(BUCKET, "docs", {
        bucket: "docs-1",
        ...(flaw === "inline-off" ? { versioning: { enabled: false } } : {}),
      }),
      ...(flaw === "Suspended" || flaw === "Disabled" || flaw === "other"
        ? [
            res(type, "v", {
              bucket: flaw === "other" ? "other-1" : ref,
              versioningConfiguration: { status: flaw === "other" ? "Enabled" : flaw },
            }),
          ]
        : []),
    ]),
});

// ---- S3 access logs: BucketLogging (or V2) by name or id, inline logging, or a log target ----
const LOGGING = ["aws:s3/bucketLogging:BucketLogging", "aws:s3/bucketLoggingV2:BucketLoggingV2"];
family({
  policy: "s3-bucket-enable-access-logs",
  name: "buckets logged by BucketLogging (or V2, by name or id) or inline logging; log targets of S3 or a load balancer exempt",
  caught: false,
  variants: fc
    .tuple(
      fc.constantFrom("separate", "inline"),
      fc.constantFrom(...LOGGING),
      bucketRef,
      fc.boolean(),
    )
    .map(([how, type, ref, albTarget]) => [
      res(BUCKET, "docs", {
        bucket: "docs-1",
        ...(how === "inline" ? { logging: { targetBucket: "logs-1", targetPrefix: "docs/" } } : {}),
      }),
      ...(how === "separate"
        ? [
            res(type, "docs-logging", {
              bucket: ref,
              targetBucket: "logs-1",
              targetPrefix: "docs/",
            }),
          ]
        : []),
      // The log bucket itself, a target of S3 server access logs or of load balancer logs.
      res(BUCKET, "logs", { bucket: "logs-1" }),
      ...(albTarget
        ? [
            res(BUCKET, "lb-logs", { bucket: "lb-logs-1" }),
            res("aws:lb/loadBalancer:LoadBalancer", "lb", {
              accessLogs: { bucket: "lb-logs-1", enabled: true },
            }),
          ]
        : []),
    ]),
});
family({
  policy: "s3-bucket-enable-access-logs",
  name: "a bucket without access logs, or whose BucketLogging names another bucket",
  caught: true,
  variants: fc
    .tuple(fc.boolean(), fc.constantFrom(...LOGGING))
    .map(([other, type]) => [
      res(BUCKET, "docs", { bucket: "docs-1" }),
      ...(other ? [res(type, "l", { bucket: "else-1", targetBucket: "logs-1" })] : []),
    ]),
});

// ---- S3 replication (advisory): a PHI bucket needs an enabled rule ----
const REPLICATION = "aws:s3/bucketReplicationConfig:BucketReplicationConfig";
const rule = (status: string, i: number) => ({
  id: `r${i}`,
  status,
  destination: { bucket: "arn:aws:s3:::replica", replicaKmsKeyId: "arn:aws:kms:us-west-2:1:key/k" },
});
family({
  policy: "s3-bucket-enable-replication",
  level: "advisory",
  name: "a PHI bucket with a replication configuration (separate, by name or id, or inline) having an Enabled rule among any",
  caught: false,
  variants: fc
    .tuple(fc.array(fc.constantFrom("Enabled", "Disabled")), fc.boolean(), bucketRef)
    .map(([others, inline, ref]) => {
      const rules = [...others, "Enabled"].map(rule);
      return [
        res(BUCKET, "docs", {
          bucket: "docs-1",
          tags: { DataClassification: "PHI" },
          ...(inline ? { replicationConfiguration: { role: "arn:r", rules } } : {}),
        }),
        ...(inline ? [] : [res(REPLICATION, "rep", { bucket: ref, role: "arn:r", rules })]),
      ];
    }),
});
family({
  policy: "s3-bucket-enable-replication",
  level: "advisory",
  name: "a PHI bucket whose replication rules are empty or all Disabled, separate or inline",
  caught: true,
  variants: fc
    .tuple(fc.array(fc.constant("Disabled"), { maxLength: 3 }), fc.boolean(), bucketRef)
    .map(([statuses, inline, ref]) => {
      const rules = statuses.map(rule);
      return [
        res(BUCKET, "docs", {
          bucket: "docs-1",
          tags: { DataClassification: "PHI" },
          ...(inline ? { replicationConfiguration: { role: "arn:r", rules } } : {}),
        }),
        ...(inline ? [] : [res(REPLICATION, "rep", { bucket: ref, role: "arn:r", rules })]),
      ];
    }),
});

// ---- DynamoDB point-in-time recovery and deletion protection ----
const TABLE = "aws:dynamodb/table:Table";
family({
  policy: "dynamodb-table-enable-pitr",
  name: "tables with PITR (any recovery period) and deletion protection",
  caught: false,
  variants: fc.option(fc.integer({ min: 1, max: 35 }), { nil: undefined }).map((days) => [
    res(TABLE, "t", {
      pointInTimeRecovery: { enabled: true, ...(days ? { recoveryPeriodInDays: days } : {}) },
      deletionProtectionEnabled: true,
    }),
  ]),
});
family({
  policy: "dynamodb-table-enable-pitr",
  name: "tables without PITR (omitted, false) or without deletion protection",
  caught: true,
  variants: fc
    .tuple(
      fc.constantFrom<unknown>(undefined, { enabled: false }, { enabled: true }),
      fc.constantFrom<unknown>(undefined, false, true),
    )
    .filter(([pitr, del]) => !(del === true && (pitr as { enabled?: boolean })?.enabled === true))
    .map(([pitr, del]) => {
      const props: Record<string, unknown> = {};
      if (pitr !== undefined) props.pointInTimeRecovery = pitr;
      if (del !== undefined) props.deletionProtectionEnabled = del;
      return [res(TABLE, "t", props)];
    }),
});

// ---- AWS-managed keys on paths the generic key families miss ----
const INSTANCE = "aws:ec2/instance:Instance";
const LT = "aws:ec2/launchTemplate:LaunchTemplate";
const EBS_ON = "aws:ebs/encryptionByDefault:EncryptionByDefault";
const EBS_KEY = "aws:ebs/defaultKmsKey:DefaultKmsKey";
type Device = "root" | "ebs" | "template";
/** One EBS volume, encrypted, under `key`, declared on an instance or a launch template. */
function volumeAt(where: Device, key: unknown): ReturnType<typeof res>[] {
  const k = key === undefined ? {} : { kmsKeyId: key };
  if (where === "root")
    return [
      res(INSTANCE, "vm", { subnetId: "app-id", rootBlockDevice: { encrypted: true, ...k } }),
    ];
  if (where === "ebs")
    return [
      res(INSTANCE, "vm", {
        subnetId: "app-id",
        rootBlockDevice: { encrypted: true, kmsKeyId: "arn:aws:kms:eu-west-1:1:key/root" },
        ebsBlockDevices: [{ deviceName: "/dev/sdf", volumeSize: 100, encrypted: true, ...k }],
      }),
    ];
  return [
    res(LT, "lt", {
      blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: "true", ...k } }],
    }),
    res(INSTANCE, "vm", { subnetId: "app-id", launchTemplate: { id: "lt-id" } }),
  ];
}
const device = fc.constantFrom<Device>("root", "ebs", "template");
family({
  policy: "ec2-volume-enforce-encryption",
  name: "instance root and EBS devices and launch template mappings under aws/ebs (alias, alias ARN) or no key, with or without encryption by default under aws/ebs",
  caught: true,
  variants: fc
    .tuple(device, notCustomer("ebs"), fc.boolean(), notCustomer("ebs"))
    .map(([where, key, defaults, defaultKey]) => [
      ...volumeAt(where, key),
      ...(defaults
        ? [
            res(EBS_ON, "d", { enabled: true }),
            ...(defaultKey === undefined ? [] : [res(EBS_KEY, "dk", { keyArn: defaultKey })]),
          ]
        : []),
    ]),
});
family({
  policy: "ec2-volume-enforce-encryption",
  name: "the same devices under a customer key by id, ARN or alias, or without a key under a customer DefaultKmsKey",
  caught: false,
  variants: fc
    .tuple(device, customerKey, fc.boolean())
    .map(([where, key, byDefault]) =>
      byDefault
        ? [
            ...volumeAt(where, undefined),
            res(EBS_ON, "d", { enabled: true }),
            res(EBS_KEY, "dk", { keyArn: key }),
          ]
        : volumeAt(where, key),
    ),
});

/** Store types whose key paths the generic families do not reach: [policy, service alias, type, props]. */
const STORES: readonly (readonly [
  string,
  string,
  string,
  (k: unknown) => Record<string, unknown>,
])[] = [
  [
    "rds-storage-enforce-encryption",
    "rds",
    RDS_CLUSTER,
    (k) => ({ engine: "aurora-postgresql", storageEncrypted: true, kmsKeyId: k }),
  ],
  [
    "dynamodb-table-enforce-encryption",
    "dynamodb",
    TABLE,
    (k) => ({
      serverSideEncryption: { enabled: true, kmsKeyArn: "arn:aws:kms:eu-west-1:1:key/t" },
      replicas: [
        { regionName: "us-west-2", kmsKeyArn: "arn:aws:kms:us-west-2:1:key/r" },
        { regionName: "eu-central-1", kmsKeyArn: k },
      ],
    }),
  ],
  [
    "dynamodb-table-enforce-encryption",
    "dynamodb",
    "aws:dynamodb/tableReplica:TableReplica",
    (k) => ({ globalTableArn: "arn:aws:dynamodb:eu-west-1:1:table/t", kmsKeyArn: k }),
  ],
  [
    "redshift-cluster-enforce-encryption",
    "redshift",
    "aws:redshift/cluster:Cluster",
    (k) => ({ clusterIdentifier: "dw", encrypted: "true", kmsKeyId: k }),
  ],
  [
    "elasticache-cluster-enforce-encryption",
    "elasticache",
    "aws:elasticache/replicationGroup:ReplicationGroup",
    (k) => ({
      engine: "valkey",
      atRestEncryptionEnabled: true,
      transitEncryptionEnabled: true,
      kmsKeyId: k,
    }),
  ],
  [
    "kinesis-stream-enforce-encryption",
    "firehose",
    "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream",
    (k) => ({
      destination: "extended_s3",
      serverSideEncryption: { enabled: true, keyType: "CUSTOMER_MANAGED_CMK", keyArn: k },
    }),
  ],
];
for (const [policy, service, type, props] of STORES) {
  family({
    policy,
    name: `${type}: an omitted, blank or AWS-managed key (alias/aws/${service}, by alias or alias ARN)`,
    caught: true,
    variants: notCustomer(service).map((k) => [res(type, "store", props(k))]),
  });
  family({
    policy,
    name: `${type}: a customer-managed key by id, ARN or alias`,
    caught: false,
    variants: customerKey.map((k) => [res(type, "store", props(k))]),
  });
}
family({
  policy: "redshift-cluster-enforce-encryption",
  name: "a provisioned Redshift cluster unencrypted (encrypted false as string or boolean)",
  caught: true,
  variants: fc
    .tuple(fc.constantFrom<unknown>("false", false), customerKey)
    .map(([enc, k]) => [
      res("aws:redshift/cluster:Cluster", "dw", { encrypted: enc, kmsKeyId: k }),
    ]),
});
family({
  policy: "elasticache-cluster-enforce-encryption",
  name: "a replication group unencrypted at rest, or in transit (off, or mode preferred in any case)",
  caught: true,
  variants: fc
    .tuple(fc.constantFrom("rest", "transit", "preferred"), customerKey, anyCase("preferred"))
    .map(([flaw, k, mode]) => [
      res("aws:elasticache/replicationGroup:ReplicationGroup", "cache", {
        atRestEncryptionEnabled: flaw !== "rest",
        transitEncryptionEnabled: flaw !== "transit",
        ...(flaw === "preferred" ? { transitEncryptionMode: mode } : {}),
        kmsKeyId: k,
      }),
    ]),
});
const FIREHOSE = "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream";
family({
  policy: "kinesis-stream-enforce-encryption",
  name: "a Direct PUT Firehose stream unencrypted or under an AWS-owned key (no block, enabled false, keyType omitted or AWS_OWNED_CMK)",
  caught: true,
  variants: fc
    .constantFrom<unknown>(
      undefined,
      { enabled: false },
      { enabled: true },
      { enabled: true, keyType: "AWS_OWNED_CMK" },
    )
    .map((sse) => [
      res(FIREHOSE, "fh", {
        destination: "extended_s3",
        ...(sse ? { serverSideEncryption: sse } : {}),
      }),
    ]),
});
/**
 * A Firehose stream reading a Kinesis data stream stores nothing at rest itself: the data stays in
 * the source stream, judged by its own key. AWS: "Data protection in Amazon Data Firehose",
 * https://docs.aws.amazon.com/firehose/latest/dev/encryption.html
 */
family({
  policy: "kinesis-stream-enforce-encryption",
  name: "a Firehose stream whose source is a customer-key Kinesis stream, with no encryption block of its own",
  caught: false,
  variants: customerKey.map((k) => [
    res("aws:kinesis/stream:Stream", "src", { encryptionType: "KMS", kmsKeyId: k }),
    res(FIREHOSE, "fh", {
      destination: "extended_s3",
      kinesisSourceConfiguration: {
        kinesisStreamArn: "arn:aws:kinesis:eu-west-1:123456789012:stream/src",
        roleArn: "arn:aws:iam::123456789012:role/fh",
      },
    }),
  ]),
});

// ---- KMS: rotation, lockout safety check (on the key or a separate KeyPolicy) ----
const KEY = "aws:kms/key:Key";
const KEY_POLICY = "aws:kms/keyPolicy:KeyPolicy";
/** Every type that carries a key policy with the flag (own, imported material, replicas). */
const KEYS_WITH_POLICY = [
  KEY,
  "aws:kms/externalKey:ExternalKey",
  "aws:kms/replicaKey:ReplicaKey",
  "aws:kms/replicaExternalKey:ReplicaExternalKey",
];
family({
  policy: "kms-key-enable-rotation",
  name: "symmetric encryption keys (spec omitted or SYMMETRIC_DEFAULT, usage omitted or ENCRYPT_DECRYPT, multi-Region or not) that do not rotate",
  caught: true,
  variants: fc
    .record({
      spec: fc.constantFrom<string | undefined>(undefined, "SYMMETRIC_DEFAULT"),
      usage: fc.constantFrom<string | undefined>(undefined, "ENCRYPT_DECRYPT"),
      rotation: fc.constantFrom<boolean | undefined>(undefined, false),
      multiRegion: fc.boolean(),
    })
    .map((k) => {
      const props: Record<string, unknown> = { multiRegion: k.multiRegion };
      if (k.spec) props.customerMasterKeySpec = k.spec;
      if (k.usage) props.keyUsage = k.usage;
      if (k.rotation !== undefined) props.enableKeyRotation = k.rotation;
      return [res(KEY, "key", props)];
    }),
});
/**
 * Automatic rotation exists only for symmetric encryption keys whose material KMS generates:
 * "You cannot enable automatic rotation of asymmetric KMS keys, HMAC KMS keys, KMS keys with
 * imported key material, or KMS keys in a custom key store." AWS: EnableKeyRotation,
 * https://docs.aws.amazon.com/kms/latest/APIReference/API_EnableKeyRotation.html
 */
family({
  policy: "kms-key-enable-rotation",
  name: "rotating symmetric keys (any period), and keys that cannot rotate: asymmetric, HMAC, in a custom key store",
  caught: false,
  variants: fc.oneof(
    fc.option(fc.integer({ min: 90, max: 2560 }), { nil: undefined }).map((days) => [
      res(KEY, "key", {
        enableKeyRotation: true,
        ...(days ? { rotationPeriodInDays: days } : {}),
      }),
    ]),
    fc
      .constantFrom(
        { customerMasterKeySpec: "RSA_2048", keyUsage: "ENCRYPT_DECRYPT" },
        { customerMasterKeySpec: "ECC_NIST_P256", keyUsage: "SIGN_VERIFY" },
        { customerMasterKeySpec: "HMAC_256", keyUsage: "GENERATE_VERIFY_MAC" },
        { customKeyStoreId: "cks-1234567890abcdef0" },
        { customKeyStoreId: "cks-1234567890abcdef0", xksKeyId: "xks-key-1" },
      )
      .map((p) => [res(KEY, "key", p)]),
  ),
});
family({
  policy: "kms-key-disallow-lockout-bypass",
  name: 'the lockout safety check bypassed on a key (own, imported material, replica) or on a separate KeyPolicy (true or "true")',
  caught: true,
  variants: fc
    .tuple(fc.constantFrom(...KEYS_WITH_POLICY, KEY_POLICY), fc.constantFrom<unknown>(true, "true"))
    .map(([type, v]) => [
      res(KEY, "key", { enableKeyRotation: true }),
      type === KEY_POLICY
        ? res(KEY_POLICY, "kp", {
            keyId: "key-id",
            policy: "{}",
            bypassPolicyLockoutSafetyCheck: v,
          })
        : res(type, "bypassing", { bypassPolicyLockoutSafetyCheck: v }),
    ]),
});
family({
  policy: "kms-key-disallow-lockout-bypass",
  name: "keys (own, imported material, replica) and KeyPolicies that keep the check (omitted or false)",
  caught: false,
  variants: fc
    .tuple(
      fc.constantFrom(...KEYS_WITH_POLICY),
      fc.constantFrom<unknown>(undefined, false),
      fc.constantFrom<unknown>(undefined, false),
    )
    .map(([type, a, b]) => [
      res(type, "key", a === undefined ? {} : { bypassPolicyLockoutSafetyCheck: a }),
      res(KEY_POLICY, "kp", {
        keyId: "key-id",
        policy: "{}",
        ...(b === undefined ? {} : { bypassPolicyLockoutSafetyCheck: b }),
      }),
    ]),
});

// ---- research enclave isolation ----
const POLICY = "aws:s3/bucketPolicy:BucketPolicy";
const ARN = "arn:aws:s3:::enclave-1";
const isolation = (over: Record<string, unknown> = {}) => ({
  Effect: "Deny",
  Principal: "*",
  Action: ["s3:GetObject*", "s3:PutObject*"],
  Resource: [ARN, `${ARN}/*`],
  Condition: { StringNotEquals: { "aws:SourceVpce": "vpce-1" } },
  ...over,
});
/** The enclave bucket with one policy statement, in a BucketPolicy (by name or id) or inline. */
function enclave(statement: object, inline: boolean, ref: string) {
  const policy = JSON.stringify({ Version: "2012-10-17", Statement: [statement] });
  return [
    res(BUCKET, "enclave", {
      bucket: "enclave-1",
      tags: { Enclave: "cardio01" },
      ...(inline ? { policy } : {}),
    }),
    ...(inline ? [] : [res(POLICY, "enclave-policy", { bucket: ref, policy })]),
  ];
}
const enclaveRef = fc.constantFrom("enclave-1", "enclave-id");
family({
  policy: "s3-bucket-enforce-enclave-isolation",
  name: 'a deny to everyone ("*") of object reads (GetObject*, Get*, s3:*, *, any case) unless through the endpoint or a named principal, in a BucketPolicy or the bucket\'s own policy',
  caught: false,
  variants: fc
    .record({
      // Principal "*" only: whether a deny to { AWS: "*" } also refuses anonymous requests is not
      // documented as equivalent, so the pack does not count it and neither does this family.
      principal: fc.constant<unknown>("*"),
      action: fc.constantFrom<unknown>(
        "s3:GetObject",
        "s3:GetObject*",
        "s3:Get*",
        "s3:*",
        "*",
        ["s3:GetObject", "s3:PutObject"],
        "S3:GetObject",
        "s3:getobject*",
      ),
      condition: fc.constantFrom<object>(
        { StringNotEquals: { "aws:SourceVpce": "vpce-1" } },
        { StringNotEqualsIfExists: { "aws:SourceVpce": ["vpce-1"] } },
        {
          StringNotEquals: { "aws:SourceVpce": "vpce-1" },
          ArnNotEquals: { "aws:PrincipalArn": "arn:aws:iam::1:role/steward" },
        },
      ),
      resource: fc.constantFrom<unknown>(`${ARN}/*`, [ARN, `${ARN}/*`], "*"),
      inline: fc.boolean(),
      ref: enclaveRef,
    })
    .map((v) =>
      enclave(
        isolation({
          Principal: v.principal,
          Action: v.action,
          Condition: v.condition,
          Resource: v.resource,
        }),
        v.inline,
        v.ref,
      ),
    ),
});
family({
  policy: "s3-bucket-enforce-enclave-isolation",
  name: "an enclave bucket whose deny spares reads, names a principal, refuses only the endpoint, carries another condition, or is an Allow",
  caught: true,
  variants: fc
    .tuple(
      fc.constantFrom<Record<string, unknown>>(
        { Action: ["s3:PutObject*", "s3:DeleteObject*"] },
        { Action: "s3:ListBucket" },
        { Principal: { AWS: "arn:aws:iam::1:root" } },
        { Condition: { StringEquals: { "aws:SourceVpce": "vpce-1" } } },
        { Condition: { StringNotEquals: { "aws:SourceIp": "203.0.113.0/24" } } },
        { Resource: ARN },
        { Effect: "Allow" },
      ),
      fc.boolean(),
      enclaveRef,
    )
    .map(([flaw, inline, ref]) => enclave(isolation(flaw), inline, ref)),
});
