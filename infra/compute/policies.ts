/**
 * The compute tier's policies and rules as pure functions: the application instances' exact rights
 * on the data stores, the load balancer log bucket's policy, the WAF's rules and the user data.
 */
import { PolicyDocument, Statement, policyDocument } from "../iam";
import { denyInsecureTransport } from "../data/buckets";
import {
  APP_TLS_CERT,
  APP_TLS_KEY,
  PLACEHOLDER_PROGRAM_PATH,
  PLACEHOLDER_UNIT,
  placeholderProgram,
  placeholderUnit,
} from "./placeholder";

/** The port the application listens on, with TLS, behind the load balancer. */
export const APP_PORT = 8443;
/** Where the load balancer asks the application whether it is healthy. */
export const HEALTH_CHECK_PATH = "/health";
/** The database user the application connects as, through IAM authentication. */
export const APP_DB_USER = "app";
/** Where the application's EFS access point is mounted. */
export const EFS_MOUNT_POINT = "/mnt/ehealth";
/** A TLS 1.3 policy that still accepts TLS 1.2 clients (no TLS 1.0/1.1, forward secrecy only). */
export const TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-Res-2021-06";
/** Where ALB access logs go in their bucket. */
export const ALB_LOG_PREFIX = "alb";

export interface AppAccess {
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
  /** The document buckets the application reads and writes. */
  readonly documentBucketArns: readonly string[];
  /** The other region's documents replicated here: read-only, for serving after a failover. */
  readonly replicaBucketArns: readonly string[];
  readonly phiKeyArn: string;
  readonly fileSystemArn: string;
  readonly accessPointArn: string;
  /** The database's resource id (`db-...`), which IAM authentication names. */
  readonly dbResourceId: string;
  readonly cacheArn: string;
  readonly cacheUserArn: string;
  readonly uploadIndexArn: string;
}

/**
 * Exactly what the application needs: its document buckets' objects (and, in the secondary, read
 * access to the primary's replicas), the PHI key through S3, its
 * EFS access point, the database as the `app` user, the cache as its IAM user, and the upload
 * index. No wildcard names a data store; the database and cache need no secret at all.
 */
export function appInstancePolicy(a: AppAccess): PolicyDocument {
  const statements: Statement[] = [
    {
      Sid: "ListDocumentBuckets",
      Effect: "Allow",
      Action: "s3:ListBucket",
      Resource: [...a.documentBucketArns],
    },
    {
      Sid: "ReadWriteDocuments",
      Effect: "Allow",
      Action: ["s3:GetObject", "s3:PutObject"],
      Resource: a.documentBucketArns.map((arn) => `${arn}/*`),
    },
    ...(a.replicaBucketArns.length
      ? [
          {
            Sid: "ReadReplicas",
            Effect: "Allow" as const,
            Action: ["s3:ListBucket", "s3:GetObject"],
            Resource: [...a.replicaBucketArns, ...a.replicaBucketArns.map((arn) => `${arn}/*`)],
          },
        ]
      : []),
    {
      Sid: "PhiKeyThroughS3",
      Effect: "Allow",
      Action: ["kms:Decrypt", "kms:GenerateDataKey"],
      Resource: a.phiKeyArn,
      Condition: { StringEquals: { "kms:ViaService": `s3.${a.region}.amazonaws.com` } },
    },
    {
      Sid: "MountSharedFiles",
      Effect: "Allow",
      Action: ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
      Resource: a.fileSystemArn,
      Condition: { StringEquals: { "elasticfilesystem:AccessPointArn": a.accessPointArn } },
    },
    {
      Sid: "DatabaseAsApp",
      Effect: "Allow",
      Action: "rds-db:connect",
      Resource: `arn:${a.partition}:rds-db:${a.region}:${a.accountId}:dbuser:${a.dbResourceId}/${APP_DB_USER}`,
    },
    {
      Sid: "CacheAsApp",
      Effect: "Allow",
      Action: "elasticache:Connect",
      Resource: [a.cacheArn, a.cacheUserArn],
    },
    {
      Sid: "UploadIndex",
      Effect: "Allow",
      Action: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query"],
      Resource: [a.uploadIndexArn, `${a.uploadIndexArn}/index/*`],
    },
  ];
  return policyDocument(statements);
}

/**
 * ALB access logs: the region's Elastic Load Balancing account (regions before August 2022) or
 * its log-delivery service (newer regions) may write under this account's prefix; TLS only.
 */
