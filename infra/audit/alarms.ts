/**
 * Security alerts: the CIS AWS Foundations monitoring set as metric filters and alarms on the
 * trail's log group, break-glass use, and high-severity GuardDuty findings, all to one SNS topic
 * encrypted with the logs key (164.308(a)(1)(ii)(D), 164.308(a)(6)(ii)).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { AlertRoute } from "../alerts";
import { PolicyDocument, Statement, policyDocument } from "../iam";

/** The namespace of the CIS metrics. */
export const METRIC_NAMESPACE = "ehealth/CIS";

/** GuardDuty severities from this value up are high (7.0 to 8.9) or critical (9.0 and above). */
export const HIGH_SEVERITY = 7;

export interface Monitor {
  /** Short id: the metric and resource names. */
  readonly id: string;
  /** What the alarm means, for whoever receives it. */
  readonly description: string;
  /** The CloudWatch Logs filter pattern over CloudTrail's JSON events. */
  readonly pattern: string;
}

/** `($.eventName = A) || ($.eventName = B) ...`, in parentheses. */
function anyEvent(names: readonly string[]): string {
  return `(${names.map((n) => `($.eventName = ${n})`).join(" || ")})`;
}

function fromSource(source: string, names: readonly string[]): string {
  return `{ ($.eventSource = ${source}) && ${anyEvent(names)} }`;
}

/** The CIS AWS Foundations Benchmark's monitoring recommendations (section 4 of v1.4 to v3.0). */
export const CIS_MONITORS: readonly Monitor[] = [
  {
    id: "unauthorized-api-calls",
    description: "API calls refused for lack of permission",
    pattern:
      '{ (($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*")) && ($.sourceIPAddress != "delivery.logs.amazonaws.com") && ($.eventName != "HeadBucket") }',
  },
  {
    id: "console-signin-without-mfa",
    description: "A console sign-in by an IAM user without MFA",
    pattern:
      '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }',
  },
  {
    id: "root-account-usage",
    description: "The root user did something",
    pattern:
      '{ ($.userIdentity.type = "Root") && ($.userIdentity.invokedBy NOT EXISTS) && ($.eventType != "AwsServiceEvent") }',
  },
  {
    id: "iam-policy-changes",
    description: "An IAM policy was created, changed, attached or removed",
    pattern: fromSource("iam.amazonaws.com", [
      "DeleteGroupPolicy",
      "DeleteRolePolicy",
      "DeleteUserPolicy",
      "PutGroupPolicy",
      "PutRolePolicy",
      "PutUserPolicy",
      "CreatePolicy",
      "DeletePolicy",
      "CreatePolicyVersion",
      "DeletePolicyVersion",
      "SetDefaultPolicyVersion",
      "AttachRolePolicy",
      "DetachRolePolicy",
      "AttachUserPolicy",
      "DetachUserPolicy",
      "AttachGroupPolicy",
      "DetachGroupPolicy",
    ]),
  },
  {
    id: "cloudtrail-changes",
    description: "A trail was created, changed, stopped or deleted",
    pattern: `{ ${anyEvent(["CreateTrail", "UpdateTrail", "DeleteTrail", "StartLogging", "StopLogging"])} }`,
  },
  {
    id: "console-authentication-failures",
    description: "A failed console sign-in",
    pattern: '{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }',
  },
  {
    id: "kms-key-disable-or-deletion",
    description: "A customer-managed key was disabled or scheduled for deletion",
    pattern: fromSource("kms.amazonaws.com", ["DisableKey", "ScheduleKeyDeletion"]),
  },
  {
    id: "s3-bucket-policy-changes",
    description: "A bucket's policy, ACL, CORS, lifecycle or replication changed",
    pattern: fromSource("s3.amazonaws.com", [
      "PutBucketAcl",
      "PutBucketPolicy",
      "PutBucketCors",
      "PutBucketLifecycle",
      "PutBucketReplication",
      "DeleteBucketPolicy",
      "DeleteBucketCors",
      "DeleteBucketLifecycle",
      "DeleteBucketReplication",
    ]),
  },
  {
    id: "config-changes",
    description: "AWS Config recording or delivery was stopped or changed",
    pattern: fromSource("config.amazonaws.com", [
      "StopConfigurationRecorder",
      "DeleteDeliveryChannel",
      "PutDeliveryChannel",
      "PutConfigurationRecorder",
    ]),
  },
  {
    id: "security-group-changes",
    description: "A security group or its rules changed",
    pattern: `{ ${anyEvent([
      "AuthorizeSecurityGroupIngress",
      "AuthorizeSecurityGroupEgress",
      "RevokeSecurityGroupIngress",
      "RevokeSecurityGroupEgress",
      "CreateSecurityGroup",
      "DeleteSecurityGroup",
    ])} }`,
  },
  {
    id: "nacl-changes",
    description: "A network ACL or its entries changed",
    pattern: `{ ${anyEvent([
      "CreateNetworkAcl",
      "CreateNetworkAclEntry",
      "DeleteNetworkAcl",
      "DeleteNetworkAclEntry",
      "ReplaceNetworkAclEntry",
      "ReplaceNetworkAclAssociation",
    ])} }`,
  },
  {
    id: "network-gateway-changes",
    description: "An internet or customer gateway was created, attached, detached or deleted",
    pattern: `{ ${anyEvent([
      "CreateCustomerGateway",
      "DeleteCustomerGateway",
      "AttachInternetGateway",
      "CreateInternetGateway",
      "DeleteInternetGateway",
      "DetachInternetGateway",
    ])} }`,
  },
  {
    id: "route-table-changes",
    description: "A route or route table changed",
    pattern: `{ (($.eventSource = ec2.amazonaws.com) && ${anyEvent([
      "CreateRoute",
      "CreateRouteTable",
      "ReplaceRoute",
      "ReplaceRouteTableAssociation",
      "DeleteRouteTable",
      "DeleteRoute",
      "DisassociateRouteTable",
    ])}) }`,
  },
  {
    id: "vpc-changes",
    description: "A VPC or a peering connection changed",
    pattern: `{ ${anyEvent([
      "CreateVpc",
      "DeleteVpc",
      "ModifyVpcAttribute",
      "AcceptVpcPeeringConnection",
      "CreateVpcPeeringConnection",
      "DeleteVpcPeeringConnection",
      "RejectVpcPeeringConnection",
      "AttachClassicLinkVpc",
      "DetachClassicLinkVpc",
      "DisableVpcClassicLink",
      "EnableVpcClassicLink",
    ])} }`,
  },
];

