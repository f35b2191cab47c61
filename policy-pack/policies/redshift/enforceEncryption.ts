import { ENCRYPTION_AT_REST, ENCRYPTION_REASON } from "../lib/levels";
import { resourcePolicy } from "../lib/policy";

/** Redshift clusters a scanned program may create. */
export const redshiftClusterEnforceEncryption = resourcePolicy(
  {
    name: "redshift-cluster-enforce-encryption",
    description: "Redshift clusters are encrypted at rest.",
    enforcementLevel: "mandatory",
    severity: "high",
    hipaa: [...ENCRYPTION_AT_REST],
    remediationSteps: "Set encrypted: true and kmsKeyId to a customer-managed key.",
    levelReason: ENCRYPTION_REASON,
  },
  {
    "aws:redshift/cluster:Cluster": (r, report) => {
      if (r.props.encrypted !== true)
        report(`${r.name} is unencrypted: set encrypted to true and kmsKeyId to the PHI key`);
    },
  },
);
