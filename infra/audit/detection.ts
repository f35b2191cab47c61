/**
 * Detection in a region: GuardDuty with S3, malware and RDS login protection, Security Hub with the
 * foundational and CIS standards, and an account IAM Access Analyzer (164.308(a)(1)(ii)(D),
 * 164.308(a)(6)(ii)). Each is a region singleton: the organization may provide it instead.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

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

/** The GuardDuty detector of the region, with the protections of GUARDDUTY_FEATURES. */
export function guardDuty(parent: pulumi.Resource, name: string): aws.guardduty.Detector {
  const child = { parent };
  const detector = new aws.guardduty.Detector(
    name,
    { enable: true, findingPublishingFrequency: "FIFTEEN_MINUTES", tags: { Name: name } },
    child,
  );
  for (const feature of GUARDDUTY_FEATURES) {
    new aws.guardduty.DetectorFeature(
      `${name}-${feature.toLowerCase().replace(/_/g, "-")}`,
      { detectorId: detector.id, name: feature, status: "ENABLED" },
      child,
    );
  }
  return detector;
}

/** Security Hub in the region, subscribed to SECURITY_HUB_STANDARDS. */
export function securityHub(
  parent: pulumi.Resource,
  name: string,
  partition: string,
  region: string,
): aws.securityhub.Account {
  // Controls report once per control across standards, and new controls turn on by themselves.
  const account = new aws.securityhub.Account(
    name,
    {
      enableDefaultStandards: false,
      controlFindingGenerator: "SECURITY_CONTROL",
      autoEnableControls: true,
    },
    { parent },
  );
  for (const path of Object.values(SECURITY_HUB_STANDARDS)) {
    new aws.securityhub.StandardsSubscription(
      `${name}-${path.split("/")[0]}`,
      { standardsArn: `arn:${partition}:securityhub:${region}::standards/${path}` },
      { parent, dependsOn: [account] },
    );
  }
  return account;
}

/** An IAM Access Analyzer for the account, in the region. */
export function accessAnalyzer(parent: pulumi.Resource, name: string): aws.accessanalyzer.Analyzer {
  return new aws.accessanalyzer.Analyzer(
    name,
    { analyzerName: name, type: "ACCOUNT", tags: { Name: name } },
    { parent },
  );
}