export function albLogBucketPolicy(
  bucketArn: string,
  accountId: string,
  elbAccountArn: string,
): PolicyDocument {
  const logs = `${bucketArn}/${ALB_LOG_PREFIX}/AWSLogs/${accountId}/*`;
  return policyDocument([
    denyInsecureTransport(bucketArn),
    {
      Sid: "ElbAccountWrites",
      Effect: "Allow",
      Principal: { AWS: elbAccountArn },
      Action: "s3:PutObject",
      Resource: logs,
    },
    {
      Sid: "ElbLogDeliveryWrites",
      Effect: "Allow",
      Principal: { Service: "logdelivery.elasticloadbalancing.amazonaws.com" },
      Action: "s3:PutObject",
      Resource: logs,
      Condition: { StringEquals: { "aws:SourceAccount": accountId } },
    },
  ]);
}

/** The AWS managed rule groups, in evaluation order after the rate limit. */
export const MANAGED_RULE_GROUPS = [
  "AWSManagedRulesAmazonIpReputationList",
  "AWSManagedRulesCommonRuleSet",
  "AWSManagedRulesKnownBadInputsRuleSet",
  "AWSManagedRulesSQLiRuleSet",
] as const;

/**
 * Where the application takes document uploads (POST or PUT): the one place bodies over 8 KB are
 * allowed through the WAF.
 */
export const DEFAULT_UPLOAD_PATH = "/api/documents/";

/**
 * The common rule set's rule that blocks request bodies over 8 KB, and the label it adds to the
 * requests it matches ("Baseline rule groups: Core rule set (CRS) managed rule group", AWS WAF
 * Developer Guide, https://docs.aws.amazon.com/waf/latest/developerguide/aws-managed-rule-groups-baseline.html).
 */
export const BODY_SIZE_RULE = "SizeRestrictions_BODY";
export const BODY_SIZE_LABEL = "awswaf:managed:aws:core-rule-set:SizeRestrictions_Body";

const visibility = (metricName: string) => ({
  cloudwatchMetricsEnabled: true,
  metricName,
  sampledRequestsEnabled: true,
});

/**
 * An upload: POST or PUT under the upload path. Three levels of nested statements at most (with
 * the rule's AND and NOT around it): the provider's `rules` takes no more.
 */
const uploadRequest = (uploadPath: string) => ({
  andStatement: {
    statements: [
      {
        regexMatchStatement: {
          regexString: "^(POST|PUT)$",
          fieldToMatch: { method: {} },
          textTransformations: [{ priority: 0, type: "NONE" }],
        },
      },
      {
        // Decoded and normalised first, so that /api/documents/../login is not an upload.
        byteMatchStatement: {
          searchString: uploadPath,
          fieldToMatch: { uriPath: {} },
          positionalConstraint: "STARTS_WITH",
          textTransformations: [
            { priority: 0, type: "URL_DECODE" },
            { priority: 1, type: "NORMALIZE_PATH" },
          ],
        },
      },
    ],
  },
});

/**
 * The web ACL's rules: a per-address rate limit first, then AWS's managed groups. The common rule
 * set's body-size rule only counts (it still labels), and the rule after the groups blocks what it
 * labelled unless it is an upload to the upload path: everywhere else a body over 8 KB is still
 * refused. AWS WAF inspects at most the first 8 KB of a body behind an Application Load Balancer
 * ("Body inspection size limit", https://docs.aws.amazon.com/waf/latest/developerguide/web-acl-setting-body-inspection-limit.html),
 * so the rest of an upload is the application's to check.
 */
export function wafRules(rateLimit: number, uploadPath: string = DEFAULT_UPLOAD_PATH) {
  return [
    {
      name: "rate-limit-per-address",
      priority: 0,
      action: { block: {} },
      statement: { rateBasedStatement: { limit: rateLimit, aggregateKeyType: "IP" } },
      visibilityConfig: visibility("rate-limit-per-address"),
    },
    ...MANAGED_RULE_GROUPS.map((group, i) => ({
      name: group,
      priority: i + 1,
      overrideAction: { none: {} },
      statement: {
        managedRuleGroupStatement: {
          vendorName: "AWS",
          name: group,
          ...(group === "AWSManagedRulesCommonRuleSet"
            ? { ruleActionOverrides: [{ name: BODY_SIZE_RULE, actionToUse: { count: {} } }] }
            : {}),
        },
      },
      visibilityConfig: visibility(group),
    })),
    {
      name: "large-bodies-outside-uploads",
      priority: MANAGED_RULE_GROUPS.length + 1,
      action: { block: {} },
      statement: {
        andStatement: {
          statements: [
            { labelMatchStatement: { scope: "LABEL", key: BODY_SIZE_LABEL } },
            { notStatement: { statement: uploadRequest(uploadPath) } },
          ],
        },
      },
      visibilityConfig: visibility("large-bodies-outside-uploads"),
    },
  ];
}

