import { ENCRYPTION_AT_REST, ENCRYPTION_REASON, TRANSMISSION } from "../lib/levels";
import { resourcePolicy } from "../lib/policy";
import { isTrue, nonEmpty } from "../lib/props";

/** ElastiCache at rest and in transit; Memcached node clusters cannot encrypt at rest. */
export const elasticacheClusterEnforceEncryption = resourcePolicy(
  {
    name: "elasticache-cluster-enforce-encryption",
    description:
      "ElastiCache replication groups encrypt at rest and in transit; node-based Memcached (no encryption at rest) and standalone Redis/Valkey clusters outside a replication group are refused.",
    enforcementLevel: "mandatory",
    severity: "high",
    hipaa: [...ENCRYPTION_AT_REST, ...TRANSMISSION],
    remediationSteps:
      "Use an aws.elasticache.ReplicationGroup (Valkey or Redis) with atRestEncryptionEnabled, transitEncryptionEnabled and kmsKeyId the PHI key, or an encrypted ServerlessCache.",
    levelReason: ENCRYPTION_REASON,
  },
  {
    "aws:elasticache/replicationGroup:ReplicationGroup": (r, report) => {
      if (!isTrue(r.props.atRestEncryptionEnabled)) {
        report(
          `${r.name} is unencrypted at rest: set atRestEncryptionEnabled to true and kmsKeyId to the PHI key`,
        );
      }
      if (!isTrue(r.props.transitEncryptionEnabled)) {
        report(
          `${r.name} accepts plaintext connections: set transitEncryptionEnabled to true (and an authToken or IAM auth)`,
        );
      }
    },
    "aws:elasticache/cluster:Cluster": (r, report) => {
      if (String(r.props.engine ?? "").toLowerCase() === "memcached") {
        report(
          `${r.name} uses the Memcached engine, which cannot encrypt at rest: use a Valkey or Redis ReplicationGroup with atRestEncryptionEnabled for PHI`,
        );
      } else if (!nonEmpty(r.props.replicationGroupId)) {
        report(
          `${r.name} is a standalone cache cluster, which has no encryption at rest: create an aws.elasticache.ReplicationGroup with atRestEncryptionEnabled and transitEncryptionEnabled instead`,
        );
      }
    },
  },
);
