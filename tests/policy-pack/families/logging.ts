/** Logging: trails, flow logs, access logs, log exports, WAF logging, log retention. */
import fc from "fast-check";
import { res } from "../fixtures";
import { Family, customerKey, rotated } from "./family";

export const LOGGING: Family[] = [];
const family = (f: Family) => LOGGING.push(f);

// ---- CloudTrail: a trail that logs, everywhere, provably, to CloudWatch Logs ----
const TRAIL = "aws:cloudtrail/trail:Trail";
const GROUP_ARN = "arn:aws:logs:eu-west-1:123456789012:log-group:trail";
/** A secure trail, written with the optional settings omitted or spelled out. */
const secureTrail = fc
  .record({
    enableLogging: fc.constantFrom<boolean | undefined>(undefined, true),
    includeGlobalServiceEvents: fc.constantFrom<boolean | undefined>(undefined, true),
    isOrganizationTrail: fc.constantFrom<boolean | undefined>(undefined, false, true),
    group: fc.constantFrom(GROUP_ARN, `${GROUP_ARN}:*`),
    kmsKeyId: customerKey,
  })
  .map((t) => ({
    s3BucketName: "trail-archive",
    isMultiRegionTrail: true,
    enableLogFileValidation: true,
    cloudWatchLogsGroupArn: t.group,
    cloudWatchLogsRoleArn: "arn:aws:iam::123456789012:role/trail-to-logs",
    kmsKeyId: t.kmsKeyId,
    ...(t.enableLogging === undefined ? {} : { enableLogging: t.enableLogging }),
    ...(t.includeGlobalServiceEvents === undefined
      ? {}
      : { includeGlobalServiceEvents: t.includeGlobalServiceEvents }),
    ...(t.isOrganizationTrail === undefined ? {} : { isOrganizationTrail: t.isOrganizationTrail }),
  }));
family({
  policy: "cloudtrail-trail-enforce-integrity",
  name: "a logging, multi-region, validated trail delivering to CloudWatch Logs, defaults omitted or spelled out",
  caught: false,
  variants: secureTrail.map((t) => [res(TRAIL, "trail", t)]),
});
/** One way to break a trail: off, one region, no global events, no validation, no delivery. */
const trailFlaw = fc.oneof(
  fc.constant({ enableLogging: false }),
  fc.constantFrom<unknown>(false, undefined).map((v) => ({ isMultiRegionTrail: v })),
  fc.constant({ includeGlobalServiceEvents: false }),
  fc.constantFrom<unknown>(false, undefined).map((v) => ({ enableLogFileValidation: v })),
  fc
    .constantFrom<unknown>(undefined, "", "  ")
    .map((v) => ({ cloudWatchLogsGroupArn: v, cloudWatchLogsRoleArn: undefined })),
);
family({
  policy: "cloudtrail-trail-enforce-integrity",
  name: "a trail switched off, single-region, without global events, unvalidated or undelivered (the flaw set false, omitted or blank)",
  caught: true,
  variants: fc.tuple(secureTrail, trailFlaw).map(([t, flaw]) => {
    const props: Record<string, unknown> = { ...t, ...flaw };
    for (const k of Object.keys(props)) if (props[k] === undefined) delete props[k];
    return [res(TRAIL, "trail", props)];
  }),
});

// ---- VPC flow logs: every VPC, all traffic ----
const VPC = "aws:ec2/vpc:Vpc";
const FLOW = "aws:ec2/flowLog:FlowLog";
const destination = fc.constantFrom<Record<string, unknown>>(
  { logDestinationType: "cloud-watch-logs", logGroupName: "flow", iamRoleArn: "arn:r" },
  { logDestinationType: "s3", logDestination: "arn:aws:s3:::flow-logs" },
  { logDestination: "arn:aws:logs:eu-west-1:123456789012:log-group:flow", iamRoleArn: "arn:r" },
);
/**
 * ALL, or ACCEPT and REJECT in two flow logs: the union is the same record. AWS: "Flow log
 * records" (traffic type ACCEPT, REJECT or ALL),
 * https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs.html
 */
