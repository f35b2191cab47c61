/**
 * Names and formats AWS validates when a resource is created, from each service's API reference.
 * The name checked is the one AWS receives: the program's, or Pulumi's autoname (the logical name,
 * a hyphen and seven random characters), which counts against the same limits.
 */
import { ProgramGraph, Res, isString, label, list } from "../graph";
import type { Reference, RuleHit, StackRule } from "../types";

interface NameSpec {
  readonly type: string | readonly string[];
  /** The input that holds the name. @default "name" */
  readonly key?: string;
  readonly min: number;
  readonly max: number;
  readonly pattern?: RegExp;
  /** The allowed characters, in words, for the message. */
  readonly allowed?: string;
  /** Extra refusals: returns the reason, or undefined. */
  readonly refuse?: (name: string) => string | undefined;
  /** Refusals that depend on the resource's other inputs (a FIFO queue's suffix). */
  readonly refuseFor?: (name: string, r: Res) => string | undefined;
  /** The name AWS receives when Pulumi autonames the resource, if it differs from the graph's. */
  readonly autoname?: (name: string, r: Res) => string;
  readonly reference: Reference;
}

const api = (service: string, path: string, title: string): Reference => ({
  title,
  url: `https://docs.aws.amazon.com/${service}/${path}`,
});

const ELB_NAME = /^[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?$/;
const IAM_NAME = /^[\w+=,.@-]+$/;
const SSM_NAME = /^[a-zA-Z0-9_.-]+$/;
/** RDS and ElastiCache identifiers: a letter first, no double hyphen, no hyphen last. */
const DB_IDENTIFIER = /^[a-zA-Z](?:-?[a-zA-Z0-9])*$/;

/** S3's bucket naming rules (general purpose buckets). */
function bucketRefusal(name: string): string | undefined {
  if (!/^[a-z0-9.-]*$/.test(name))
    return "a character other than lowercase letters, digits, dots and hyphens";
  if (!/^[a-z0-9].*[a-z0-9]$/.test(name))
    return "a first or last character that is not a letter or digit";
  if (name.includes("..")) return "two adjacent periods";
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) return "the form of an IP address";
  const prefix = ["xn--", "sthree-", "amzn-s3-demo-"].find((p) => name.startsWith(p));
  if (prefix) return `the reserved prefix ${prefix}`;
  const suffix = ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"].find((s) =>
    name.endsWith(s),
  );
  if (suffix) return `the reserved suffix ${suffix}`;
  return undefined;
}

