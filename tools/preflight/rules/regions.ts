/** Regions: subnets in their provider's region, and references to other regions only where AWS allows them. */
import { ProgramGraph, Res, block, findAcross, isString, label, list } from "../graph";
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
  "regionalCertificateArn",
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

/**
 * Blocks that name other regions' resources by design: replication destinations, backup copies,
 * trail data events, and the replicas of DynamoDB global tables and Secrets Manager secrets (each
 * replica is encrypted with a key of its own region).
 */
const CROSS_REGION_BLOCKS = new Set([
  "destination",
  "copyActions",
  "advancedEventSelectors",
  "replicas",
  "replica",
]);

/** Inputs that name a resource in us-east-1 whatever the resource's region (US_EAST_1 below). */
const EDGE_INPUTS: Readonly<Record<string, readonly string[]>> = {
  "aws:cognito/userPoolDomain:UserPoolDomain": ["certificateArn"],
  "aws:apigateway/domainName:DomainName": ["certificateArn"],
  "aws:appsync/domainName:DomainName": ["certificateArn"],
};

function* walk(value: unknown, key = ""): Generator<[string, string]> {
  if (isString(value)) yield [key, value];
  else if (Array.isArray(value)) for (const v of value) yield* walk(v, key);
  else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      if (CROSS_REGION_BLOCKS.has(k)) continue;
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
          if (!key || EDGE_INPUTS[r.type]?.includes(key)) continue;
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

const US_EAST_1 = "us-east-1";

/** Where a value (a program resource, or an ARN) lives: its region, and what it is for the message. */
function locate(
  graphs: readonly ProgramGraph[],
  value: unknown,
): { region: string; what: string; resource?: Res } | undefined {
  if (!isString(value)) return undefined;
  const found = findAcross(graphs, value);
  if (found)
    return {
      region: found.graph.regionOf(found.resource),
      what: label(found.resource),
      resource: found.resource,
    };
  const region = /^arn:[^:]+:[^:]+:([a-z0-9-]+):/.exec(value)?.[1];
  return region ? { region, what: value } : undefined;
}

/**
 * CloudFront is global and takes its certificates, web ACLs and Lambda@Edge functions from
 * us-east-1 only; so do the custom domains built on it (edge-optimized API Gateway, Cognito, AppSync).
 */
export const edgeInUsEast1: AccountRule = {
  id: "region-edge-resources-us-east-1",
  family: "regions",
  kind: "fails-deploy",
  scope: "account",
  description:
    "CloudFront uses ACM certificates, CLOUDFRONT-scope WAF web ACLs and Lambda@Edge functions from us-east-1 only, and so do edge-optimized API Gateway, Cognito and AppSync custom domains; a CLOUDFRONT-scope WAF resource is created in us-east-1.",
  reference: {
    title:
      "Amazon CloudFront Developer Guide: Requirements for using SSL/TLS certificates with CloudFront (request the certificate in us-east-1)",
    url: "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cnames-and-https-requirements.html",
  },
  check(graphs) {
    const hits: RuleHit[] = [];
    const refuse = (r: Res, property: string, value: unknown, fix: string) => {
      const where = locate(graphs, value);
      if (!where || where.region === US_EAST_1) return;
      hits.push({
        urn: r.urn,
        message: `${label(r)}: ${property} names ${where.what} in ${where.region}; AWS takes it from us-east-1 only. ${fix}`,
      });
    };
    const inUsEast1 = "Create it with a provider for us-east-1.";
    for (const g of graphs) {
      for (const d of g.ofType("aws:cloudfront/distribution:Distribution")) {
        refuse(
          d,
          "viewerCertificate.acmCertificateArn",
          block(d.inputs.viewerCertificate).acmCertificateArn,
          `Request the certificate in us-east-1 (a certificate with a provider for us-east-1).`,
        );
        const acl = d.inputs.webAclId;
        const aclResource = findAcross(graphs, acl, "aws:wafv2/webAcl:WebAcl")?.resource;
        if (aclResource && aclResource.inputs.scope !== "CLOUDFRONT") {
          hits.push({
            urn: d.urn,
            message: `${label(d)}: webAclId names ${label(aclResource)}, whose scope is ${String(aclResource.inputs.scope)}; CloudFront takes only a CLOUDFRONT-scope web ACL (in us-east-1). Set scope "CLOUDFRONT" and create it with a provider for us-east-1.`,
          });
        } else if (isString(acl) && acl.startsWith("arn:")) {
          refuse(d, "webAclId", acl, inUsEast1);
        }
        const behaviors = [
          block(d.inputs.defaultCacheBehavior),
          ...list(d.inputs.orderedCacheBehaviors).map(block),
        ];
        for (const b of behaviors) {
          for (const f of list(b.lambdaFunctionAssociations).map(block)) {
            refuse(d, "lambdaFunctionAssociations.lambdaArn", f.lambdaArn, inUsEast1);
          }
        }
      }
      for (const [type, keys] of Object.entries(EDGE_INPUTS)) {
        for (const r of g.ofType(type)) {
          // API Gateway's regional domains take regionalCertificateArn, of their own region.
          if (isString(r.inputs.regionalCertificateArn)) continue;
          for (const key of keys) {
            refuse(r, key, r.inputs[key], `Request the certificate in us-east-1.`);
          }
        }
      }
      for (const r of g.resources) {
        if (!r.type.startsWith("aws:wafv2/") || r.inputs.scope !== "CLOUDFRONT") continue;
        const region = g.regionOf(r);
        if (region === US_EAST_1) continue;
        hits.push({
          urn: r.urn,
          message: `${label(r)}: scope CLOUDFRONT in ${region}; WAF creates CLOUDFRONT-scope resources only in us-east-1. ${inUsEast1}`,
        });
      }
    }
    return hits;
  },
};
