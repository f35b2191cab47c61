/**
 * KMS key usage: for every resource that encrypts with a key the programs own, the key's policy
 * (or a grant the programs create) lets the AWS service call KMS the way that service does: as a
 * service principal, or on behalf of a caller through `kms:ViaService`, with the caller account and
 * the encryption context the service sends. Each service's calls come from its own documentation;
 * the decision comes from IAM policy simulation of the recorded key policy.
 *
 * The identity side is not judged here: the caller is given an identity policy allowing every KMS
 * action, so a denial means the key policy (the resource that must change) refuses the call.
 */
import { ProgramGraph, Res, block, findAcross, isString, label, list } from "../graph";
import { Context, PolicyDoc, simulate } from "../iam/simulate";
import type { AccountRule, DeployKind, Reference, RuleHit } from "../types";

export interface KmsCall {
  /** A service principal, or an IAM principal calling through a service. */
  readonly principal: string;
  /** True when the principal is an IAM role of the account (its IAM policy is assumed to allow KMS). */
  readonly iamCaller: boolean;
  readonly actions: readonly string[];
  readonly context: Context;
  /** Who calls, in words, for the message. */
  readonly who: string;
  /** What the service is documented not to send, for the message. */
  readonly note?: string;
}

export interface KeyUse {
  /** The encrypting resource. */
  readonly resource: Res;
  /** The key reference (id, ARN, alias) as the resource holds it. */
  readonly keyRef: unknown;
  readonly calls: readonly KmsCall[];
  /** What the service does with the key, for the message. */
  readonly purpose: string;
}

interface KmsRuleSpec {
  readonly id: string;
  readonly kind: DeployKind;
  readonly description: string;
  readonly reference: Reference;
  uses(graph: ProgramGraph, all: readonly ProgramGraph[]): KeyUse[];
}

const ALLOW_ALL_KMS: PolicyDoc = {
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: "kms:*", Resource: "*" }],
};

/** The caller IAM principal stands for: a role of the account with KMS allowed by IAM. */
export const callerRole = (g: ProgramGraph) =>
  `arn:${g.partition}:iam::${g.accountId}:role/preflight-caller`;

/** A call an IAM principal makes through a service (`kms:ViaService`), with the caller account. */
export function viaService(
  g: ProgramGraph,
  service: string,
  region: string,
  actions: readonly string[],
  encryptionContext: Record<string, string> = {},
  principal = callerRole(g),
): KmsCall {
  const context: Record<string, string> = {
    "kms:ViaService": `${service}.${region}.amazonaws.com`,
    "kms:CallerAccount": g.accountId,
    "aws:PrincipalArn": principal,
    "aws:PrincipalAccount": g.accountId,
  };
  for (const [k, v] of Object.entries(encryptionContext)) context[`kms:EncryptionContext:${k}`] = v;
  if (actions.includes("kms:CreateGrant")) context["kms:GrantIsForAWSResource"] = "true";
  return {
    principal,
    iamCaller: true,
    actions,
    context,
    who: `${principal.split("/").pop()} through ${service}.${region}.amazonaws.com`,
  };
}

/** A call a service principal makes itself. */
export function servicePrincipal(
  principal: string,
  actions: readonly string[],
  context: Record<string, string> = {},
): KmsCall {
  return { principal, iamCaller: false, actions, context, who: principal };
}

/** The key's policy as recorded; without one, AWS's default policy (the account's IAM decides). */
export function keyPolicyOf(key: Res): PolicyDoc {
  const policy = key.inputs.policy;
  if (isString(policy)) return JSON.parse(policy) as PolicyDoc;
  const account = /:(\d{12}):/.exec(String(key.outputs.arn ?? ""))?.[1] ?? "123456789012";
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { AWS: `arn:aws:iam::${account}:root` },
        Action: "kms:*",
        Resource: "*",
      },
    ],
  };
}

/** Grants the programs create on a key, as (grantee, operations). */
function grantsOn(
  graphs: readonly ProgramGraph[],
  key: Res,
): { grantee: string; operations: string[] }[] {
  return graphs.flatMap((g) =>
    g
      .ofType("aws:kms/grant:Grant")
      .filter(
        (r) =>
          g.key(r.inputs.keyId) === key ||
          findAcross(graphs, r.inputs.keyId, "aws:kms/key:Key")?.resource === key,
      )
      .map((r) => ({
        grantee: String(r.inputs.granteePrincipal ?? ""),
        operations: list(r.inputs.operations).map(String),
      })),
  );
}