const fullTraffic = fc.constantFrom(["ALL"], ["ACCEPT", "REJECT"], ["REJECT", "ACCEPT", "ALL"]);
family({
  policy: "ec2-vpc-enable-flow-logs",
  name: "every VPC logs ALL traffic (one flow log, or ACCEPT and REJECT in two), to CloudWatch Logs or S3",
  caught: false,
  variants: fc
    .tuple(fc.integer({ min: 1, max: 3 }), fullTraffic, destination, fc.nat())
    .map(([n, traffic, dest, seed]) =>
      rotated(
        Array.from({ length: n }, (_, v) => [
          res(VPC, `vpc${v}`, { cidrBlock: `10.${v}.0.0/16` }),
          ...traffic.map((t, i) =>
            res(FLOW, `flow${v}-${i}`, { vpcId: `vpc${v}-id`, trafficType: t, ...dest }),
          ),
        ]).flat(),
        seed,
      ),
    ),
});
family({
  policy: "ec2-vpc-enable-flow-logs",
  name: "a VPC with no flow log, only accepted or only rejected traffic, or flow logs of another VPC or a subnet",
  caught: true,
  variants: fc
    .tuple(
      fc.constantFrom("none", "ACCEPT", "REJECT", "other-vpc", "subnet"),
      destination,
      fc.nat(),
    )
    .map(([flaw, dest, seed]) =>
      rotated(
        [
          res(VPC, "vpc", { cidrBlock: "10.0.0.0/16" }),
          res(VPC, "other", { cidrBlock: "10.9.0.0/16" }),
          res(FLOW, "flow-other", { vpcId: "other-id", trafficType: "ALL", ...dest }),
          ...(flaw === "ACCEPT" || flaw === "REJECT"
            ? [res(FLOW, "flow", { vpcId: "vpc-id", trafficType: flaw, ...dest })]
            : flaw === "subnet"
              ? [res(FLOW, "flow", { subnetId: "sub-id", trafficType: "ALL", ...dest })]
              : []),
        ],
        seed,
      ),
    ),
});

// ---- load balancer access logs: application/network (enabled defaults to false) and classic ----
const LB_TYPES = ["aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"];
const CLASSIC = "aws:elb/loadBalancer:LoadBalancer";
family({
  policy: "elb-loadbalancer-enable-access-logs",
  name: "application and network load balancers with accessLogs enabled true and a bucket; classic ones with a bucket (enabled defaults to true)",
  caught: false,
  variants: fc
    .tuple(
      fc.constantFrom(...LB_TYPES, CLASSIC),
      fc.constantFrom("application", "network"),
      fc.constantFrom<boolean | undefined>(true, undefined),
      fc.constantFrom<string | undefined>(undefined, "alb/"),
    )
    .map(([type, kind, classicEnabled, prefix]) => [
      type === CLASSIC
        ? res(type, "lb", {
            accessLogs: {
              bucket: "lb-logs",
              ...(classicEnabled === undefined ? {} : { enabled: classicEnabled }),
              ...(prefix ? { bucketPrefix: prefix } : {}),
            },
          })
        : res(type, "lb", {
            loadBalancerType: kind,
            accessLogs: { bucket: "lb-logs", enabled: true, ...(prefix ? { prefix } : {}) },
          }),
    ]),
});
family({
  policy: "elb-loadbalancer-enable-access-logs",
  name: "load balancers without access logs: none, disabled, a blank bucket, or (application/network) a bucket without enabled",
  caught: true,
  variants: fc
    .tuple(
      fc.constantFrom(...LB_TYPES, CLASSIC),
      fc.constantFrom<Record<string, unknown> | undefined>(
        undefined,
        { bucket: "lb-logs", enabled: false },
        { bucket: "", enabled: true },
        { bucket: "lb-logs" },
      ),
    )
    .filter(([type, logs]) => !(type === CLASSIC && logs && logs.enabled === undefined))
    .map(([type, logs]) => [res(type, "lb", logs ? { accessLogs: logs } : {})]),
});

