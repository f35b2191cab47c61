import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { alertTopic, breakGlassMonitor, CIS_MONITORS, monitorAlarms } from "./alarms";
import { configRecording } from "./config";
import { accountTrail, logArchive } from "./trail";
import type { AlertRoute } from "../alerts";

export { TRAIL_PREFIX, archiveBucketPolicy, trailSelectors } from "./trail";
export { CONFIG_PREFIX, CONFIG_RULES, configDeliveryPolicy } from "./config";
export {
  CIS_MONITORS,
  HIGH_SEVERITY,
  METRIC_NAMESPACE,
  alertTopicPolicy,
  breakGlassMonitor,
  guardDutyPattern,
} from "./alarms";

/** GuardDuty protections turned on beyond the foundational data sources. */
export const GUARDDUTY_FEATURES = [
  "S3_DATA_EVENTS",
  "EBS_MALWARE_PROTECTION",
  "RDS_LOGIN_EVENTS",
] as const;

/** Security Hub standards, by their ARN path after `standards/`. */
export const SECURITY_HUB_STANDARDS = {
  "AWS Foundational Security Best Practices": "aws-foundational-security-best-practices/v/1.0.0",
  "CIS AWS Foundations Benchmark": "cis-aws-foundations-benchmark/v/3.0.0",
} as const;

export interface AuditArgs {
  readonly region: string;
  readonly partition: string;
  readonly accountId: string;
  readonly logsKeyArn: pulumi.Input<string>;
  /** Create the account-wide trail here (the primary stack). */
  readonly primary: boolean;
  /** Every PHI bucket of both regions, for the trail's data events. */
  readonly phiBucketArns: pulumi.Input<string[]>;
  /** Days the archive keeps every log, write-once. @default 2190 (six years) */
  readonly archiveRetentionDays?: number;
  /** Object Lock mode of the archive: COMPLIANCE in prod. @default "COMPLIANCE" */
  readonly archiveLockMode?: "COMPLIANCE" | "GOVERNANCE";
  /** Days the trail's log group keeps events. @default 365 */
  readonly logRetentionDays?: number;
  /** Who receives the security alerts (email subscriptions to the alert topic). */
  readonly alertEmails: readonly string[];
  /** More events for the alert topic (AWS Backup job failures), one EventBridge rule each. */
  readonly alertRoutes?: readonly AlertRoute[];
  /** The break-glass role (primary): every assumption of it raises an alarm. */
  readonly breakGlassRoleArn?: string;
  /** Protect and retain the archive. @default true */
  readonly protect?: boolean;
}

/**
 * Audit and detection in a region (45 CFR 164.308(a)(1)(ii)(D), 164.308(a)(6), 164.312(b)). Built
 * so far: a write-once log archive; in the primary, the multi-region CloudTrail trail with data
 * events on every PHI bucket of both regions; GuardDuty with S3, malware and RDS login protection;
 * Security Hub with the AWS Foundational Security Best Practices and CIS standards; IAM Access
 * Analyzer; AWS Config with managed rules; high-severity findings and, in the primary, the CIS
 * metric alarms on the trail, to an encrypted alert topic.
 */
export class Audit extends pulumi.ComponentResource {
  public readonly detector: aws.guardduty.Detector;
  public readonly securityHub: aws.securityhub.Account;
  public readonly accessAnalyzer: aws.accessanalyzer.Analyzer;
  public readonly archive: aws.s3.Bucket;
  public readonly trail?: aws.cloudtrail.Trail;
  public readonly recorder: aws.cfg.Recorder;
  public readonly configRules: aws.cfg.Rule[];
  public readonly alertTopic: aws.sns.Topic;
  public readonly alarms: aws.cloudwatch.MetricAlarm[] = [];

  constructor(name: string, args: AuditArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("ehealth:audit:Audit", name, {}, opts);
    const child = { parent: this };

    this.detector = new aws.guardduty.Detector(
      name,
      { enable: true, findingPublishingFrequency: "FIFTEEN_MINUTES", tags: { Name: name } },
      child,
    );
    for (const feature of GUARDDUTY_FEATURES) {
      new aws.guardduty.DetectorFeature(
        `${name}-${feature.toLowerCase().replace(/_/g, "-")}`,
        { detectorId: this.detector.id, name: feature, status: "ENABLED" },
        child,
      );
    }

    // Controls report once per control across standards, and new controls turn on by themselves.
    this.securityHub = new aws.securityhub.Account(
      name,
      {
        enableDefaultStandards: false,
        controlFindingGenerator: "SECURITY_CONTROL",
        autoEnableControls: true,
      },
      child,
    );
    for (const path of Object.values(SECURITY_HUB_STANDARDS)) {
      new aws.securityhub.StandardsSubscription(
        `${name}-${path.split("/")[0]}`,
        { standardsArn: `arn:${args.partition}:securityhub:${args.region}::standards/${path}` },
        { ...child, dependsOn: [this.securityHub] },
      );
    }

    this.accessAnalyzer = new aws.accessanalyzer.Analyzer(
      name,
      { analyzerName: name, type: "ACCOUNT", tags: { Name: name } },
      child,
    );

    const protect = args.protect ?? true;
    this.archive = logArchive(this, name, {
      logsKeyArn: args.logsKeyArn,
      accountId: args.accountId,
      partition: args.partition,
      retentionDays: args.archiveRetentionDays ?? 2190,
      lockMode: args.archiveLockMode ?? "COMPLIANCE",
      protect,
    });
    const recording = configRecording(this, name, {
      partition: args.partition,
      accountId: args.accountId,
      archive: this.archive,
      logsKeyArn: args.logsKeyArn,
      primary: args.primary,
    });
    this.recorder = recording.recorder;
    this.configRules = recording.rules;

    const alerts = alertTopic(this, name, {
      accountId: args.accountId,
      logsKeyArn: args.logsKeyArn,
      emails: args.alertEmails,
      detector: this.detector,
      routes: args.alertRoutes ?? [],
    });
    this.alertTopic = alerts.topic;

    if (args.primary) {
      const { trail, logGroup } = accountTrail(this, name, {
        archive: this.archive,
        logsKeyArn: args.logsKeyArn,
        accountId: args.accountId,
        logRetentionDays: args.logRetentionDays ?? 365,
        phiBucketArns: args.phiBucketArns,
        protect,
      });
      this.trail = trail;
      const monitors = args.breakGlassRoleArn
        ? [...CIS_MONITORS, breakGlassMonitor(args.breakGlassRoleArn)]
        : CIS_MONITORS;
      this.alarms = monitorAlarms(this, name, logGroup, alerts.topic, monitors);
    }

    this.registerOutputs({
      archiveBucket: this.archive.bucket,
      detectorId: this.detector.id,
      accessAnalyzerArn: this.accessAnalyzer.arn,
      alertTopicArn: this.alertTopic.arn,
    });
  }
}