/** The actions of a call the key refuses (policy and grants considered). */
export async function refusedActions(
  graphs: readonly ProgramGraph[],
  key: Res,
  call: KmsCall,
): Promise<string[]> {
  const keyArn = String(key.outputs.arn);
  const policy = keyPolicyOf(key);
  const grants = grantsOn(graphs, key);
  const refused: string[] = [];
  for (const action of call.actions) {
    const granted = grants.some(
      (g) => g.grantee === call.principal && g.operations.includes(action.replace(/^kms:/, "")),
    );
    if (granted) continue;
    const { decision } = await simulate({
      principal: call.principal,
      action,
      resource: keyArn,
      context: call.context,
      identityPolicies: call.iamCaller ? [ALLOW_ALL_KMS] : [],
      resourcePolicy: policy,
    });
    if (decision !== "Allowed") refused.push(action);
  }
  return refused;
}

function describeContext(call: KmsCall): string {
  const shown = Object.entries(call.context).filter(
    ([k]) =>
      k.startsWith("kms:EncryptionContext:") || k === "aws:SourceAccount" || k === "aws:SourceArn",
  );
  const sent = shown.length ? ` with ${shown.map(([k, v]) => `${k}=${String(v)}`).join(", ")}` : "";
  return `${sent}${call.note ? ` (${call.note})` : ""}`;
}

function kmsRule(spec: KmsRuleSpec): AccountRule {
  return {
    id: spec.id,
    family: "kms",
    kind: spec.kind,
    scope: "account",
    description: spec.description,
    reference: spec.reference,
    async check(graphs) {
      const hits: RuleHit[] = [];
      for (const graph of graphs) {
        for (const use of spec.uses(graph, graphs)) {
          const found = findAcross(graphs, use.keyRef, "aws:kms/key:Key");
          if (!found) continue;
          const key = found.resource;
          for (const call of use.calls) {
            const refused = await refusedActions(graphs, key, call);
            if (refused.length === 0) continue;
            hits.push({
              urn: key.urn,
              message: `${label(key)}: its key policy does not let ${call.who} call ${refused.join(", ")}${describeContext(call)}, which ${label(use.resource)} needs to ${use.purpose}; add a key policy statement allowing exactly that (principal ${call.iamCaller ? "the account, with kms:ViaService and kms:CallerAccount conditions" : call.principal}).`,
            });
          }
        }
      }
      return hits;
    },
  };
}

/**
 * RDS (and Aurora) act for the caller with a grant: the key policy must allow kms:CreateGrant and
 * kms:DescribeKey through RDS; the rest goes through the grant ("AWS KMS key management", Amazon RDS
 * User Guide: authorizing use of a customer managed key).
 */
const GRANT_ONLY = ["kms:CreateGrant", "kms:DescribeKey"];

/** A role ARN as AWS forms it (with its path) when the role is the program's. */
function roleArnOf(g: ProgramGraph, value: unknown): string {
  const role = g.find(value, "aws:iam/role:Role");
  return role ? g.iamArn(role) : String(value);
}

const GRANT_BASED = [
  "kms:CreateGrant",
  "kms:DescribeKey",
  "kms:Decrypt",
  "kms:GenerateDataKeyWithoutPlaintext",
  "kms:ReEncryptFrom",
];

const docs = (path: string, title: string): Reference => ({
  title,
  url: `https://docs.aws.amazon.com/${path}`,
});

/** Resources of a type whose key sits at a path of their inputs. */
function simpleUses(
  graph: ProgramGraph,
  type: string,
  keyOf: (r: Res) => unknown,
  calls: (r: Res) => KmsCall[],
  purpose: string,
): KeyUse[] {
  return graph
    .ofType(type)
    .filter((r) => isString(keyOf(r)))
    .map((r) => ({ resource: r, keyRef: keyOf(r), calls: calls(r), purpose }));
}

/** The launch templates an Auto Scaling group launches, with the group. */
function groupsOf(graph: ProgramGraph, template: Res): Res[] {
  return graph.ofType("aws:autoscaling/group:Group").filter((g) => {
    const lt = block(g.inputs.launchTemplate);
    const mixed = block(
      block(block(g.inputs.mixedInstancesPolicy).launchTemplate).launchTemplateSpecification,
    );
    return (
      graph.find(lt.id ?? lt.name ?? mixed.launchTemplateId ?? mixed.launchTemplateName) ===
      template
    );
  });
}

/** Auto Scaling's service-linked role a group launches with (its own, or the account default). */
function scalingRole(graph: ProgramGraph, group: Res): string {
  const given = group.inputs.serviceLinkedRoleArn;
  if (isString(given)) return given;
  return `arn:${graph.partition}:iam::${graph.accountId}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`;
}