export const NAME_SPECS: readonly (NameSpec & { readonly id: string; readonly what: string })[] = [
  {
    id: "name-lb",
    what: "Elastic Load Balancing load balancer names",
    type: "aws:lb/loadBalancer:LoadBalancer",
    min: 1,
    max: 32,
    pattern: ELB_NAME,
    allowed: "letters, digits and hyphens, not beginning or ending with a hyphen",
    refuse: (n) => (n.startsWith("internal-") ? "the reserved prefix internal-" : undefined),
    reference: api(
      "elasticloadbalancing",
      "latest/APIReference/API_CreateLoadBalancer.html",
      "Elastic Load Balancing API Reference: CreateLoadBalancer (Name)",
    ),
  },
  {
    id: "name-lb-target-group",
    what: "target group names",
    type: "aws:lb/targetGroup:TargetGroup",
    min: 1,
    max: 32,
    pattern: ELB_NAME,
    allowed: "letters, digits and hyphens, not beginning or ending with a hyphen",
    reference: api(
      "elasticloadbalancing",
      "latest/APIReference/API_CreateTargetGroup.html",
      "Elastic Load Balancing API Reference: CreateTargetGroup (Name)",
    ),
  },
  {
    id: "name-iam-role",
    what: "IAM role names",
    type: "aws:iam/role:Role",
    min: 1,
    max: 64,
    pattern: IAM_NAME,
    allowed: "letters, digits and +=,.@_-",
    reference: api(
      "IAM",
      "latest/APIReference/API_CreateRole.html",
      "IAM API Reference: CreateRole (RoleName)",
    ),
  },
  {
    id: "name-iam-user",
    what: "IAM user names",
    type: "aws:iam/user:User",
    min: 1,
    max: 64,
    pattern: IAM_NAME,
    allowed: "letters, digits and +=,.@_-",
    reference: api(
      "IAM",
      "latest/APIReference/API_CreateUser.html",
      "IAM API Reference: CreateUser (UserName)",
    ),
  },
  {
    id: "name-iam-policy",
    what: "IAM managed and inline policy names",
    type: [
      "aws:iam/policy:Policy",
      "aws:iam/rolePolicy:RolePolicy",
      "aws:iam/userPolicy:UserPolicy",
    ],
    min: 1,
    max: 128,
    pattern: IAM_NAME,
    allowed: "letters, digits and +=,.@_-",
    reference: api(
      "IAM",
      "latest/APIReference/API_CreatePolicy.html",
      "IAM API Reference: CreatePolicy and PutRolePolicy (PolicyName)",
    ),
  },
  {
    id: "name-iam-instance-profile",
    what: "instance profile names",
    type: "aws:iam/instanceProfile:InstanceProfile",
    min: 1,
    max: 128,
    pattern: IAM_NAME,
    allowed: "letters, digits and +=,.@_-",
    reference: api(
      "IAM",
      "latest/APIReference/API_CreateInstanceProfile.html",
      "IAM API Reference: CreateInstanceProfile (InstanceProfileName)",
    ),
  },
  {
    id: "name-backup-selection",
    what: "AWS Backup selection names",
    type: "aws:backup/selection:Selection",
    min: 1,
    max: 50,
    pattern: /^[a-zA-Z0-9\-_.]+$/,
    allowed: "letters, digits, hyphens, underscores and periods",
    reference: api(
      "aws-backup",
      "latest/devguide/API_BackupSelection.html",
      "AWS Backup API Reference: BackupSelection (SelectionName)",
    ),
  },
  {
    id: "name-backup-plan",
    what: "AWS Backup plan names",
    type: "aws:backup/plan:Plan",
    min: 1,
    max: 50,
    pattern: /^[a-zA-Z0-9\-_.]+$/,
    allowed: "letters, digits, hyphens, underscores and periods",
    reference: api(
      "aws-backup",
      "latest/devguide/API_BackupPlanInput.html",
      "AWS Backup API Reference: BackupPlanInput (BackupPlanName)",
    ),
  },
  {
    id: "name-backup-vault",
    what: "AWS Backup vault names",
    type: "aws:backup/vault:Vault",
    min: 2,
    max: 50,
    pattern: /^[a-zA-Z0-9\-_]+$/,
    allowed: "letters, digits, hyphens and underscores",
    reference: api(
      "aws-backup",
      "latest/devguide/API_CreateBackupVault.html",
      "AWS Backup API Reference: CreateBackupVault (BackupVaultName)",
    ),
  },
  {
    id: "name-s3-bucket",
    what: "S3 general purpose bucket names",
    type: ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"],
    key: "bucket",
    min: 3,
    max: 63,
    refuse: bucketRefusal,
    reference: api(
      "AmazonS3",
      "latest/userguide/bucketnamingrules.html",
      "Amazon S3 User Guide: General purpose bucket naming rules",
    ),
  },
  {
    id: "name-kms-alias",
    what: "KMS alias names",
    type: "aws:kms/alias:Alias",
    min: 7,
    max: 256,
    pattern: /^alias\/[a-zA-Z0-9/_-]+$/,
    allowed: "alias/ followed by letters, digits, slashes, underscores and hyphens",
    refuse: (n) =>
      n.toLowerCase().startsWith("alias/aws/")
        ? "the prefix alias/aws/, reserved for AWS managed keys"
        : undefined,
    reference: api(
      "kms",
      "latest/APIReference/API_CreateAlias.html",
      "AWS KMS API Reference: CreateAlias (AliasName)",
    ),
  },
  {
    id: "name-log-group",
    what: "CloudWatch Logs log group names",
    type: "aws:cloudwatch/logGroup:LogGroup",
    min: 1,
    max: 512,
    pattern: /^[.\-_/#A-Za-z0-9]+$/,
    allowed: "letters, digits and . - _ / #",
    // "Log group names can't start with the string aws/" (/aws/... is the services' own, and allowed).
    refuse: (n) => (n.startsWith("aws/") ? "the reserved prefix aws/" : undefined),
    reference: api(
      "AmazonCloudWatchLogs",
      "latest/APIReference/API_CreateLogGroup.html",
      "CloudWatch Logs API Reference: CreateLogGroup (logGroupName)",
    ),
  },
  {
    id: "name-ssm-document",
    what: "Systems Manager document names",
    type: "aws:ssm/document:Document",
    min: 3,
    max: 128,
    pattern: SSM_NAME,
    allowed: "letters, digits, underscores, hyphens and periods",
    refuse: (n) => {
      const p = ["aws", "amazon", "amzn"].find((x) => n.toLowerCase().startsWith(x));
      return p ? `the reserved prefix ${p}` : undefined;
    },
    reference: api(
      "systems-manager",
      "latest/APIReference/API_CreateDocument.html",
      "Systems Manager API Reference: CreateDocument (Name)",
    ),
  },
  {
    id: "name-ssm-maintenance",
    what: "Systems Manager maintenance window and patch baseline names",
    type: ["aws:ssm/maintenanceWindow:MaintenanceWindow", "aws:ssm/patchBaseline:PatchBaseline"],
    min: 3,
    max: 128,
    pattern: SSM_NAME,
    allowed: "letters, digits, underscores, hyphens and periods",
    reference: api(
      "systems-manager",
      "latest/APIReference/API_CreateMaintenanceWindow.html",
      "Systems Manager API Reference: CreateMaintenanceWindow and CreatePatchBaseline (Name)",
    ),
  },
  {
    id: "name-sqs-queue",
    what: "SQS queue names",
    type: "aws:sqs/queue:Queue",
    min: 1,
    max: 80,
    pattern: /^[A-Za-z0-9_-]+(\.fifo)?$/,
    allowed: "letters, digits, hyphens and underscores (and .fifo last)",
    refuseFor: (n, r) => fifoSuffix(n, r.inputs.fifoQueue === true, "fifoQueue"),
    autoname: (n, r) => (r.inputs.fifoQueue === true ? `${n}.fifo` : n),
    reference: api(
      "AWSSimpleQueueService",
      "latest/APIReference/API_CreateQueue.html",
      "Amazon SQS API Reference: CreateQueue (QueueName)",
    ),
  },
  {
    id: "name-sns-topic",
    what: "SNS topic names",
    type: "aws:sns/topic:Topic",
    min: 1,
    max: 256,
    pattern: /^[A-Za-z0-9_-]+(\.fifo)?$/,
    allowed: "letters, digits, hyphens and underscores (and .fifo last)",
    refuseFor: (n, r) => fifoSuffix(n, r.inputs.fifoTopic === true, "fifoTopic"),
    autoname: (n, r) => (r.inputs.fifoTopic === true ? `${n}.fifo` : n),
    reference: api(
      "sns",
      "latest/api/API_CreateTopic.html",
      "Amazon SNS API Reference: CreateTopic (Name)",
    ),
  },
  {
    id: "name-lambda-function",
    what: "Lambda function names",
    type: "aws:lambda/function:Function",
    min: 1,
    max: 64,
    pattern: /^[a-zA-Z0-9_-]+$/,
    allowed: "letters, digits, hyphens and underscores",
    reference: api(
      "lambda",
      "latest/api/API_CreateFunction.html",
      "AWS Lambda API Reference: CreateFunction (FunctionName)",
    ),
  },
  {
    id: "name-dynamodb-table",
    what: "DynamoDB table names",
    type: "aws:dynamodb/table:Table",
    min: 3,
    max: 255,
    pattern: /^[a-zA-Z0-9_.-]+$/,
    allowed: "letters, digits, underscores, hyphens and periods",
    reference: api(
      "amazondynamodb",
      "latest/APIReference/API_CreateTable.html",
      "Amazon DynamoDB API Reference: CreateTable (TableName)",
    ),
  },
  {
    id: "name-rds-instance",
    what: "RDS DB instance identifiers",
    type: "aws:rds/instance:Instance",
    key: "identifier",
    min: 1,
    max: 63,
    pattern: DB_IDENTIFIER,
    allowed: "letters, digits and hyphens, a letter first, no two hyphens in a row and none last",
    reference: api(
      "AmazonRDS",
      "latest/APIReference/API_CreateDBInstance.html",
      "Amazon RDS API Reference: CreateDBInstance (DBInstanceIdentifier)",
    ),
  },
  {
    id: "name-rds-cluster",
    what: "RDS and Aurora DB cluster identifiers",
    type: "aws:rds/cluster:Cluster",
    key: "clusterIdentifier",
    min: 1,
    max: 63,
    pattern: DB_IDENTIFIER,
    allowed: "letters, digits and hyphens, a letter first, no two hyphens in a row and none last",
    reference: api(
      "AmazonRDS",
      "latest/APIReference/API_CreateDBCluster.html",
      "Amazon RDS API Reference: CreateDBCluster (DBClusterIdentifier)",
    ),
  },
  {
    id: "name-ecs",
    what: "ECS cluster and service names and task definition families",
    type: [
      "aws:ecs/cluster:Cluster",
      "aws:ecs/service:Service",
      "aws:ecs/taskDefinition:TaskDefinition",
    ],
    min: 1,
    max: 255,
    pattern: /^[a-zA-Z0-9_-]+$/,
    allowed: "letters, digits, hyphens and underscores",
    reference: api(
      "AmazonECS",
      "latest/APIReference/API_CreateCluster.html",
      "Amazon ECS API Reference: CreateCluster (clusterName), CreateService (serviceName), RegisterTaskDefinition (family)",
    ),
  },
  {
    id: "name-elasticache-replication-group",
    what: "ElastiCache replication group ids",
    type: "aws:elasticache/replicationGroup:ReplicationGroup",
    key: "replicationGroupId",
    min: 1,
    max: 40,
    pattern: DB_IDENTIFIER,
    allowed: "letters, digits and hyphens, a letter first, no two hyphens in a row and none last",
    reference: api(
      "AmazonElastiCache",
      "latest/APIReference/API_CreateReplicationGroup.html",
      "Amazon ElastiCache API Reference: CreateReplicationGroup (ReplicationGroupId)",
    ),
  },
  {
    id: "name-launch-template",
    what: "EC2 launch template names",
    type: "aws:ec2/launchTemplate:LaunchTemplate",
    min: 3,
    max: 128,
    pattern: /^[a-zA-Z0-9().\-/_]+$/,
    allowed: "letters, digits and ( ) . - / _",
    reference: api(
      "AWSEC2",
      "latest/APIReference/API_CreateLaunchTemplate.html",
      "Amazon EC2 API Reference: CreateLaunchTemplate (LaunchTemplateName)",
    ),
  },
  {
    id: "name-security-group",
    what: "security group names",
    type: "aws:ec2/securityGroup:SecurityGroup",
    min: 1,
    max: 255,
    refuse: (n) => (n.toLowerCase().startsWith("sg-") ? "the reserved prefix sg-" : undefined),
    reference: api(
      "AWSEC2",
      "latest/APIReference/API_CreateSecurityGroup.html",
      "Amazon EC2 API Reference: CreateSecurityGroup (GroupName)",
    ),
  },
  {
    id: "name-wafv2-web-acl",
    what: "WAF web ACL names",
    type: "aws:wafv2/webAcl:WebAcl",
    min: 1,
    max: 128,
    pattern: /^[\w-]+$/,
    allowed: "letters, digits, underscores and hyphens",
    reference: api(
      "waf",
      "latest/APIReference/API_CreateWebACL.html",
      "AWS WAF API Reference: CreateWebACL (Name)",
    ),
  },
  {
    id: "name-eventbridge-rule",
    what: "EventBridge rule names",
    type: "aws:cloudwatch/eventRule:EventRule",
    min: 1,
    max: 64,
    pattern: /^[.\-_A-Za-z0-9]+$/,
    allowed: "letters, digits and . - _",
    reference: api(
      "eventbridge",
      "latest/APIReference/API_PutRule.html",
      "Amazon EventBridge API Reference: PutRule (Name)",
    ),
  },
  {
    id: "name-config-rule",
    what: "AWS Config rule names",
    type: "aws:cfg/rule:Rule",
    min: 1,
    max: 128,
    pattern: /^[\S]+$/,
    allowed: "no whitespace",
    reference: api(
      "config",
      "latest/APIReference/API_ConfigRule.html",
      "AWS Config API Reference: ConfigRule (ConfigRuleName)",
    ),
  },
];

/** A FIFO queue's or topic's name ends with .fifo (CreateQueue, CreateTopic). */
function fifoSuffix(name: string, fifo: boolean, flag: string): string | undefined {
  return fifo && !name.endsWith(".fifo") ? `no .fifo suffix, which ${flag} requires` : undefined;
}

/** The refusal of one name, or undefined when AWS accepts it. */
export function nameRefusal(spec: NameSpec, name: string, r?: Res): string | undefined {
  if (name.length < spec.min || name.length > spec.max)
    return `has ${name.length} characters; AWS allows ${spec.min} to ${spec.max}`;
  if (spec.pattern && !spec.pattern.test(name)) return `may contain only ${spec.allowed}`;
  const reason = spec.refuse?.(name) ?? (r && spec.refuseFor?.(name, r));
  return reason ? `has ${reason}` : undefined;
}

function nameRule(spec: (typeof NAME_SPECS)[number]): StackRule {
  const key = spec.key ?? "name";
  return {
    id: spec.id,
    family: "names",
    kind: "fails-deploy",
    scope: "stack",
    description: `${spec.what[0].toUpperCase()}${spec.what.slice(1)}: ${spec.min} to ${spec.max} characters${spec.allowed ? `, ${spec.allowed}` : ""}.`,
    reference: spec.reference,
    check(graph: ProgramGraph): RuleHit[] {
      const hits: RuleHit[] = [];
      for (const r of graph.ofType(...[spec.type].flat())) {
        const autonamed = !graph.named(r, key);
        const physical = graph.physicalName(r, key);
        const name = autonamed && spec.autoname ? spec.autoname(physical, r) : physical;
        const refusal = nameRefusal(spec, name, r);
        if (!refusal) continue;
        hits.push({
          urn: r.urn,
          message: `${label(r)}: ${key} "${name}" ${refusal}${autonamed ? " (Pulumi's autoname: the logical name plus an 8-character suffix)" : ""}; ${autonamed ? "shorten the logical name or set " + key : "change " + key} to a name AWS accepts.`,
        });
      }
      return hits;
    },
  };
}

/** WAF sends logs only to destinations whose names start with aws-waf-logs-. */
const wafLogDestinations: StackRule = {
  id: "name-waf-log-destination",
  family: "names",
  kind: "fails-deploy",
  scope: "stack",
  description:
    "A WAF logging destination (log group, bucket or Firehose stream) must have a name that starts with aws-waf-logs-.",
  reference: api(
    "waf",
    "latest/developerguide/logging-destinations.html",
    "AWS WAF Developer Guide: Log destinations",
  ),
  check(graph) {
    const hits: RuleHit[] = [];
    for (const r of graph.ofType(
      "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration",
    )) {
      for (const arn of list(r.inputs.logDestinationConfigs).filter(isString)) {
        const target = graph.find(arn);
        const name = target
          ? graph.physicalName(target, target.type.startsWith("aws:s3/") ? "bucket" : "name")
          : (arn.split(/[:/]/).filter(Boolean).pop() ?? arn);
        if (!name.startsWith("aws-waf-logs-")) {
          hits.push({
            urn: target?.urn ?? r.urn,
            message: `${target ? label(target) : label(r)}: WAF log destination "${name}" does not start with aws-waf-logs-; name the destination aws-waf-logs-<something>.`,
          });
        }
      }
    }
    return hits;
  },
};

/** A Cognito prefix domain: DNS label rules, and three words AWS reserves. */
const cognitoDomain: StackRule = {
  id: "name-cognito-domain",
  family: "names",
  kind: "fails-deploy",
  scope: "stack",
  description:
    "A Cognito prefix domain: 1 to 63 lowercase letters, digits and hyphens, not starting or ending with a hyphen, without aws, amazon or cognito.",
  reference: api(
    "cognito-user-identity-pools",
    "latest/APIReference/API_CreateUserPoolDomain.html",
    "Amazon Cognito API Reference: CreateUserPoolDomain (Domain)",
  ),
  check(graph) {
    const hits: RuleHit[] = [];
    for (const r of graph.ofType("aws:cognito/userPoolDomain:UserPoolDomain")) {
      const domain = r.inputs.domain;
      // A custom domain (with a certificate) is a DNS name: not this rule's.
      if (!isString(domain) || domain.includes(".") || r.inputs.certificateArn) continue;
      const reserved = ["aws", "amazon", "cognito"].find((w) => domain.toLowerCase().includes(w));
      const shape = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(domain);
      if (reserved || !shape) {
        hits.push({
          urn: r.urn,
          message: `${label(r)}: domain "${domain}" ${reserved ? `contains the reserved word "${reserved}"` : "is not 1 to 63 lowercase letters, digits and inner hyphens"}; choose another prefix.`,
        });
      }
    }
    return hits;
  },
};

/** IAM role paths: slashes first and last, 1 to 512 characters. */
const iamPath: StackRule = {
  id: "name-iam-path",
  family: "names",
  kind: "fails-deploy",
  scope: "stack",
  description: "An IAM path begins and ends with a slash, 1 to 512 characters of printable ASCII.",
  reference: api(
    "IAM",
    "latest/APIReference/API_CreateRole.html",
    "IAM API Reference: CreateRole (Path)",
  ),
  check(graph) {
    return graph
      .ofType(
        "aws:iam/role:Role",
        "aws:iam/user:User",
        "aws:iam/policy:Policy",
        "aws:iam/instanceProfile:InstanceProfile",
      )
      .filter((r: Res) => isString(r.inputs.path))
      .filter((r) => {
        const p = String(r.inputs.path);
        return !(p === "/" || (/^\/[\u0021-\u007e]*\/$/.test(p) && p.length <= 512));
      })
      .map((r) => ({
        urn: r.urn,
        message: `${label(r)}: path "${String(r.inputs.path)}" must begin and end with "/" (at most 512 printable characters); set path to "/" or "/team/".`,
      }));
  },
};

export const nameRules: readonly StackRule[] = [
  ...NAME_SPECS.map(nameRule),
  wafLogDestinations,
  cognitoDomain,
  iamPath,
];
