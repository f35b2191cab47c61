import { KeyRequirement, keyedStorePolicy } from "../lib/keyed";

/** Redshift clusters and Serverless namespaces a scanned program may create. */
export const redshiftClusterEnforceEncryption = keyedStorePolicy({
  name: "redshift-cluster-enforce-encryption",
  description:
    "Redshift clusters and Redshift Serverless namespaces are encrypted at rest with a customer-managed KMS key.",
  types: {
    "aws:redshift/cluster:Cluster": (p, name): KeyRequirement[] =>
      p.encrypted !== true && p.encrypted !== "true"
        ? [
            {
              problem: `${name} is unencrypted: set encrypted to true and kmsKeyId to a customer-managed key`,
            },
          ]
        : [{ property: "kmsKeyId", value: p.kmsKeyId }],
    "aws:redshiftserverless/namespace:Namespace": (p) => [
      { property: "kmsKeyId", value: p.kmsKeyId },
    ],
  },
  remediationSteps:
    "Set encrypted: true and kmsKeyId to a customer-managed key (Serverless: kmsKeyId).",
});