/** What a bucket's SSE-KMS encryption context is: the bucket with an S3 Bucket Key, else the object. */
function s3Context(
  graph: ProgramGraph,
  bucket: Res | undefined,
  bucketName: string,
  bucketKey: boolean,
): Record<string, string> {
  const arn = bucket ? String(bucket.outputs.arn) : `arn:${graph.partition}:s3:::${bucketName}`;
  return { "aws:s3:arn": bucketKey ? arn : `${arn}/object` };
}

export const KMS_RULE_SPECS: readonly KmsRuleSpec[] = [
  {
    id: "kms-cloudwatch-logs",
    kind: "fails-deploy",
    description:
      "A log group encrypted with a customer managed key: the key policy lets logs.<region>.amazonaws.com use it with the encryption context aws:logs:arn of the group (CreateLogGroup fails otherwise).",
    reference: docs(
      "AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html",
      "Amazon CloudWatch Logs User Guide: Encrypt log data in CloudWatch Logs using AWS KMS",
    ),
    uses: (g) =>
      simpleUses(
        g,
        "aws:cloudwatch/logGroup:LogGroup",
        (r) => r.inputs.kmsKeyId,
        (r) => [
          servicePrincipal(
            `logs.${g.regionOf(r)}.amazonaws.com`,
            ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"],
            {
              "kms:EncryptionContext:aws:logs:arn": `arn:${g.partition}:logs:${g.regionOf(r)}:${g.accountId}:log-group:${g.physicalName(r)}`,
            },
          ),
        ],
        "encrypt its log events",
      ),
  },
  {
    id: "kms-cloudtrail",
    kind: "fails-deploy",
    description:
      "A trail encrypted with a customer managed key: the key policy lets cloudtrail.amazonaws.com call GenerateDataKey* with the trail's aws:cloudtrail:arn encryption context and its aws:SourceArn (InsufficientEncryptionPolicyException otherwise).",
    reference: docs(
      "awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html",
      "AWS CloudTrail User Guide: Configure AWS KMS key policies for CloudTrail",
    ),
    uses: (g) =>
      simpleUses(
        g,
        "aws:cloudtrail/trail:Trail",
        (r) => r.inputs.kmsKeyId,
        (r) => {
          const trailArn = `arn:${g.partition}:cloudtrail:${g.regionOf(r)}:${g.accountId}:trail/${g.physicalName(r)}`;
          const source = { "aws:SourceArn": trailArn, "aws:SourceAccount": g.accountId };
          return [
            servicePrincipal("cloudtrail.amazonaws.com", ["kms:GenerateDataKey"], {
              ...source,
              "kms:EncryptionContext:aws:cloudtrail:arn": trailArn,
            }),
            servicePrincipal("cloudtrail.amazonaws.com", ["kms:DescribeKey"], source),
          ];
        },
        "encrypt its log files",
      ),
  },
  {
    id: "kms-ebs-autoscaling",
    kind: "fails-deploy",
    description:
      "Encrypted volumes launched by Auto Scaling: the group's service-linked role may use the key (key policy or a grant); Auto Scaling cannot launch the instances otherwise.",
    reference: docs(
      "autoscaling/ec2/userguide/key-policy-requirements-EBS-encryption.html",
      "Amazon EC2 Auto Scaling User Guide: Required AWS KMS key policy for use with encrypted volumes",
    ),
    uses: (g) =>
      g.ofType("aws:ec2/launchTemplate:LaunchTemplate").flatMap((lt) =>
        list(lt.inputs.blockDeviceMappings)
          .map((m) => block(block(m).ebs).kmsKeyId)
          .filter(isString)
          .flatMap((keyRef) =>
            groupsOf(g, lt).map((group) => {
              const role = scalingRole(g, group);
              return {
                resource: group,
                keyRef,
                purpose: `launch ${label(lt)}'s encrypted volumes`,
                calls: [
                  {
                    principal: role,
                    iamCaller: false,
                    who: `Auto Scaling's service-linked role ${role.split("/").pop()}`,
                    actions: [
                      "kms:Encrypt",
                      "kms:Decrypt",
                      "kms:ReEncryptFrom",
                      "kms:GenerateDataKeyWithoutPlaintext",
                      "kms:DescribeKey",
                      "kms:CreateGrant",
                    ],
                    context: { "kms:GrantIsForAWSResource": "true" },
                  },
                ],
              };
            }),
          ),
      ),
  },
  {
    id: "kms-ebs",
    kind: "fails-deploy",
    description:
      "EBS volumes (instances, volumes, launch templates, the region's default key) encrypted with a customer managed key: the key lets the account's principals use it through ec2.<region>.amazonaws.com, including CreateGrant for the volume.",
    reference: docs(
      "ebs/latest/userguide/ebs-encryption.html",
      "Amazon EBS User Guide: How EBS encryption works (AWS KMS permissions)",
    ),
    uses: (g) => {
      const ebs = (r: Res, ref: unknown) => ({
        resource: r,
        keyRef: ref,
        purpose: "create and attach encrypted volumes",
        calls: [viaService(g, "ec2", g.regionOf(r), GRANT_BASED)],
      });
      return [
        ...g
          .ofType("aws:ebs/volume:Volume")
          .filter((r) => isString(r.inputs.kmsKeyId))
          .map((r) => ebs(r, r.inputs.kmsKeyId)),
        ...g.ofType("aws:ebs/defaultKmsKey:DefaultKmsKey").map((r) => ebs(r, r.inputs.keyArn)),
        ...g
          .ofType("aws:ec2/instance:Instance")
          .flatMap((r) =>
            [
              block(r.inputs.rootBlockDevice).kmsKeyId,
              ...list(r.inputs.ebsBlockDevices).map((d) => block(d).kmsKeyId),
            ]
              .filter(isString)
              .map((ref) => ebs(r, ref)),
          ),
        ...g.ofType("aws:ec2/launchTemplate:LaunchTemplate").flatMap((r) =>
          list(r.inputs.blockDeviceMappings)
            .map((m) => block(block(m).ebs).kmsKeyId)
            .filter(isString)
            .map((ref) => ebs(r, ref)),
        ),
      ];
    },
  },
  {
    id: "kms-rds",
    kind: "fails-deploy",
    description:
      "An RDS instance's storage, Performance Insights and managed master password keys: RDS acts with a grant: the key policy allows kms:CreateGrant and kms:DescribeKey through rds.<region> (and the password key GenerateDataKey and Decrypt through secretsmanager.<region>).",
    reference: docs(
      "AmazonRDS/latest/UserGuide/Overview.Encryption.Keys.html",
      "Amazon RDS User Guide: AWS KMS key management",
    ),
    uses: (g) =>
      g.ofType("aws:rds/instance:Instance").flatMap((r) => {
        const region = g.regionOf(r);
        const out: KeyUse[] = [];
        const rds = (ref: unknown, purpose: string) =>
          isString(ref) &&
          out.push({
            resource: r,
            keyRef: ref,
            purpose,
            calls: [viaService(g, "rds", region, GRANT_ONLY)],
          });
        rds(r.inputs.kmsKeyId, "encrypt its storage");
        rds(r.inputs.performanceInsightsKmsKeyId, "encrypt Performance Insights");
        if (isString(r.inputs.masterUserSecretKmsKeyId)) {
          out.push({
            resource: r,
            keyRef: r.inputs.masterUserSecretKmsKeyId,
            purpose: "keep its master password in Secrets Manager",
            calls: [
              viaService(g, "secretsmanager", region, ["kms:GenerateDataKey", "kms:Decrypt"]),
            ],
          });
        }
        return out;
      }),
  },
  {
    id: "kms-backup-vault",
    kind: "fails-deploy",
    description:
      "An AWS Backup vault's key: usable through backup.<region>.amazonaws.com (CreateGrant, GenerateDataKey, Decrypt); the vault and its recovery points need it.",
    reference: docs(
      "aws-backup/latest/devguide/encryption.html",
      "AWS Backup Developer Guide: Encryption for backups in AWS Backup",
    ),
    uses: (g) =>
      simpleUses(
        g,
        "aws:backup/vault:Vault",
        (r) => r.inputs.kmsKeyArn,
        (r) => [
          viaService(g, "backup", g.regionOf(r), [
            "kms:CreateGrant",
            "kms:GenerateDataKey",
            "kms:Decrypt",
            "kms:DescribeKey",
          ]),
        ],
        "encrypt its recovery points",
      ),
  },
  {
    id: "kms-backup-copy-not-fully-managed",
    kind: "silently-broken",
    description:
      "Cross-region copies of resources AWS Backup does not fully manage (RDS, Aurora, EBS/EC2, ...): the resource's own service copies the snapshot and creates a grant on the destination vault's key through <service>.<destination region> (kms:CreateGrant, kms:DescribeKey).",
    reference: docs(
      "aws-backup/latest/devguide/backup-feature-availability.html",
      "AWS Backup Developer Guide: Feature availability by resource (full AWS Backup management)",
    ),
    uses: (g, all) => backupCopyUses(g, all),
  },
  {
    id: "kms-sns-publishers",
    kind: "silently-broken",
    description:
      "An SNS topic encrypted with a customer managed key: every AWS service that publishes to it (CloudWatch alarms, EventBridge rules, S3 notifications) may call GenerateDataKey* and Decrypt as its service principal, with the conditions that service sends (EventBridge sends no aws:SourceAccount or aws:SourceArn to KMS).",
    reference: docs(
      "sns/latest/dg/sns-key-management.html#compatibility-with-aws-services",
      "Amazon SNS Developer Guide: Enable compatibility between event sources from AWS services and encrypted topics",
    ),
    uses: (g) => snsPublisherUses(g),
  },
  {
    id: "kms-sqs",
    kind: "silently-broken",
    description:
      "An SQS queue encrypted with a customer managed key: senders (a Lambda dead-letter queue, SNS) can use the key (through sqs.<region> for IAM principals, or as the SNS service principal).",
    reference: docs(
      "AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html",
      "Amazon SQS Developer Guide: Key management (AWS KMS permissions)",
    ),
    uses: (g) =>
      simpleUses(
        g,
        "aws:sqs/queue:Queue",
        (r) => r.inputs.kmsMasterKeyId,
        (r) => [viaService(g, "sqs", g.regionOf(r), ["kms:GenerateDataKey", "kms:Decrypt"])],
        "accept and deliver messages",
      ),
  },
  {
    id: "kms-lambda-environment",
    kind: "silently-broken",
    description:
      "A Lambda function whose environment is encrypted with a customer managed key: the key lets the function's role decrypt through lambda.<region> with the aws:lambda:FunctionArn encryption context.",
    reference: docs(
      "lambda/latest/dg/configuration-envvars-encryption.html",
      "AWS Lambda Developer Guide: Securing Lambda environment variables",
    ),
    uses: (g) =>
      simpleUses(
        g,
        "aws:lambda/function:Function",
        (r) => r.inputs.kmsKeyArn,
        (r) => {
          const role = g.find(r.inputs.role, "aws:iam/role:Role");
          const principal = role ? g.iamArn(role) : callerRole(g);
          return [
            viaService(
              g,
              "lambda",
              g.regionOf(r),
              ["kms:Decrypt"],
              { "aws:lambda:FunctionArn": String(r.outputs.arn ?? "") },
              principal,
            ),
          ];
        },
        "decrypt its environment at start",
      ),
  },
  {
    id: "kms-config-delivery",
    kind: "silently-broken",
    description:
      "An AWS Config delivery channel with a KMS key: the recorder's role can generate data keys through s3.<region> for the delivery bucket (aws:s3:arn context), or, with the service-linked role, config.amazonaws.com can for this account's recorder; snapshots are not delivered otherwise.",
    reference: docs(
      "config/latest/developerguide/s3-kms-key-policy.html",
      "AWS Config Developer Guide: Permissions for the KMS key",
    ),
    uses: (g) =>
      g.ofType("aws:cfg/deliveryChannel:DeliveryChannel").flatMap((r) => {
        if (!isString(r.inputs.s3KmsKeyArn)) return [];
        const recorder = g.ofType("aws:cfg/recorder:Recorder")[0];
        const principal =
          recorder && isString(recorder.inputs.roleArn)
            ? roleArnOf(g, recorder.inputs.roleArn)
            : callerRole(g);
        const bucket = g.find(r.inputs.s3BucketName);
        const region = g.regionOf(r);
        // With its service-linked role (which cannot use KMS), Config calls KMS as its service
        // principal for the account's recorder; the page gives aws:SourceArn as a pattern of the
        // account's Config ARNs in the region, so the recorder's ARN stands for what it sends.
        const serviceLinked = principal.includes("/aws-service-role/config.amazonaws.com/");
        const call = serviceLinked
          ? servicePrincipal("config.amazonaws.com", ["kms:GenerateDataKey", "kms:Decrypt"], {
              "aws:SourceAccount": g.accountId,
              "aws:SourceArn": `arn:${g.partition}:config:${region}:${g.accountId}:config-recorder/${recorder ? g.physicalName(recorder) : "default"}`,
            })
          : viaService(
              g,
              "s3",
              region,
              ["kms:GenerateDataKey", "kms:Decrypt"],
              s3Context(g, bucket, String(r.inputs.s3BucketName), bucketKeyOf(g, bucket)),
              principal,
            );
        return [
          {
            resource: r,
            keyRef: r.inputs.s3KmsKeyArn,
            purpose: "deliver configuration snapshots",
            calls: [call],
          },
        ];
      }),
  },
  {
    id: "kms-s3-default-encryption",
    kind: "silently-broken",
    description:
      "A bucket whose default encryption uses a customer managed key: the account's principals can decrypt its objects through s3.<region> with the bucket's aws:s3:arn encryption context (the objects are unreadable to everyone otherwise).",
    reference: docs(
      "AmazonS3/latest/userguide/UsingKMSEncryption.html",
      "Amazon S3 User Guide: Using server-side encryption with AWS KMS keys (SSE-KMS)",
    ),
    uses: (g) =>
      g
        .ofType(
          "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        )
        .flatMap((r) =>
          list(r.inputs.rules).flatMap((rule) => {
            const keyRef = block(block(rule).applyServerSideEncryptionByDefault).kmsMasterKeyId;
            if (!isString(keyRef)) return [];
            const bucket = g.find(r.inputs.bucket);
            const ctx = s3Context(
              g,
              bucket,
              String(r.inputs.bucket),
              block(rule).bucketKeyEnabled === true,
            );
            return [
              {
                resource: bucket ?? r,
                keyRef,
                purpose:
                  "let anyone read its objects (writers are judged by the rules of the services that write)",
                calls: [viaService(g, "s3", g.regionOf(r), ["kms:Decrypt"], ctx)],
              },
            ];
          }),
        ),
  },
  {
    id: "kms-s3-replication",
    kind: "silently-broken",
    description:
      "S3 replication of SSE-KMS objects: the replication role can decrypt with the source key through s3.<source region> and encrypt with the replica key through s3.<destination region>.",
    reference: docs(
      "AmazonS3/latest/userguide/replication-config-for-kms-objects.html",
      "Amazon S3 User Guide: Replicating objects created with server-side encryption (SSE-KMS)",
    ),
    uses: (g, all) => replicationUses(g, all),
  },
  {
    id: "kms-dynamodb",
    kind: "fails-deploy",
    description:
      "A DynamoDB table encrypted with a customer managed key: usable through dynamodb.<region>, CreateGrant included.",
    reference: docs(
      "amazondynamodb/latest/developerguide/encryption.usagenotes.html",
      "Amazon DynamoDB Developer Guide: How DynamoDB uses AWS KMS",
    ),
    uses: (g) =>
      simpleUses(
        g,
        "aws:dynamodb/table:Table",
        (r) => block(r.inputs.serverSideEncryption).kmsKeyArn,
        (r) => [
          viaService(
            g,
            "dynamodb",
            g.regionOf(r),
            [
              "kms:CreateGrant",
              "kms:DescribeKey",
              "kms:Decrypt",
              "kms:Encrypt",
              "kms:GenerateDataKey",
            ],
            {
              "aws:dynamodb:tableName": g.physicalName(r),
              "aws:dynamodb:subscriberId": g.accountId,
            },
          ),
        ],
        "encrypt the table",
      ),
  },
  {
    id: "kms-elasticache",
    kind: "fails-deploy",
    description:
      "An ElastiCache replication group encrypted with a customer managed key: usable through elasticache.<region>, CreateGrant included.",
    reference: docs(
      "AmazonElastiCache/latest/dg/at-rest-encryption.html",
      "Amazon ElastiCache User Guide: At-rest encryption (customer managed keys)",
    ),
    uses: (g) =>
      simpleUses(
        g,
        "aws:elasticache/replicationGroup:ReplicationGroup",
        (r) => r.inputs.kmsKeyId,
        (r) => [viaService(g, "elasticache", g.regionOf(r), GRANT_BASED)],
        "encrypt the cache at rest",
      ),
  },
  {
    id: "kms-efs",
    kind: "fails-deploy",
    description:
      "An EFS file system encrypted with a customer managed key: usable through elasticfilesystem.<region>, CreateGrant included.",
    reference: docs(
      "efs/latest/ug/encryption-at-rest.html",
      "Amazon EFS User Guide: Encrypting data at rest (key policies)",
    ),
    uses: (g) =>
      simpleUses(
        g,
        "aws:efs/fileSystem:FileSystem",
        (r) => r.inputs.kmsKeyId,
        (r) => [viaService(g, "elasticfilesystem", g.regionOf(r), GRANT_BASED)],
        "encrypt the file system",
      ),
  },
  {
    id: "kms-secretsmanager",
    kind: "fails-deploy",
    description:
      "A Secrets Manager secret encrypted with a customer managed key: usable through secretsmanager.<region> (GenerateDataKey, Decrypt).",
    reference: docs(
      "secretsmanager/latest/userguide/security-encryption.html",
      "AWS Secrets Manager User Guide: Secret encryption and decryption",
    ),
    uses: (g) =>
      simpleUses(
        g,
        "aws:secretsmanager/secret:Secret",
        (r) => r.inputs.kmsKeyId,
        (r) => [
          viaService(g, "secretsmanager", g.regionOf(r), ["kms:GenerateDataKey", "kms:Decrypt"], {
            SecretARN: String(r.outputs.arn ?? ""),
          }),
        ],
        "encrypt the secret",
      ),
  },
];

function bucketKeyOf(g: ProgramGraph, bucket: Res | undefined): boolean {
  if (!bucket) return false;
  return g
    .referencing(
      bucket,
      "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
      "bucket",
    )
    .some((r) => list(r.inputs.rules).some((rule) => block(rule).bucketKeyEnabled === true));
}

/** Services whose recovery points AWS Backup copies itself; the others' services copy (and use the key). */
const NOT_FULLY_MANAGED: Readonly<Record<string, string>> = {
  "aws:rds/instance:Instance": "rds",
  "aws:rds/cluster:Cluster": "rds",
  "aws:ebs/volume:Volume": "ec2",
  "aws:ec2/instance:Instance": "ec2",
};

/** The resources a backup selection picks among the program's: by ARN, or by tag. */
export function selectedResources(g: ProgramGraph, selection: Res): Res[] {
  const arns = list(selection.inputs.resources).filter(isString);
  const tags = list(selection.inputs.selectionTags).map(block);
  return g.resources.filter((r) => {
    if (!r.custom) return false;
    const arn = r.outputs.arn;
    if (isString(arn) && arns.some((a) => a === "*" || a === arn)) return true;
    const own = g.tags(r);
    return tags.some((t) => t.type === "STRINGEQUALS" && own[String(t.key)] === String(t.value));
  });
}

function backupCopyUses(g: ProgramGraph, all: readonly ProgramGraph[]): KeyUse[] {
  const out: KeyUse[] = [];
  for (const selection of g.ofType("aws:backup/selection:Selection")) {
    const plan = g.find(selection.inputs.planId, "aws:backup/plan:Plan");
    if (!plan) continue;
    const destinations = list(plan.inputs.rules)
      .flatMap((rule) => list(block(rule).copyActions))
      .map((c) => block(c).destinationVaultArn)
      .filter(isString);
    for (const resource of selectedResources(g, selection)) {
      const service = NOT_FULLY_MANAGED[resource.type];
      if (!service) continue;
      for (const vaultArn of destinations) {
        const vault = findAcross(all, vaultArn, "aws:backup/vault:Vault");
        if (!vault) continue;
        const region = vault.graph.regionOf(vault.resource);
        out.push({
          resource: plan,
          keyRef: vault.resource.inputs.kmsKeyArn,
          purpose: `copy ${label(resource)}'s recovery points to ${label(vault.resource)} in ${region}`,
          calls: [viaService(g, service, region, GRANT_ONLY)],
        });
      }
    }
  }
  return out;
}

function snsPublisherUses(g: ProgramGraph): KeyUse[] {
  const out: KeyUse[] = [];
  const topicKey = (topicArn: unknown) => {
    const topic = g.find(topicArn, "aws:sns/topic:Topic");
    return topic && isString(topic.inputs.kmsMasterKeyId) ? topic : undefined;
  };
  const actions = ["kms:GenerateDataKey", "kms:Decrypt"];
  for (const alarm of g.ofType("aws:cloudwatch/metricAlarm:MetricAlarm")) {
    const alarmArn = `arn:${g.partition}:cloudwatch:${g.regionOf(alarm)}:${g.accountId}:alarm:${g.physicalName(alarm, "name")}`;
    for (const t of [
      ...list(alarm.inputs.alarmActions),
      ...list(alarm.inputs.okActions),
      ...list(alarm.inputs.insufficientDataActions),
    ]) {
      const topic = topicKey(t);
      if (!topic) continue;
      out.push({
        resource: alarm,
        keyRef: topic.inputs.kmsMasterKeyId,
        purpose: `publish to ${label(topic)}`,
        calls: [
          servicePrincipal("cloudwatch.amazonaws.com", actions, {
            "aws:SourceAccount": g.accountId,
            "aws:SourceArn": alarmArn,
          }),
        ],
      });
    }
  }
  for (const target of g.ofType("aws:cloudwatch/eventTarget:EventTarget")) {
    const topic = topicKey(target.inputs.arn);
    if (!topic) continue;
    // EventBridge sends no aws:SourceAccount or aws:SourceArn with its KMS requests.
    out.push({
      resource: target,
      keyRef: topic.inputs.kmsMasterKeyId,
      purpose: `deliver events to ${label(topic)}`,
      calls: [
        {
          ...servicePrincipal("events.amazonaws.com", actions),
          note: "EventBridge sends no aws:SourceAccount or aws:SourceArn to KMS",
        },
      ],
    });
  }
  for (const n of g.ofType("aws:s3/bucketNotification:BucketNotification")) {
    const bucket = g.find(n.inputs.bucket);
    for (const t of list(n.inputs.topics)) {
      const topic = topicKey(block(t).topicArn);
      if (!topic) continue;
      out.push({
        resource: n,
        keyRef: topic.inputs.kmsMasterKeyId,
        purpose: `notify ${label(topic)}`,
        calls: [
          servicePrincipal("s3.amazonaws.com", actions, {
            "aws:SourceAccount": g.accountId,
            "aws:SourceArn": bucket
              ? String(bucket.outputs.arn)
              : `arn:${g.partition}:s3:::${String(n.inputs.bucket)}`,
          }),
        ],
      });
    }
  }
  return out;
}

function replicationUses(g: ProgramGraph, all: readonly ProgramGraph[]): KeyUse[] {
  const out: KeyUse[] = [];
  for (const config of g.ofType("aws:s3/bucketReplicationConfig:BucketReplicationConfig")) {
    const role = g.find(config.inputs.role, "aws:iam/role:Role");
    const principal = role ? g.iamArn(role) : String(config.inputs.role);
    const source = g.find(config.inputs.bucket);
    const sourceKeys = source
      ? g
          .referencing(
            source,
            "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
            "bucket",
          )
          .flatMap((s) =>
            list(s.inputs.rules).map(
              (rule) => block(block(rule).applyServerSideEncryptionByDefault).kmsMasterKeyId,
            ),
          )
          .filter(isString)
      : [];
    for (const ref of sourceKeys) {
      out.push({
        resource: config,
        keyRef: ref,
        purpose: "read the source objects it replicates",
        calls: [
          viaService(
            g,
            "s3",
            g.regionOf(config),
            ["kms:Decrypt"],
            s3Context(g, source, String(config.inputs.bucket), bucketKeyOf(g, source)),
            principal,
          ),
        ],
      });
    }
    for (const rule of list(config.inputs.rules).map(block)) {
      const destination = block(rule.destination);
      const replicaKey = block(destination.encryptionConfiguration).replicaKmsKeyId;
      if (!isString(replicaKey)) continue;
      const target = findAcross(all, destination.bucket);
      const region = target ? target.graph.regionOf(target.resource) : g.regionOf(config);
      out.push({
        resource: config,
        keyRef: replicaKey,
        purpose: "write the replicas",
        calls: [
          viaService(
            g,
            "s3",
            region,
            ["kms:Encrypt", "kms:GenerateDataKey"],
            { "aws:s3:arn": `${String(destination.bucket)}/object` },
            principal,
          ),
        ],
      });
    }
  }
  return out;
}

/**
 * A key whose policy refuses its use outside the services (kms:Decrypt without kms:ViaService)
 * yet lets the same principals call CreateGrant without kms:GrantIsForAWSResource: any of them can
 * grant itself Decrypt, so the restriction the key policy states does not hold.
 */
export const grantBypass: AccountRule = {
  id: "kms-grant-bypasses-service-restriction",
  family: "kms",
  kind: "silently-broken",
  scope: "account",
  description:
    "A key that refuses direct kms:Decrypt to the account's principals must not let them call kms:CreateGrant outside AWS resources (kms:GrantIsForAWSResource): a grant gives them Decrypt directly.",
  reference: docs(
    "kms/latest/developerguide/grants.html",
    "AWS KMS Developer Guide: Grants in AWS KMS (grant permissions, kms:GrantIsForAWSResource)",
  ),
  async check(graphs) {
    const hits: RuleHit[] = [];
    for (const g of graphs) {
      for (const key of g.ofType("aws:kms/key:Key")) {
        const arn = String(key.outputs.arn);
        const policy = keyPolicyOf(key);
        const caller = callerRole(g);
        const ask = (action: string, context: Context = {}) =>
          simulate({
            principal: caller,
            action,
            resource: arn,
            identityPolicies: [ALLOW_ALL_KMS],
            resourcePolicy: policy,
            context: { "kms:CallerAccount": g.accountId, ...context },
          });
        const decrypt = await ask("kms:Decrypt");
        if (decrypt.decision === "Allowed") continue;
        const grant = await ask("kms:CreateGrant", {
          "kms:GrantIsForAWSResource": "false",
          "kms:GrantOperations": ["Decrypt"],
          "kms:GranteePrincipal": caller,
        });
        if (grant.decision !== "Allowed") continue;
        hits.push({
          urn: key.urn,
          message: `${label(key)}: the key policy refuses kms:Decrypt to the account's principals but lets them call kms:CreateGrant for themselves (no kms:GrantIsForAWSResource or kms:ViaService condition), so any of them can grant itself Decrypt; list administrative actions without kms:CreateGrant and allow CreateGrant only with "Bool": {"kms:GrantIsForAWSResource": "true"} or to named principals.`,
        });
      }
    }
    return hits;
  },
};

export const kmsRules: readonly AccountRule[] = [...KMS_RULE_SPECS.map(kmsRule), grantBypass];
