/**
 * The IT support personas as pure policy builders: who may assume each role (trust), what it may do
 * (its policy) and the most it could ever do (its permission boundary). Least privilege, and no
 * persona but break-glass reaches PHI (164.308(a)(3)(ii)(A), 164.308(a)(4), 164.312(a)(1)).
 */
import { PolicyDocument, Statement, accountRoot, policyDocument } from "../iam";
import type { PersonaName } from "../../stacks/config";

/** The Role tag of the platform's bastion (infra/compute), the one public instance. */
export const BASTION_ROLE = "bastion";

/** The tag that marks the application tier's instances and groups (infra/compute sets it). */
export const TIER_TAG = "Tier";
export const APP_TIER = "app";

/** One hour: the longest session any persona gets (and the MFA age accepted to start one). */
export const PERSONA_SESSION_SECONDS = 3600;

export interface AccountContext {
  readonly partition: string;
  readonly accountId: string;
}

export interface PersonaContext extends AccountContext {
  /** The document buckets of both regions: no persona but break-glass reads or writes objects. */
  readonly phiBucketArns: readonly string[];
}

export const PERSONA_DESCRIPTIONS: Readonly<Record<PersonaName, string>> = {
  support: "End-user support: application logs and Cognito users; no PHI",
  dba: "Database administration: RDS and its logs; no document objects, no key use outside RDS",
  sysadmin:
    "Systems administration: EC2, Auto Scaling, Systems Manager, CloudWatch; no IAM, no PHI",
  breakGlass: "Break-glass administrator: everything, MFA, alarmed on every use",
};

/** Full ARNs from config entries, which may be `user/alice` or `role/path/name` in this account. */
export function principalArns(entries: readonly string[], ctx: AccountContext): string[] {
  return entries.map((e) =>
    e.startsWith("arn:") ? e : `arn:${ctx.partition}:iam::${ctx.accountId}:${e}`,
  );
}

/**
 * The account delegates to IAM, and the condition narrows it to the named principals: a name that
 * does not exist yet grants nothing (a principal ARN that does not exist would fail the deploy).
 */
export function personaTrust(principals: readonly string[], ctx: AccountContext): PolicyDocument {
  return policyDocument([
    {
      Sid: "NamedPrincipalsWithMfa",
      Effect: "Allow",
      Principal: { AWS: accountRoot(ctx.partition, ctx.accountId) },
      Action: "sts:AssumeRole",
      Condition: {
        Bool: { "aws:MultiFactorAuthPresent": "true" },
        NumericLessThan: { "aws:MultiFactorAuthAge": String(PERSONA_SESSION_SECONDS) },
        ArnEquals: { "aws:PrincipalArn": [...principals] },
      },
    },
  ]);
}

/** Actions that would silence or shorten the audit record: refused to every persona. */
export const AUDIT_TAMPERING = [
  "cloudtrail:StopLogging",
  "cloudtrail:DeleteTrail",
  "cloudtrail:UpdateTrail",
  "cloudtrail:PutEventSelectors",
  "config:StopConfigurationRecorder",
  "config:DeleteConfigurationRecorder",
  "config:DeleteDeliveryChannel",
  "guardduty:DeleteDetector",
  "guardduty:UpdateDetector",
  "securityhub:DisableSecurityHub",
  "logs:DeleteLogGroup",
  "logs:DeleteLogStream",
  "logs:PutRetentionPolicy",
  "logs:DeleteRetentionPolicy",
  "logs:DisassociateKmsKey",
  "s3:BypassGovernanceRetention",
  "s3:PutBucketObjectLockConfiguration",
  "kms:ScheduleKeyDeletion",
  "kms:DisableKey",
] as const;

/** Object-level S3 actions: reading, writing or deleting a document. */
export const PHI_OBJECT_ACTIONS = [
  "s3:GetObject*",
  "s3:PutObject*",
  "s3:DeleteObject*",
  "s3:RestoreObject",
  "s3:ReplicateObject",
] as const;

export const KEY_USE = [
  "kms:Decrypt",
  "kms:Encrypt",
  "kms:ReEncrypt*",
  "kms:GenerateDataKey*",
] as const;

/** IAM reads that operating a platform needs; every other IAM action is outside the boundary. */
const IAM_READS = ["iam:Get*", "iam:List*", "iam:Generate*", "iam:Simulate*"];

/**
 * The permission boundary: the most a persona's session could ever do, whatever policy is attached
 * later. Allows everything but what the persona must never do.
 */