/** Every assumption of the break-glass role, whoever makes it. */
export function breakGlassMonitor(roleArn: string): Monitor {
  return {
    id: "break-glass-use",
    description: "Someone assumed the break-glass administrator role",
    pattern: `{ ($.eventSource = sts.amazonaws.com) && ($.eventName = AssumeRole) && ($.requestParameters.roleArn = "${roleArn}") }`,
  };
}

/** GuardDuty findings of high or critical severity, as EventBridge matches them. */
export function guardDutyPattern(): Record<string, unknown> {
  return {
    source: ["aws.guardduty"],
    "detail-type": ["GuardDuty Finding"],
    detail: { severity: [{ numeric: [">=", HIGH_SEVERITY] }] },
  };
}

/**
 * Who may publish: this account's CloudWatch alarms in this region, and this stack's EventBridge
 * rules (GuardDuty findings, AWS Backup job failures), each named by its ARN; TLS only. The source
 * ARN is what each service presents: CloudWatch the alarm ("Why didn't I receive an SNS notification
 * for my CloudWatch alarm trigger?", AWS re:Post Knowledge Center,
 * https://repost.aws/knowledge-center/cloudwatch-receive-sns-for-alarm-trigger), EventBridge the rule
 * ("Using resource-based policies for Amazon EventBridge",
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html). The key's
 * side is in infra/keys/policy.ts.
 */
export function alertTopicPolicy(
  topicArn: string,
  accountId: string,
  ruleArns: string | readonly string[],
): PolicyDocument {
  const [, partition, , region] = topicArn.split(":");
  return policyDocument([
    {
      Sid: "AlarmsPublish",
      Effect: "Allow",
      Principal: { Service: "cloudwatch.amazonaws.com" },
      Action: "sns:Publish",
      Resource: topicArn,
      Condition: {
        ArnLike: { "aws:SourceArn": `arn:${partition}:cloudwatch:${region}:${accountId}:alarm:*` },
      },
    },
    {
      Sid: "RulesPublish",
      Effect: "Allow",
      Principal: { Service: "events.amazonaws.com" },
      Action: "sns:Publish",
      Resource: topicArn,
      Condition: { ArnEquals: { "aws:SourceArn": [ruleArns].flat() } },
    },
    denyInsecurePublish(topicArn),
  ]);
}

/** Refuses every publication to the topic that does not come over TLS. */
export function denyInsecurePublish(topicArn: string): Statement {
  return {
    Sid: "DenyInsecureTransport",
    Effect: "Deny",
    Principal: "*",
    Action: "sns:Publish",
    Resource: topicArn,
    Condition: { Bool: { "aws:SecureTransport": "false" } },
  };
}

