import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { SecureBucket } from "../data/buckets";
import { ServiceProviders, stackCreates } from "../organization";
import { alertTopic, breakGlassMonitor, CIS_MONITORS, monitorAlarms } from "./alarms";
import { configRecording } from "./config";
import { accessAnalyzer, guardDuty, securityHub } from "./detection";
import { accountTrail, logArchive } from "./trail";
import type { AlertRoute } from "../alerts";

export {
  ARCHIVE_COLD_AFTER_DAYS,
  TRAIL_PREFIX,
  archiveBucketPolicy,
  trailSelectors,
} from "./trail";
export {
  CONFIG_PREFIX,
  CONFIG_RULES,
  CONFIG_SERVICE_LINKED_ROLE,
  configBucketPolicy,
  configReplicationPolicy,
  configServiceLinkedRoleArn,
} from "./config";
export { GUARDDUTY_FEATURES, SECURITY_HUB_STANDARDS } from "./detection";
export {
  CIS_MONITORS,
  HIGH_SEVERITY,
  METRIC_NAMESPACE,
  alertTopicPolicy,
  breakGlassMonitor,
  guardDutyPattern,
} from "./alarms";

export interface AuditArgs {
  readonly region: string;
  readonly partition: string;
  readonly accountId: string;
  readonly logsKeyArn: pulumi.Input<string>;
  /** Create the account-wide trail and record global resources here (the primary stack). */
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
  /** Protect and retain the archive and the Config bucket. @default true */
  readonly protect?: boolean;
  /**
   * Who provides GuardDuty, Security Hub, AWS Config, Access Analyzer and the trail: a service the
   * organization provides is not created here, nor anything that only serves it.
   * @default every one "stack"
   */
  readonly organizationServices?: Partial<ServiceProviders>;
}

/**
 * Audit and detection in a region (45 CFR 164.308(a)(1)(ii)(D), 164.308(a)(6), 164.312(b)): a
 * write-once log archive; in the primary, the multi-region CloudTrail trail with data events on
 * every PHI bucket of both regions; GuardDuty, Security Hub and IAM Access Analyzer
 * (./detection.ts); AWS Config under its service-linked role, delivering to a bucket of its own that
 * replicates into the archive, with managed rules; high-severity findings and, in the primary, the
 * CIS metric alarms on the trail, to an encrypted alert topic. The singletons an organization
 * provides (`organizationServices`) are left out.
 */
export class Audit extends pulumi.ComponentResource {
  public readonly detector?: aws.guardduty.Detector;
  public readonly securityHub?: aws.securityhub.Account;
  public readonly accessAnalyzer?: aws.accessanalyzer.Analyzer;
  public readonly archive: SecureBucket;
  public readonly trail?: aws.cloudtrail.Trail;
  public readonly recorder?: aws.cfg.Recorder;
  /** AWS Config's delivery bucket, when this stack runs the recorder. */
  public readonly configBucket?: SecureBucket;
  public readonly configRules: aws.cfg.Rule[];
  public readonly alertTopic: aws.sns.Topic;
  public readonly alarms: aws.cloudwatch.MetricAlarm[] = [];

  constructor(name: string, args: AuditArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("ehealth:audit:Audit", name, {}, opts);
    const creates = (service: Parameters<typeof stackCreates>[1]) =>
      stackCreates(args.organizationServices, service);

    if (creates("guardDuty")) this.detector = guardDuty(this, name);
    if (creates("securityHub")) {
      this.securityHub = securityHub(this, name, args.partition, args.region);
    }
    if (creates("accessAnalyzer")) this.accessAnalyzer = accessAnalyzer(this, name);

    const protect = args.protect ?? true;
    const { archive, accessLogs } = logArchive(this, name, {
      logsKeyArn: args.logsKeyArn,
      accountId: args.accountId,
      partition: args.partition,
      retentionDays: args.archiveRetentionDays ?? 2190,
      lockMode: args.archiveLockMode ?? "COMPLIANCE",
      protect,
    });
    this.archive = archive;
    const recording = configRecording(this, name, {
      partition: args.partition,
      accountId: args.accountId,
      region: args.region,
      archive,
      accessLogBucket: accessLogs,
      logsKeyArn: args.logsKeyArn,
      primary: args.primary,
      createRecorder: creates("config"),
      // The secondary is deployed first (docs/runbooks/first-deployment.md), and both regions'
      // recorders need the account's one service-linked role: the secondary creates it.
      createServiceLinkedRole: !args.primary,
      protect,
    });
    this.recorder = recording.recorder;
    this.configBucket = recording.bucket;
    this.configRules = recording.rules;

    const alerts = alertTopic(this, name, {
      accountId: args.accountId,
      logsKeyArn: args.logsKeyArn,
      emails: args.alertEmails,
      ...(this.detector ? { detector: this.detector } : {}),
      routes: args.alertRoutes ?? [],
    });
    this.alertTopic = alerts.topic;

    // The CIS alarms read the trail's log group: with the organization's trail they are the
    // organization's to raise (its trail's log group lives in its own account).
    if (args.primary && creates("trail")) {
      const { trail, logGroup } = accountTrail(this, name, {
        archive,
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
      archiveBucket: archive.bucket,
      alertTopicArn: this.alertTopic.arn,
      ...(this.detector ? { detectorId: this.detector.id } : {}),
      ...(this.accessAnalyzer ? { accessAnalyzerArn: this.accessAnalyzer.arn } : {}),
      ...(this.configBucket ? { configBucket: this.configBucket.bucket } : {}),
    });
  }
}
