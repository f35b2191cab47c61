import { KeyRequirement, keyedStorePolicy } from "../lib/keyed";
import { Props, isTrue } from "../lib/props";

const storage =
  (encryptedBy: string) =>
  (p: Props, name: string): KeyRequirement[] => {
    const out: KeyRequirement[] = [];
    // A same-region read replica takes its source's key; a cluster member its cluster's.
    const inherits = p.replicateSourceDb !== undefined || p.clusterIdentifier !== undefined;
    if (!inherits) {
      if (!isTrue(p[encryptedBy]))
        out.push({
          problem: `${name} stores data unencrypted: set ${encryptedBy} to true and kmsKeyId to a customer-managed key (an existing database must be restored from an encrypted snapshot copy)`,
        });
      else out.push({ property: "kmsKeyId", value: p.kmsKeyId });
    }
    if (isTrue(p.performanceInsightsEnabled))
      out.push({ property: "performanceInsightsKmsKeyId", value: p.performanceInsightsKmsKeyId });
    return out;
  };

const insights = (p: Props): KeyRequirement[] =>
  isTrue(p.performanceInsightsEnabled)
    ? [{ property: "performanceInsightsKmsKeyId", value: p.performanceInsightsKmsKeyId }]
    : [];

/** Encryption at rest for RDS instances and clusters, their Performance Insights, and their kin. */
export const rdsStorageEnforceEncryption = keyedStorePolicy({
  name: "rds-storage-enforce-encryption",
  description:
    "RDS DB instances and clusters (Aurora, DocumentDB and Neptune included) encrypt storage, backups and snapshots with a customer-managed KMS key, and so does Performance Insights where enabled; snapshot copies name one too.",
  types: {
    "aws:rds/instance:Instance": storage("storageEncrypted"),
    "aws:rds/cluster:Cluster": storage("storageEncrypted"),
    "aws:rds/clusterInstance:ClusterInstance": insights,
    "aws:docdb/cluster:Cluster": storage("storageEncrypted"),
    "aws:neptune/cluster:Cluster": storage("storageEncrypted"),
    "aws:rds/snapshotCopy:SnapshotCopy": (p) => [{ property: "kmsKeyId", value: p.kmsKeyId }],
  },
  remediationSteps:
    "Set storageEncrypted: true with kmsKeyId a customer-managed key; with performanceInsightsEnabled, set performanceInsightsKmsKeyId too.",
  levelReason:
    "Databases hold the most PHI of any store; encryption cannot be turned on later without a restore.",
});
