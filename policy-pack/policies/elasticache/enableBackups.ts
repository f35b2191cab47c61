import { RESILIENCE } from "../lib/levels";
import { resourcePolicy } from "../lib/policy";
import { isTrue } from "../lib/props";

export const elasticacheReplicationGroupEnableBackups = resourcePolicy(
  {
    name: "elasticache-replicationgroup-enable-backups",
    description:
      "ElastiCache replication groups keep automatic snapshots and fail over automatically across AZs.",
    enforcementLevel: "advisory",
    severity: "low",
    hipaa: [...RESILIENCE],
    remediationSteps:
      "Set snapshotRetentionLimit to 1 or more, automaticFailoverEnabled and multiAzEnabled to true.",
    levelReason: "The cache holds sessions and copies of data that can be rebuilt: advisory.",
  },
  {
    "aws:elasticache/replicationGroup:ReplicationGroup": (r, report) => {
      const days =
        typeof r.props.snapshotRetentionLimit === "number" ? r.props.snapshotRetentionLimit : 0;
      if (days < 1)
        report(`${r.name} keeps no snapshots: set snapshotRetentionLimit to at least 1`);
      if (!isTrue(r.props.automaticFailoverEnabled))
        report(`${r.name} does not fail over: set automaticFailoverEnabled to true`);
    },
  },
);