export function personaBoundary(persona: PersonaName, ctx: PersonaContext): PolicyDocument {
  const statements: Statement[] = [
    { Sid: "Ceiling", Effect: "Allow", Action: "*", Resource: "*" },
    {
      Sid: "DenyAuditTampering",
      Effect: "Deny",
      Action: [...AUDIT_TAMPERING],
      Resource: "*",
    },
  ];
  if (persona === "breakGlass") return policyDocument(statements);
  statements.push(
    {
      Sid: "DenyDocumentObjects",
      Effect: "Deny",
      Action: [...PHI_OBJECT_ACTIONS],
      Resource: ctx.phiBucketArns.map((arn) => `${arn}/*`),
    },
    {
      // The DBA's database work (snapshots, restores) uses the PHI key through RDS and only there.
      Sid: persona === "dba" ? "DenyKeyUseOutsideRds" : "DenyKeyUse",
      Effect: "Deny",
      Action: [...KEY_USE],
      Resource: "*",
      ...(persona === "dba"
        ? { Condition: { StringNotLike: { "kms:ViaService": "rds.*.amazonaws.com" } } }
        : {}),
    },
    {
      // A grant or a key policy is how a key administrator would give itself kms:Decrypt on PHI:
      // grants come only from AWS services acting for a resource (kms:GrantIsForAWSResource, which
      // is absent or false on a direct call), and key policies change only through deployments.
      Sid: "DenySelfGrantedKeyUse",
      Effect: "Deny",
      Action: "kms:CreateGrant",
      Resource: "*",
      Condition: { BoolIfExists: { "kms:GrantIsForAWSResource": "false" } },
    },
    {
      Sid: "DenyKeyPolicyChanges",
      Effect: "Deny",
      Action: "kms:PutKeyPolicy",
      Resource: "*",
    },
    {
      Sid: "DenyIamChanges",
      Effect: "Deny",
      NotAction: IAM_READS,
      Resource: `arn:${ctx.partition}:iam::${ctx.accountId}:*`,
    },
  );
  return policyDocument(statements);
}

const arn = (ctx: PersonaContext, service: string, resource: string, region = "*") =>
  `arn:${ctx.partition}:${service}:${region}:${ctx.accountId}:${resource}`;

const LOG_READS = [
  "logs:DescribeLogStreams",
  "logs:GetLogEvents",
  "logs:FilterLogEvents",
  "logs:StartQuery",
];
/** Query results and log group listings are not resource-scoped in IAM. */
const LOG_QUERIES: Statement = {
  Sid: "LogQueries",
  Effect: "Allow",
  Action: ["logs:DescribeLogGroups", "logs:GetQueryResults", "logs:StopQuery"],
  Resource: "*",
};
const METRIC_READS: Statement = {
  Sid: "MetricReads",
  Effect: "Allow",
  Action: [
    "cloudwatch:GetMetricData",
    "cloudwatch:GetMetricStatistics",
    "cloudwatch:ListMetrics",
    "cloudwatch:DescribeAlarms",
  ],
  Resource: "*",
};

function logReads(ctx: PersonaContext, groups: readonly string[]): Statement {
  return {
    Sid: "LogReads",
    Effect: "Allow",
    Action: LOG_READS,
    Resource: groups.flatMap((g) => [
      arn(ctx, "logs", `log-group:${g}`),
      arn(ctx, "logs", `log-group:${g}:*`),
    ]),
  };
}

/** The application's log groups, `/ehealth/<stack>/app/...` (infra/compute). */
export const APP_LOG_GROUPS = "/ehealth/*/app*";

