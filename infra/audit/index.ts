import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { accountTrail, logArchive } from "./trail";

export { TRAIL_PREFIX, archiveBucketPolicy, trailSelectors } from "./trail";

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
  /** Protect and retain the archive. @default true */
  readonly protect?: boolean;
}

/**
 * Audit and detection in a region (45 CFR 164.308(a)(1)(ii)(D), 164.308(a)(6), 164.312(b)). Built
 * so far: a write-once log archive; in the primary, the multi-region CloudTrail trail with data
 * events on every PHI bucket of both regions; GuardDuty with S3, malware and RDS login protection;
 * Security Hub with the AWS Foundational Security Best Practices and CIS standards; IAM Access
 * Analyzer. AWS Config and the CIS alarms follow.
 */
export class Audit extends pulumi.ComponentResource {
  public readonly detector: aws.guardduty.Detector;
  public readonly securityHub: aws.securityhub.Account;
  public readonly accessAnalyzer: aws.accessanalyzer.Analyzer;
  public readonly archive: aws.s3.Bucket;
  public readonly trail?: aws.cloudtrail.Trail;

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
    if (args.primary) {
      this.trail = accountTrail(this, name, {
        archive: this.archive,
        logsKeyArn: args.logsKeyArn,
        accountId: args.accountId,
        logRetentionDays: args.logRetentionDays ?? 365,
        phiBucketArns: args.phiBucketArns,
        protect,
      });
    }

    this.registerOutputs({
      archiveBucket: this.archive.bucket,
      detectorId: this.detector.id,
      accessAnalyzerArn: this.accessAnalyzer.arn,
    });
  }
}