/** Headers that carry credentials or session state: redacted from the WAF's logs. */
export const WAF_REDACTED_HEADERS = ["authorization", "cookie"] as const;

export interface UserDataArgs {
  readonly region: string;
  readonly fileSystemId: string;
  readonly accessPointId: string;
  readonly logGroupName: string;
}

/**
 * Packages the first boot installs, all from Amazon Linux 2023's own repositories: the CloudWatch
 * agent, the EFS mount helper, openssl for the app port's certificate, and python3 for the
 * placeholder service.
 */
export const USER_DATA_PACKAGES = [
  "amazon-cloudwatch-agent",
  "amazon-efs-utils",
  "openssl",
  "python3",
] as const;

/**
 * The first boot: the CloudWatch agent shipping the application's logs, the EFS access point
 * mounted over TLS with IAM, a self-signed certificate so the load balancer reaches the instance
 * over TLS too (the ALB does not validate target certificates; the hop stays encrypted), and, last,
 * the placeholder service on the app port: an instance reports healthy only once all of it worked.
 */
export function appUserData(a: UserDataArgs): string {
  return `#!/bin/bash
set -euo pipefail
dnf install -y ${USER_DATA_PACKAGES.join(" ")}

mkdir -p ${EFS_MOUNT_POINT}
echo "${a.fileSystemId} ${EFS_MOUNT_POINT} efs _netdev,noresvport,tls,iam,accesspoint=${a.accessPointId} 0 0" >> /etc/fstab
mount -a -t efs

install -d -m 0750 /etc/pki/ehealth
openssl req -x509 -newkey rsa:2048 -nodes -days 825 -subj "/CN=$(hostname -f)" \\
  -keyout ${APP_TLS_KEY} -out ${APP_TLS_CERT}
chmod 0640 ${APP_TLS_KEY}

cat > /opt/aws/amazon-cloudwatch-agent/etc/amazon-cloudwatch-agent.json <<'JSON'
${JSON.stringify(
  {
    agent: { region: a.region },
    logs: {
      logs_collected: {
        files: {
          collect_list: [
            {
              file_path: "/var/log/ehealth/*.log",
              log_group_name: a.logGroupName,
              log_stream_name: "{instance_id}",
            },
            {
              file_path: "/var/log/messages",
              log_group_name: a.logGroupName,
              log_stream_name: "{instance_id}/system",
            },
          ],
        },
      },
    },
    metrics: {
      append_dimensions: { AutoScalingGroupName: "${aws:AutoScalingGroupName}" },
      metrics_collected: {
        mem: { measurement: ["mem_used_percent"] },
        disk: { measurement: ["used_percent"], resources: ["/"] },
      },
    },
  },
  null,
  2,
)}
JSON
/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s \\
  -c file:/opt/aws/amazon-cloudwatch-agent/etc/amazon-cloudwatch-agent.json

install -d -m 0755 ${PLACEHOLDER_PROGRAM_PATH.slice(0, PLACEHOLDER_PROGRAM_PATH.lastIndexOf("/"))}
cat > ${PLACEHOLDER_PROGRAM_PATH} <<'PY'
${placeholderProgram().trimEnd()}
PY
cat > /etc/systemd/system/${PLACEHOLDER_UNIT} <<'UNIT'
${placeholderUnit(APP_PORT, HEALTH_CHECK_PATH).trimEnd()}
UNIT
systemctl daemon-reload
systemctl enable --now ${PLACEHOLDER_UNIT}
`;
}

/** The Amazon Linux 2023 image parameter for an instance type's architecture. */
export function amiParameter(instanceType: string): string {
  // Graviton families carry a "g" after the generation digit: m7g, c7gn, r8g, t4g.
  const arm = /^[a-z]+\d+g/.test(instanceType);
  return `/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-${arm ? "arm64" : "x86_64"}`;
}
