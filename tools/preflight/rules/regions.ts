/** Regions: subnets in their provider's region, and references to other regions only where AWS allows them. */
import { Res, findAcross, isString, label } from "../graph";
import type { AccountRule, RuleHit, StackRule } from "../types";

export const subnetZone: StackRule = {
  id: "region-subnet-availability-zone",
  family: "regions",
  kind: "fails-deploy",
  scope: "stack",
  description:
    "A subnet's Availability Zone belongs to the region of the provider that creates it (a zone of another region is refused); Local and Wavelength Zones are their own kind and lack NAT gateways and most services.",
  reference: {
    title: "Amazon EC2 API Reference: CreateSubnet (AvailabilityZone)",
    url: "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSubnet.html",
  },
  check(g) {
    const hits: RuleHit[] = [];
    for (const subnet of g.ofType("aws:ec2/subnet:Subnet")) {
      const az = subnet.inputs.availabilityZone;
      if (!isString(az)) continue;
      const region = g.regionOf(subnet);
      if (!az.startsWith(region)) {
        hits.push({
          urn: subnet.urn,
          message: `${label(subnet)}: availabilityZone "${az}" is not in ${region}, the region of its provider; use one of ${region}'s zones.`,
        });
      } else if (!new RegExp(`^${region}[a-z]$`).test(az)) {
        hits.push({
          urn: subnet.urn,
          message: `${label(subnet)}: availabilityZone "${az}" is a Local or Wavelength Zone, not a standard zone of ${region}; look zones up with the filter opt-in-status = opt-in-not-required.`,
        });
      }
    }
    return hits;
  },
};

/**
 * Inputs that must name a resource of the same region. Cross-region references AWS allows
 * (replication destinations and replica keys, backup copy vaults, trail data event selectors, IAM
 * policies, Route 53) are not among them.
 */
const SAME_REGION_KEYS = new Set([
  "kmsKeyId",
  "kmsKeyArn",
  "kmsMasterKeyId",
  "keyArn",
  "s3KmsKeyArn",
  "performanceInsightsKmsKeyId",
  "masterUserSecretKmsKeyId",
  "certificateArn",
  "targetGroupArns",
  "alarmActions",
  "okActions",
  "webAclArn",
  "resourceArn",
  "logDestinationConfigs",
  "cloudWatchLogsGroupArn",
  "lambdaFunctionArn",
  "topicArn",
  "queueArn",
  "deadLetterConfig",
  "targetArn",
]);

function* walk(value: unknown, key = ""): Generator<[string, string]> {
  if (isString(value)) yield [key, value];
  else if (Array.isArray(value)) for (const v of value) yield* walk(v, key);
  else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      // Replication destinations and backup copies are the documented cross-region references.
      if (k === "destination" || k === "copyActions" || k === "advancedEventSelectors") continue;
      yield* walk(v, SAME_REGION_KEYS.has(k) ? k : key);
    }
  }
}

export const crossRegionReference: AccountRule = {
  id: "region-cross-region-reference",
  family: "regions",
  kind: "fails-deploy",
  scope: "account",
  description:
    "KMS keys, certificates, target groups, topics, queues, functions, log groups and web ACLs are used from their own region only; only replication destinations, backup copy vaults and trail data events may name another region's resources.",
  reference: {
    title:
      "AWS KMS Developer Guide: Multi-Region keys (a single-Region key is used only in its Region)",
    url: "https://docs.aws.amazon.com/kms/latest/developerguide/multi-region-keys-overview.html",
  },
  check(graphs) {
    const hits: RuleHit[] = [];
    for (const g of graphs) {
      for (const r of g.resources) {
        if (!r.custom || r.type.startsWith("pulumi:")) continue;
        const region = g.regionOf(r);
        for (const [key, value] of walk(r.inputs)) {
          if (!key) continue;
          const arnRegion = /^arn:[^:]+:[^:]+:([a-z0-9-]*):/.exec(value)?.[1];
          const target = findAcross(graphs, value);
          const targetRegion = target ? target.graph.regionOf(target.resource) : arnRegion;
          if (
            !targetRegion ||
            targetRegion === region ||
            (target && target.resource.type.startsWith("aws:iam/"))
          )
            continue;
          hits.push({
            urn: r.urn,
            message: `${label(r)}: ${key} names ${target ? label(target.resource as Res) : value} in ${targetRegion}, but ${r.name} is in ${region}; AWS uses such a resource only in its own region. Use one in ${region}.`,
          });
        }
      }
    }
    return hits;
  },
};
