import { ENCRYPTION_AT_REST } from "../lib/levels";
import { ResourceCheck, resourcePolicy } from "../lib/policy";

const storage: ResourceCheck = (resource, report) => {
  if (resource.props.storageEncrypted !== true) {
    report(
      `${resource.name} stores data unencrypted: set storageEncrypted to true and kmsKeyId to the PHI key (an existing database must be restored from an encrypted snapshot copy)`,
    );
  }
};

/** Encryption at rest for RDS instances and clusters. */
export const rdsStorageEnforceEncryption = resourcePolicy(
  {
    name: "rds-storage-enforce-encryption",
    description:
      "RDS DB instances and clusters (Aurora included) encrypt their storage, backups and snapshots.",
    enforcementLevel: "mandatory",
    severity: "high",
    hipaa: [...ENCRYPTION_AT_REST],
    remediationSteps: "Set storageEncrypted: true with the PHI key as kmsKeyId.",
    levelReason:
      "Databases hold the most PHI of any store; encryption cannot be turned on later without a restore.",
  },
  {
    "aws:rds/instance:Instance": storage,
    "aws:rds/cluster:Cluster": storage,
  },
);
