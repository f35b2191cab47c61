import { keyProblem } from "../lib/keys";
import { ENCRYPTION_AT_REST, ENCRYPTION_REASON, TRANSMISSION } from "../lib/levels";
import { resourcePolicy } from "../lib/policy";
import { isTrue, nonEmpty } from "../lib/props";

/**
 * ElastiCache at rest and in transit. Memcached node clusters cannot encrypt at rest;
 * transitEncryptionMode "preferred" accepts plaintext clients beside TLS ones (it exists to
 * migrate): https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/in-transit-encryption-enable-existing.html
 */
export const elasticacheClusterEnforceEncryption = resourcePolicy(
  {
    name: "elasticache-cluster-enforce-encryption",
    description:
      'ElastiCache replication groups and serverless caches encrypt at rest with a customer-managed KMS key and in transit with TLS required (not transitEncryptionMode "preferred"); node-based Memcached (no encryption at rest) and standalone Redis/Valkey clusters outside a replication group are refused.',
    enforcementLevel: "mandatory",
    severity: "high",
    hipaa: [...ENCRYPTION_AT_REST, ...TRANSMISSION],
    remediationSteps:
      'Use an aws.elasticache.ReplicationGroup (Valkey or Redis) with atRestEncryptionEnabled, transitEncryptionEnabled (transitEncryptionMode "required") and kmsKeyId a customer-managed key, or a ServerlessCache with kmsKeyId.',
    levelReason: ENCRYPTION_REASON,
  },
  {
    "aws:elasticache/replicationGroup:ReplicationGroup": (r, report) => {
      if (!isTrue(r.props.atRestEncryptionEnabled)) {
        report(
          `${r.name} is unencrypted at rest: set atRestEncryptionEnabled to true and kmsKeyId to a customer-managed key`,
        );
      } else {
        const problem = keyProblem(r.name, "kmsKeyId", r.props.kmsKeyId);
        if (problem) report(problem);
      }
      if (!isTrue(r.props.transitEncryptionEnabled)) {
        report(
          `${r.name} accepts plaintext connections: set transitEncryptionEnabled to true (and an authToken or IAM auth)`,
        );
      } else if (String(r.props.transitEncryptionMode ?? "").toLowerCase() === "preferred") {
        report(
          `${r.name} still accepts plaintext connections (transitEncryptionMode "preferred"): set transitEncryptionMode to "required"`,
        );
      }
    },
    "aws:elasticache/serverlessCache:ServerlessCache": (r, report) => {
      const problem = keyProblem(r.name, "kmsKeyId", r.props.kmsKeyId);
      if (problem) report(problem);
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
