import type { PolicyResource } from "@pulumi/policy";
import { RESILIENCE } from "../lib/levels";
import { stackPolicy } from "../lib/policy";
import { obj, stackOf, tagsOf } from "../lib/props";

/** Resources whose deletion loses data (or the means to read it). */
export const STATEFUL_TYPES = [
  "aws:kms/key:Key",
  "aws:rds/instance:Instance",
  "aws:rds/cluster:Cluster",
  "aws:s3/bucket:Bucket",
  "aws:s3/bucketV2:BucketV2",
  "aws:efs/fileSystem:FileSystem",
  "aws:dynamodb/table:Table",
  "aws:backup/vault:Vault",
  "aws:redshift/cluster:Cluster",
  "aws:opensearch/domain:Domain",
  // Patients' and clinicians' sign-in identities: a new pool means re-enrolling everyone.
  "aws:cognito/userPool:UserPool",
];

function environmentOf(r: PolicyResource): string | undefined {
  const own = tagsOf(r.props).Environment;
  if (own) return own;
  const providerTags = r.provider?.props.defaultTags;
  const parsed =
    typeof providerTags === "string" ? (JSON.parse(providerTags) as unknown) : providerTags;
  return (obj(obj(parsed)?.tags) as Record<string, string> | undefined)?.Environment;
}

export const pulumiResourceEnforceProtect = stackPolicy(
  {
    name: "pulumi-resource-enforce-protect",
    description:
      "In production stacks (Environment=prod on the resource or its provider's default tags, or a stack listed in prodStacks), stateful resources carry Pulumi's protect option.",
    enforcementLevel: "mandatory",
    severity: "high",
    hipaa: [...RESILIENCE],
    remediationSteps:
      "Pass { protect: true } (and retainOnDelete: true where data must outlive the stack) when creating the resource.",
    levelReason:
      "Without protect, one pulumi destroy, or a rename that replaces the resource, deletes patient data.",
    configSchema: {
      properties: { prodStacks: { type: "array", items: { type: "string" }, default: [] } },
    },
  },
  STATEFUL_TYPES,
  (resources, report, args) => {
    const { prodStacks } = args.getConfig<{ prodStacks: string[] }>();
    for (const r of resources.filter((x) => STATEFUL_TYPES.includes(x.type))) {
      const prod = environmentOf(r) === "prod" || prodStacks.includes(stackOf(r.urn));
      if (prod && !r.opts.protect) {
        report(
          `${r.name} holds production data without protect: create it with { protect: true, retainOnDelete: true }`,
          r.urn,
        );
      }
    }
  },
);
