import { ANY_TYPE, EhealthResourcePolicy, ResourceCheck, resourcePolicy } from "../lib/policy";
import { tagIs } from "../lib/topology";

/**
 * Pulumi AWS modules of services on AWS's HIPAA Eligible Services Reference that a platform like
 * this one uses (a subset: extend it in the policy config, eligibleServices).
 */
export const DEFAULT_ELIGIBLE_MODULES = [
  "alb",
  "apigateway",
  "apigatewayv2",
  "athena",
  "autoscaling",
  "backup",
  "cloudfront",
  "cloudtrail",
  "cloudwatch",
  "cognito",
  "docdb",
  "dynamodb",
  "ebs",
  "ec2",
  "ecr",
  "ecs",
  "efs",
  "eks",
  "elasticache",
  "elasticsearch",
  "elb",
  "emr",
  "fsx",
  "glue",
  "kinesis",
  "kms",
  "lambda",
  "lb",
  "msk",
  "mq",
  "neptune",
  "opensearch",
  "rds",
  "redshift",
  "redshiftserverless",
  "route53",
  "s3",
  "sagemaker",
  "secretsmanager",
  "sfn",
  "sns",
  "sqs",
  "ssm",
  "transfer",
  "wafv2",
  "workspaces",
];

/** The module of a type token: `aws:rds/instance:Instance` is `rds`. */
export function moduleOf(type: string): string {
  return type.split(":")[1]?.split("/")[0] ?? "";
}

const check: ResourceCheck = (r, report) => {
  // Tags read as the other PHI checks read them (Buckets.isPhi): key and value in any case.
  if (!r.type.startsWith("aws:") || !tagIs(r.props, "DataClassification", "PHI")) return;
  const { eligibleServices } = r.getConfig<{ eligibleServices: string[] }>();
  if (!eligibleServices.includes(moduleOf(r.type))) {
    report(
      `${r.name} is tagged DataClassification=PHI but ${moduleOf(r.type)} is not a HIPAA-eligible service: keep PHI out of it, or add it to eligibleServices once AWS lists it`,
    );
  }
};

/** Applies to every type ("*"): any resource can carry the tag. */
export const taggingResourceEnforcePhiEligibleService: EhealthResourcePolicy = resourcePolicy(
  {
    name: "tagging-resource-enforce-phi-eligible-service",
    description:
      "Resources tagged DataClassification=PHI (key and value in any case) belong to HIPAA-eligible services (the allow-list eligibleServices).",
    enforcementLevel: "mandatory",
    severity: "high",
    hipaa: ["164.308(b)(1)", "164.314(a)(1)"],
    remediationSteps:
      "Keep PHI in an eligible service, or, if AWS has made this one eligible, add its module to eligibleServices in the policy config.",
    levelReason:
      "The BAA with AWS covers only eligible services: PHI anywhere else is outside the agreement.",
    configSchema: {
      properties: {
        eligibleServices: {
          type: "array",
          items: { type: "string" },
          default: DEFAULT_ELIGIBLE_MODULES,
        },
      },
    },
  },
  { [ANY_TYPE]: check },
);