/** The persona's own policy (break-glass gets AWS's AdministratorAccess instead). */
export function personaPolicy(
  persona: Exclude<PersonaName, "breakGlass">,
  ctx: PersonaContext,
): PolicyDocument {
  switch (persona) {
    case "support":
      return policyDocument([
        logReads(ctx, [APP_LOG_GROUPS]),
        LOG_QUERIES,
        {
          Sid: "ManagePortalUsers",
          Effect: "Allow",
          Action: [
            "cognito-idp:DescribeUserPool",
            "cognito-idp:ListUsers",
            "cognito-idp:ListUsersInGroup",
            "cognito-idp:AdminGetUser",
            "cognito-idp:AdminListGroupsForUser",
            "cognito-idp:AdminListUserAuthEvents",
            "cognito-idp:AdminAddUserToGroup",
            "cognito-idp:AdminRemoveUserFromGroup",
            "cognito-idp:AdminResetUserPassword",
            "cognito-idp:AdminEnableUser",
            "cognito-idp:AdminDisableUser",
            "cognito-idp:AdminUserGlobalSignOut",
          ],
          Resource: arn(ctx, "cognito-idp", "userpool/*"),
        },
      ]);
    case "dba":
      return policyDocument([
        {
          Sid: "DatabaseReads",
          Effect: "Allow",
          Action: [
            "rds:DescribeDBInstances",
            "rds:DescribeDBSnapshots",
            "rds:DescribeDBParameters",
            "rds:DescribeDBParameterGroups",
            "rds:DescribeDBLogFiles",
            "rds:DescribeEvents",
            "rds:DescribePendingMaintenanceActions",
            "rds:ListTagsForResource",
          ],
          Resource: "*",
        },
        {
          Sid: "DatabaseOperations",
          Effect: "Allow",
          Action: [
            "rds:ModifyDBInstance",
            "rds:RebootDBInstance",
            "rds:StartDBInstance",
            "rds:StopDBInstance",
            "rds:CreateDBSnapshot",
            "rds:ModifyDBParameterGroup",
            "rds:ResetDBParameterGroup",
            "rds:DownloadDBLogFilePortion",
            "rds:ApplyPendingMaintenanceAction",
          ],
          Resource: [
            arn(ctx, "rds", "db:*"),
            arn(ctx, "rds", "pg:*"),
            arn(ctx, "rds", "snapshot:*"),
          ],
        },
        {
          // IAM database authentication as the `dba` database user: no password to share.
          Sid: "ConnectAsDba",
          Effect: "Allow",
          Action: "rds-db:connect",
          Resource: arn(ctx, "rds-db", "dbuser:*/dba"),
        },
        {
          Sid: "PerformanceInsights",
          Effect: "Allow",
          Action: [
            "pi:GetResourceMetrics",
            "pi:DescribeDimensionKeys",
            "pi:GetDimensionKeyDetails",
          ],
          Resource: arn(ctx, "pi", "metrics/rds/*"),
        },
        logReads(ctx, ["/aws/rds/*"]),
        LOG_QUERIES,
        METRIC_READS,
      ]);
    case "sysadmin": {
      // Only the application tier (tagged Tier=app by infra/compute): never a research workstation.
      const tagged = { StringEquals: { [`aws:ResourceTag/${TIER_TAG}`]: APP_TIER } };
      return policyDocument([
        {
          Sid: "FleetReads",
          Effect: "Allow",
          Action: [
            "ec2:DescribeInstances",
            "ec2:DescribeInstanceStatus",
            "ec2:DescribeVolumes",
            "ec2:DescribeLaunchTemplates",
            "ec2:DescribeLaunchTemplateVersions",
            "autoscaling:DescribeAutoScalingGroups",
            "autoscaling:DescribeScalingActivities",
            "autoscaling:DescribeInstanceRefreshes",
            "ssm:DescribeInstanceInformation",
            "ssm:DescribeInstancePatchStates",
            "ssm:DescribePatchBaselines",
            "ssm:DescribeMaintenanceWindows",
            "ssm:DescribeSessions",
            "ssm:ListCommands",
            "ssm:ListCommandInvocations",
            "ssm:GetCommandInvocation",
          ],
          Resource: "*",
        },
        {
          Sid: "InstanceOperations",
          Effect: "Allow",
          Action: ["ec2:StartInstances", "ec2:StopInstances", "ec2:RebootInstances"],
          Resource: arn(ctx, "ec2", "instance/*"),
          Condition: tagged,
        },
        {
          Sid: "GroupOperations",
          Effect: "Allow",
          Action: [
            "autoscaling:SetDesiredCapacity",
            "autoscaling:StartInstanceRefresh",
            "autoscaling:CancelInstanceRefresh",
            "autoscaling:SuspendProcesses",
            "autoscaling:ResumeProcesses",
          ],
          Resource: arn(ctx, "autoscaling", "autoScalingGroup:*:autoScalingGroupName/*"),
          Condition: tagged,
        },
        {
          Sid: "SessionsOnPlatformInstances",
          Effect: "Allow",
          Action: "ssm:StartSession",
          Resource: arn(ctx, "ec2", "instance/*"),
          Condition: { StringEquals: { [`ssm:resourceTag/${TIER_TAG}`]: APP_TIER } },
        },
        {
          Sid: "SessionDocument",
          Effect: "Allow",
          Action: "ssm:StartSession",
          Resource: arn(ctx, "ssm", "document/SSM-SessionManagerRunShell"),
        },
        {
          Sid: "OwnSessions",
          Effect: "Allow",
          Action: ["ssm:TerminateSession", "ssm:ResumeSession"],
          Resource: arn(ctx, "ssm", "session/${aws:userid}-*"),
        },
        {
          // With the optional bastion, SSH to it and through it to the app tier, with one-minute
          // keys (EC2 Instance Connect) as ec2-user: no standing SSH key exists to leak.
          Sid: "ShortLivedSshKeys",
          Effect: "Allow",
          Action: "ec2-instance-connect:SendSSHPublicKey",
          Resource: arn(ctx, "ec2", "instance/*"),
          Condition: {
            StringEquals: { [`aws:ResourceTag/${TIER_TAG}`]: APP_TIER, "ec2:osuser": "ec2-user" },
          },
        },
        {
          Sid: "ShortLivedSshKeyToTheBastion",
          Effect: "Allow",
          Action: "ec2-instance-connect:SendSSHPublicKey",
          Resource: arn(ctx, "ec2", "instance/*"),
          Condition: {
            StringEquals: { "aws:ResourceTag/Role": BASTION_ROLE, "ec2:osuser": "ec2-user" },
          },
        },
        {
          Sid: "PatchDocument",
          Effect: "Allow",
          Action: "ssm:SendCommand",
          Resource: `arn:${ctx.partition}:ssm:*::document/AWS-RunPatchBaseline`,
        },
        {
          Sid: "PatchTargets",
          Effect: "Allow",
          Action: "ssm:SendCommand",
          Resource: arn(ctx, "ec2", "instance/*"),
          Condition: { StringEquals: { [`ssm:resourceTag/${TIER_TAG}`]: APP_TIER } },
        },
        logReads(ctx, [APP_LOG_GROUPS, "/aws/ssm/*"]),
        LOG_QUERIES,
        METRIC_READS,
      ]);
    }
  }
}
