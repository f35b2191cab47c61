import { RESILIENCE } from "../lib/levels";
import { stackPolicy } from "../lib/policy";
import { SELECTOR_SCHEMA, StackSelector, propertiesOf, selects } from "../lib/stacks";
import { ofType } from "../lib/types";

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

export const pulumiResourceEnforceProtect = stackPolicy(
  {
    name: "pulumi-resource-enforce-protect",
    description:
      "In production (the stacks selector: by default Environment prod or production, read from the provider's default tags or the resource's own), stateful resources carry Pulumi's protect option.",
    enforcementLevel: "mandatory",
    severity: "high",
    hipaa: [...RESILIENCE],
    remediationSteps:
      "Pass { protect: true } (and retainOnDelete: true where data must outlive the stack) when creating the resource.",
    levelReason:
      "Without protect, one pulumi destroy, or a rename that replaces the resource, deletes patient data.",
    configSchema: {
      properties: {
        stacks: { ...SELECTOR_SCHEMA, default: { environments: ["prod", "production"] } },
      },
    },
  },
  STATEFUL_TYPES,
  (resources, report, args) => {
    const { stacks } = args.getConfig<{ stacks: StackSelector }>();
    for (const r of ofType(resources, ...STATEFUL_TYPES)) {
      const prod = selects(stacks, propertiesOf(r));
      if (prod && !r.opts.protect) {
        report(
          `${r.name} holds production data without protect: create it with { protect: true, retainOnDelete: true }`,
          r.urn,
        );
      }
    }
  },
);