export interface AlertsArgs {
  readonly accountId: string;
  readonly logsKeyArn: pulumi.Input<string>;
  readonly emails: readonly string[];
  /**
   * The detector whose findings are forwarded; absent when the organization runs GuardDuty (the
   * rule stays: it routes whatever findings reach this account's event bus, and costs nothing).
   */
  readonly detector?: aws.guardduty.Detector;
  /** More events to forward (AWS Backup job failures), one rule each. @default none */
  readonly routes?: readonly AlertRoute[];
}

export interface Alerts {
  readonly topic: aws.sns.Topic;
  readonly findingsRule: aws.cloudwatch.EventRule;
  /** The rules of the other routes, by route id. */
  readonly routeRules: Readonly<Record<string, aws.cloudwatch.EventRule>>;
}

/** The encrypted alert topic, its subscriptions, and the GuardDuty findings rule of the region. */
export function alertTopic(parent: pulumi.Resource, name: string, args: AlertsArgs): Alerts {
  const child = { parent };
  const topic = new aws.sns.Topic(
    `${name}-security-alerts`,
    {
      name: `${name}-security-alerts`,
      kmsMasterKeyId: args.logsKeyArn,
      tags: { Name: `${name}-security-alerts` },
    },
    child,
  );
  args.emails.forEach(
    (email, i) =>
      new aws.sns.TopicSubscription(
        `${name}-security-alerts-${i}`,
        { topic: topic.arn, protocol: "email", endpoint: email },
        child,
      ),
  );
  const findingsRule = new aws.cloudwatch.EventRule(
    `${name}-guardduty-high`,
    {
      name: `${name}-guardduty-high`,
      description: `GuardDuty findings of severity ${HIGH_SEVERITY} or more`,
      eventPattern: JSON.stringify(guardDutyPattern()),
      tags: { Name: `${name}-guardduty-high` },
    },
    { ...child, dependsOn: args.detector ? [args.detector] : [] },
  );
  const routeRules: Record<string, aws.cloudwatch.EventRule> = {};
  for (const route of args.routes ?? []) {
    const rule = new aws.cloudwatch.EventRule(
      `${name}-${route.id}`,
      {
        name: `${name}-${route.id}`,
        description: route.description,
        eventPattern: JSON.stringify(route.pattern),
        tags: { Name: `${name}-${route.id}` },
      },
      child,
    );
    new aws.cloudwatch.EventTarget(
      `${name}-${route.id}`,
      { rule: rule.name, arn: topic.arn },
      child,
    );
    routeRules[route.id] = rule;
  }
  const ruleArns = [findingsRule, ...Object.values(routeRules)].map((r) => r.arn);
  new aws.sns.TopicPolicy(
    `${name}-security-alerts`,
    {
      arn: topic.arn,
      policy: pulumi
        .all([topic.arn, pulumi.all(ruleArns)])
        .apply(([t, rules]) => JSON.stringify(alertTopicPolicy(t, args.accountId, rules))),
    },
    child,
  );
  new aws.cloudwatch.EventTarget(
    `${name}-guardduty-high`,
    { rule: findingsRule.name, arn: topic.arn },
    child,
  );
  return { topic, findingsRule, routeRules };
}

/** One metric filter and one alarm per monitor, on the trail's log group, to the topic. */
export function monitorAlarms(
  parent: pulumi.Resource,
  name: string,
  logGroup: aws.cloudwatch.LogGroup,
  topic: aws.sns.Topic,
  monitors: readonly Monitor[],
): aws.cloudwatch.MetricAlarm[] {
  const child = { parent };
  return monitors.map((monitor) => {
    const metricName = `${name}-${monitor.id}`;
    new aws.cloudwatch.LogMetricFilter(
      `${name}-${monitor.id}`,
      {
        name: metricName,
        logGroupName: logGroup.name,
        pattern: monitor.pattern,
        metricTransformation: {
          name: metricName,
          namespace: METRIC_NAMESPACE,
          value: "1",
          defaultValue: "0",
        },
      },
      child,
    );
    return new aws.cloudwatch.MetricAlarm(
      `${name}-${monitor.id}`,
      {
        name: metricName,
        alarmDescription: `${monitor.description} (CloudTrail, ${name}).`,
        namespace: METRIC_NAMESPACE,
        metricName,
        statistic: "Sum",
        period: 300,
        evaluationPeriods: 1,
        threshold: 1,
        comparisonOperator: "GreaterThanOrEqualToThreshold",
        treatMissingData: "notBreaching",
        alarmActions: [topic.arn],
        tags: { Name: metricName },
      },
      child,
    );
  });
}