// ---- RDS log exports ----
const RDS_INSTANCE = "aws:rds/instance:Instance";
const RDS_CLUSTER = "aws:rds/cluster:Cluster";
const engineLogs = fc.constantFrom(
  ["postgres", ["postgresql", "upgrade"]],
  ["aurora-postgresql", ["postgresql"]],
  ["mysql", ["audit", "error", "general", "slowquery"]],
  ["aurora-mysql", ["audit", "error"]],
  ["mariadb", ["error"]],
) as fc.Arbitrary<[string, string[]]>;
family({
  policy: "rds-instance-enable-log-exports",
  name: "instances and clusters exporting their engine's logs",
  caught: false,
  variants: fc
    .tuple(fc.constantFrom(RDS_INSTANCE, RDS_CLUSTER), engineLogs)
    .map(([type, [engine, logs]]) => [
      res(type, "db", { engine, enabledCloudwatchLogsExports: logs }),
    ]),
});
family({
  policy: "rds-instance-enable-log-exports",
  name: "instances and clusters exporting nothing (omitted or empty)",
  caught: true,
  variants: fc
    .tuple(fc.constantFrom(RDS_INSTANCE, RDS_CLUSTER), engineLogs, fc.boolean())
    .map(([type, [engine], empty]) => [
      res(type, "db", { engine, ...(empty ? { enabledCloudwatchLogsExports: [] } : {}) }),
    ]),
});

// ---- WAFv2 logging: a logging configuration naming the ACL's ARN ----
const ACL = "aws:wafv2/webAcl:WebAcl";
const WAF_LOGGING = "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration";
const aclArn = (name: string) => `arn:aws:test:eu-west-1:123456789012:${name}`;
const wafDestination = fc.constantFrom(
  "arn:aws:logs:eu-west-1:123456789012:log-group:aws-waf-logs-portal",
  "arn:aws:s3:::aws-waf-logs-portal",
  "arn:aws:firehose:eu-west-1:123456789012:deliverystream/aws-waf-logs-portal",
);
family({
  policy: "wafv2-webacl-enable-logging",
  name: "every web ACL (regional or CloudFront) has a logging configuration for its ARN, to logs, S3 or Firehose",
  caught: false,
  variants: fc
    .tuple(fc.integer({ min: 1, max: 3 }), wafDestination, fc.nat())
    .map(([n, dest, seed]) =>
      rotated(
        Array.from({ length: n }, (_, i) => [
          res(ACL, `acl${i}`, { scope: i % 2 ? "CLOUDFRONT" : "REGIONAL" }),
          res(WAF_LOGGING, `acl${i}-logging`, {
            resourceArn: aclArn(`acl${i}`),
            logDestinationConfigs: [dest],
          }),
        ]).flat(),
        seed,
      ),
    ),
});
family({
  policy: "wafv2-webacl-enable-logging",
  name: "a web ACL whose logging configuration is missing or names another ACL",
  caught: true,
  variants: fc.tuple(fc.boolean(), wafDestination, fc.nat()).map(([other, dest, seed]) =>
    rotated(
      [
        res(ACL, "acl", { scope: "REGIONAL" }),
        res(ACL, "logged", { scope: "REGIONAL" }),
        res(WAF_LOGGING, "logged-logging", {
          resourceArn: aclArn("logged"),
          logDestinationConfigs: [dest],
        }),
        ...(other
          ? [
              res(WAF_LOGGING, "stray", {
                resourceArn: aclArn("elsewhere"),
                logDestinationConfigs: [dest],
              }),
            ]
          : []),
      ],
      seed,
    ),
  ),
});

// ---- log retention: at least a year, or never expire ----
const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";
/** The values CloudWatch Logs accepts. AWS: PutRetentionPolicy, https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html */
const RETENTION = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192];
family({
  policy: "cloudwatch-loggroup-configure-retention",
  name: "log groups kept 365 days or more, or never expiring (0 or omitted)",
  caught: false,
  variants: fc
    .constantFrom<number | undefined>(undefined, 0, ...RETENTION.filter((d) => d >= 365), 3653)
    .map((days) => [res(LOG_GROUP, "logs", days === undefined ? {} : { retentionInDays: days })]),
});
family({
  policy: "cloudwatch-loggroup-configure-retention",
  name: "log groups that expire events before a year",
  caught: true,
  variants: fc
    .constantFrom(...RETENTION.filter((d) => d < 365))
    .map((days) => [res(LOG_GROUP, "logs", { retentionInDays: days })]),
});
