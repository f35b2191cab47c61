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
import { BUCKET_TYPES, SSE, replications, sseRules } from "./buckets";
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
  /** The region the service calls KMS in. @default the region in kms:ViaService, else the resource's */
  readonly region?: string;
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
    who: `${principal === callerRole(g) ? "the account's principals" : principal.split("/").pop()} through ${service}.${region}.amazonaws.com`,
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

const KEY = "aws:kms/key:Key";
const KEY_POLICY = "aws:kms/keyPolicy:KeyPolicy";

/** The `aws.kms.KeyPolicy` resources of the programs that set a key's policy after it is created. */
export function keyPolicyResources(graphs: readonly ProgramGraph[], key: Res): Res[] {
  return graphs.flatMap((g) =>
    g.ofType(KEY_POLICY).filter((p) => findAcross(graphs, p.inputs.keyId, KEY)?.resource === key),
  );
}

/** The policy a key is created with: its `policy` input, else AWS's default (the account's IAM decides). */
export function creationPolicyOf(key: Res): PolicyDoc {
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

/**
 * The key's policy once the programs are deployed: the policy an `aws.kms.KeyPolicy` of the
 * programs puts on it (PutKeyPolicy replaces the whole policy), else the one it is created with.
 */
export function keyPolicyOf(key: Res, graphs: readonly ProgramGraph[] = []): PolicyDoc {
  const separate = keyPolicyResources(graphs, key)
    .map((p) => p.inputs.policy)
    .filter(isString);
  return separate.length
    ? (JSON.parse(separate[separate.length - 1]) as PolicyDoc)
    : creationPolicyOf(key);
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
  policy: PolicyDoc = keyPolicyOf(key, graphs),
): Promise<string[]> {
  const keyArn = String(key.outputs.arn);
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

/** Every use of a program key by a spec's resources, across the programs of an account. */
function* keyUses(
  spec: KmsRuleSpec,
  graphs: readonly ProgramGraph[],
): Generator<{ graph: ProgramGraph; use: KeyUse; key: Res }> {
  for (const graph of graphs) {
    for (const use of spec.uses(graph, graphs)) {
      const found = findAcross(graphs, use.keyRef, KEY);
      // A key of another region is region-cross-region-reference's finding, not this one's.
      if (found && found.graph.regionOf(found.resource) === keyRegion(graph, use)) {
        yield { graph, use, key: found.resource };
      }
    }
  }
}

/** The region a use calls KMS in: the service's region named in the call (kms:ViaService), else the resource's. */
function keyRegion(graph: ProgramGraph, use: KeyUse): string {
  if (use.region) return use.region;
  const via = use.calls
    .map(
      (c) => /\.([a-z0-9-]+)\.amazonaws\.com$/.exec(String(c.context["kms:ViaService"] ?? ""))?.[1],
    )
    .find(Boolean);
  return via ?? graph.regionOf(use.resource);
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
      for (const { use, key } of keyUses(spec, graphs)) {
        for (const call of use.calls) {
          const refused = await refusedActions(graphs, key, call);
          if (refused.length === 0) continue;
          hits.push({
            urn: key.urn,
            message: `${label(key)}: its key policy does not let ${call.who} call ${refused.join(", ")}${describeContext(call)}, which ${label(use.resource)} needs to ${use.purpose}; add a key policy statement allowing exactly that (principal ${call.iamCaller ? "the account, with kms:ViaService and kms:CallerAccount conditions" : call.principal}).`,
          });
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
      "An RDS instance's or Aurora cluster's storage, Performance Insights and managed master password keys: RDS acts with a grant: the key policy allows kms:CreateGrant and kms:DescribeKey through rds.<region> (and the password key GenerateDataKey and Decrypt through secretsmanager.<region>).",
    reference: docs(
      "AmazonRDS/latest/UserGuide/Overview.Encryption.Keys.html",
      "Amazon RDS User Guide: AWS KMS key management",
    ),
    uses: (g) =>
      g.ofType("aws:rds/instance:Instance", "aws:rds/cluster:Cluster").flatMap((r) => {
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
      "An SQS queue encrypted with a customer managed key: senders can use the key: IAM principals through sqs.<region>, and the AWS services that send to it (SNS subscriptions, S3 notifications, EventBridge targets) as their service principals.",
    reference: docs(
      "AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html",
      "Amazon SQS Developer Guide: Key management (AWS KMS permissions)",
    ),
    uses: (g, all) => [
      ...simpleUses(
        g,
        "aws:sqs/queue:Queue",
        (r) => r.inputs.kmsMasterKeyId,
        (r) => [viaService(g, "sqs", g.regionOf(r), ["kms:GenerateDataKey", "kms:Decrypt"])],
        "accept and deliver messages",
      ),
      ...sqsPublisherUses(g, all),
    ],
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
    uses: (g) => {
      const purpose =
        "let anyone read its objects (writers are judged by the rules of the services that write)";
      const owned = g.ofType(...BUCKET_TYPES).flatMap((bucket) =>
        sseRules(g, bucket).flatMap((rule) =>
          rule.keyRef
            ? [
                {
                  resource: bucket,
                  keyRef: rule.keyRef,
                  purpose,
                  calls: [
                    viaService(
                      g,
                      "s3",
                      g.regionOf(rule.from),
                      ["kms:Decrypt"],
                      s3Context(g, bucket, String(bucket.outputs.bucket), rule.bucketKey),
                    ),
                  ],
                },
              ]
            : [],
        ),
      );
      // Encryption configurations of buckets the program does not own.
      const external = g
        .ofType(SSE)
        .filter((r) => !g.find(r.inputs.bucket))
        .flatMap((r) =>
          list(r.inputs.rules).flatMap((rule) => {
            const keyRef = block(block(rule).applyServerSideEncryptionByDefault).kmsMasterKeyId;
            if (!isString(keyRef)) return [];
            const ctx = s3Context(
              g,
              undefined,
              String(r.inputs.bucket),
              block(rule).bucketKeyEnabled === true,
            );
            return [
              {
                resource: r,
                keyRef,
                purpose,
                calls: [viaService(g, "s3", g.regionOf(r), ["kms:Decrypt"], ctx)],
              },
            ];
          }),
        );
      return [...owned, ...external];
    },
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
  return !!bucket && sseRules(g, bucket).some((r) => r.bucketKey);
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
  if (!arns.includes("*")) {
    // The resources a tag picks come from the graph's index of tags, not from a scan of every
    // resource per selection (an enclave adds a selection and a few dozen resources).
    const picked = new Set<Res>();
    for (const t of tags) {
      if (t.type !== "STRINGEQUALS") continue;
      for (const r of g.taggedWith(String(t.key), String(t.value))) picked.add(r);
    }
    const named = new Set(arns);
    return g.resources.filter((r) => {
      if (picked.has(r)) return true;
      const arn = r.outputs.arn;
      return r.custom && isString(arn) && named.has(arn);
    });
  }
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

/**
 * AWS services that send to an encrypted queue call KMS as their service principal (GenerateDataKey
 * and Decrypt): SNS for its subscriptions, S3 for its notifications, EventBridge for its targets
 * (Amazon SQS Developer Guide: Configure KMS permissions for AWS services). The guide names no
 * condition keys these calls carry; each is given the source account and ARN, so that only a key
 * policy that leaves the service out is reported, never one that conditions on its source.
 */
function sqsPublisherUses(g: ProgramGraph, all: readonly ProgramGraph[]): KeyUse[] {
  const out: KeyUse[] = [];
  const actions = ["kms:GenerateDataKey", "kms:Decrypt"];
  /** The queue a value names, when it is encrypted with a KMS key, and the use of that key. */
  const use = (
    resource: Res,
    queueArn: unknown,
    call: KmsCall,
    purpose: (queue: Res) => string,
  ): void => {
    const found = findAcross(all, queueArn, "aws:sqs/queue:Queue");
    if (!found || !isString(found.resource.inputs.kmsMasterKeyId)) return;
    out.push({
      resource,
      keyRef: found.resource.inputs.kmsMasterKeyId,
      purpose: purpose(found.resource),
      calls: [call],
      // SNS delivers to queues of other regions: the queue's region is where KMS is called.
      region: found.graph.regionOf(found.resource),
    });
  };
  for (const sub of g.ofType("aws:sns/topicSubscription:TopicSubscription")) {
    if (sub.inputs.protocol !== "sqs") continue;
    use(
      sub,
      sub.inputs.endpoint,
      servicePrincipal("sns.amazonaws.com", actions, {
        "aws:SourceAccount": g.accountId,
        "aws:SourceArn": String(sub.inputs.topic ?? ""),
      }),
      (queue) => `deliver the topic's messages to ${label(queue)}`,
    );
  }
  for (const n of g.ofType("aws:s3/bucketNotification:BucketNotification")) {
    const bucket = g.find(n.inputs.bucket);
    for (const q of list(n.inputs.queues)) {
      use(
        n,
        block(q).queueArn,
        servicePrincipal("s3.amazonaws.com", actions, {
          "aws:SourceAccount": g.accountId,
          "aws:SourceArn": bucket
            ? String(bucket.outputs.arn)
            : `arn:${g.partition}:s3:::${String(n.inputs.bucket)}`,
        }),
        (queue) => `notify ${label(queue)}`,
      );
    }
  }
  for (const target of g.ofType("aws:cloudwatch/eventTarget:EventTarget")) {
    // Whether EventBridge sends aws:SourceAccount and aws:SourceArn with its KMS calls for a queue
    // is not documented (the SNS guide says conditions on them are not supported for topics). Both
    // are sent here, so a key is reported only when it names EventBridge in no way at all.
    use(
      target,
      target.inputs.arn,
      servicePrincipal("events.amazonaws.com", actions, {
        "aws:SourceAccount": g.accountId,
        "aws:SourceArn": `arn:${g.partition}:events:${g.regionOf(target)}:${g.accountId}:rule/${String(target.inputs.rule ?? "")}`,
      }),
      (queue) => `deliver events to ${label(queue)}`,
    );
  }
  return out;
}

/** An AWS managed key (`alias/aws/<service>`, by name or ARN): its key policy cannot be changed. */
export function awsManagedKey(ref: unknown): string | undefined {
  return isString(ref) ? /(?:^|:)(alias\/aws\/[a-z0-9-]+)$/.exec(ref)?.[1] : undefined;
}

/**
 * A topic or queue encrypted with the AWS managed key of its service receives nothing from AWS
 * services: that key's policy lets only the account's principals use it through the service, and
 * cannot be changed to let the services' principals in.
 */
export const awsManagedKeyEventSources: AccountRule = {
  id: "kms-aws-managed-key-event-sources",
  family: "kms",
  kind: "silently-broken",
  scope: "account",
  description:
    "An SNS topic or SQS queue that AWS services publish to (alarms, EventBridge, S3 notifications, SNS subscriptions) is encrypted with a customer managed key: the AWS managed key (alias/aws/sns, alias/aws/sqs) cannot let their service principals use it, so every delivery fails.",
  reference: docs(
    "AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html",
    "Amazon SQS Developer Guide: Configure KMS permissions for AWS services (you cannot modify the key policy of an AWS managed key)",
  ),
  check(graphs) {
    const hits: RuleHit[] = [];
    for (const g of graphs) {
      for (const use of [...snsPublisherUses(g), ...sqsPublisherUses(g, graphs)]) {
        const managed = awsManagedKey(use.keyRef);
        if (!managed) continue;
        const who = use.calls.map((c) => c.principal).join(", ");
        hits.push({
          urn: use.resource.urn,
          message: `${label(use.resource)}: would ${use.purpose}, which is encrypted with the AWS managed key ${managed}; its key policy cannot let ${who} use it, so every delivery fails. Encrypt the destination with a customer managed key whose policy allows ${who} kms:GenerateDataKey and kms:Decrypt.`,
        });
      }
    }
    return hits;
  },
};

function replicationUses(g: ProgramGraph, all: readonly ProgramGraph[]): KeyUse[] {
  const out: KeyUse[] = [];
  for (const config of replications(g)) {
    const role = g.find(config.role, "aws:iam/role:Role");
    const principal = role ? g.iamArn(role) : String(config.role);
    const source = config.source;
    const sourceName = String(source?.outputs.bucket ?? config.sourceRef);
    for (const rule of source ? sseRules(g, source) : []) {
      if (!rule.keyRef) continue;
      out.push({
        resource: config.resource,
        keyRef: rule.keyRef,
        purpose: "read the source objects it replicates",
        calls: [
          viaService(
            g,
            "s3",
            g.regionOf(config.resource),
            ["kms:Decrypt"],
            s3Context(g, source, sourceName, bucketKeyOf(g, source)),
            principal,
          ),
        ],
      });
    }
    for (const rule of config.rules) {
      if (!rule.replicaKmsKeyId) continue;
      const target = findAcross(all, rule.destinationBucket);
      const region = target ? target.graph.regionOf(target.resource) : g.regionOf(config.resource);
      out.push({
        resource: config.resource,
        keyRef: rule.replicaKmsKeyId,
        purpose: "write the replicas",
        calls: [
          viaService(
            g,
            "s3",
            region,
            ["kms:Encrypt", "kms:GenerateDataKey"],
            { "aws:s3:arn": `${String(rule.destinationBucket)}/object` },
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
        const policy = keyPolicyOf(key, graphs);
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

/**
 * A key whose policy an `aws.kms.KeyPolicy` sets is first created with AWS's default policy (or its
 * own `policy`); a resource whose service needs a statement only the KeyPolicy adds must wait for
 * it, or AWS refuses the key when the resource is created (the two race otherwise: both wait only
 * for the key).
 */
export const keyUseAfterKeyPolicy: AccountRule = {
  id: "order-key-use-after-key-policy",
  family: "ordering",
  kind: "fails-deploy",
  scope: "account",
  description:
    "A resource whose service may use a key only under the policy an aws.kms.KeyPolicy puts on it waits for that KeyPolicy: until then the key has the policy it was created with (AWS's default policy lets only the account's IAM principals use it).",
  reference: docs(
    "kms/latest/developerguide/key-policy-default.html",
    "AWS KMS Developer Guide: Default key policy",
  ),
  async check(graphs) {
    const hits: RuleHit[] = [];
    for (const spec of KMS_RULE_SPECS.filter((s) => s.kind === "fails-deploy")) {
      for (const { graph, use, key } of keyUses(spec, graphs)) {
        const pending = keyPolicyResources(graphs, key).filter(
          (p) => graph.get(p.urn) && !graph.dependsOn(use.resource, p),
        );
        if (pending.length === 0) continue;
        for (const call of use.calls) {
          if ((await refusedActions(graphs, key, call)).length) continue;
          const early = await refusedActions(graphs, key, call, creationPolicyOf(key));
          if (early.length === 0) continue;
          hits.push({
            urn: use.resource.urn,
            message: `${label(use.resource)}: does not wait for ${label(pending[0])}, which lets ${call.who} call ${early.join(", ")} on ${label(key)}; until it is applied the key has the policy it was created with, which refuses those calls, so creating ${use.resource.name} can fail. Add ${pending[0].name} to its dependsOn.`,
          });
          break;
        }
      }
    }
    return hits;
  },
};

export const kmsRules: readonly AccountRule[] = [
  ...KMS_RULE_SPECS.map(kmsRule),
  grantBypass,
  awsManagedKeyEventSources,
  keyUseAfterKeyPolicy,
];
