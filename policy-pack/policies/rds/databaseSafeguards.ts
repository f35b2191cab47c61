import { AUDIT, RESILIENCE, TRANSMISSION } from "../lib/levels";
import { ResourceCheck, resourcePolicy, stackPolicy } from "../lib/policy";
import { isTrue, list, strings } from "../lib/props";
import { ofType } from "../lib/types";

const INSTANCE = "aws:rds/instance:Instance";
const CLUSTER = "aws:rds/cluster:Cluster";
const CLUSTER_INSTANCE = "aws:rds/clusterInstance:ClusterInstance";
export const MIN_BACKUP_DAYS = 7;

const backups: ResourceCheck = (r, report) => {
  // Instances of a cluster inherit the cluster's backups and protection.
  if (r.type === INSTANCE && r.props.replicateSourceDb) return;
  const days =
    typeof r.props.backupRetentionPeriod === "number"
      ? r.props.backupRetentionPeriod
      : r.type === CLUSTER
        ? 1
        : 0;
  if (days < MIN_BACKUP_DAYS) {
    report(
      `${r.name} keeps ${days} day(s) of automated backups: set backupRetentionPeriod to at least ${MIN_BACKUP_DAYS} (35 in prod)`,
    );
  }
  if (r.props.deletionProtection !== true)
    report(`${r.name} can be deleted by one call: set deletionProtection to true`);
  if (isTrue(r.props.skipFinalSnapshot)) {
    report(
      `${r.name} would be deleted without a final snapshot: set skipFinalSnapshot to false and a finalSnapshotIdentifier`,
    );
  }
};

/** Point-in-time recovery and protection for databases. */
export const rdsInstanceEnforceBackups = resourcePolicy(
  {
    name: "rds-instance-enforce-backups",
    description: `RDS instances and clusters keep at least ${MIN_BACKUP_DAYS} days of automated backups, have deletion protection, and take a final snapshot.`,
    enforcementLevel: "mandatory",
    severity: "high",
    hipaa: [...RESILIENCE],
    remediationSteps: `backupRetentionPeriod >= ${MIN_BACKUP_DAYS}, deletionProtection: true, skipFinalSnapshot: false.`,
    levelReason:
      "A database of patient records without backups or protection is one mistake away from permanent loss.",
  },
  { [INSTANCE]: backups, [CLUSTER]: backups },
);

const logExports: ResourceCheck = (r, report) => {
  if (strings(r.props.enabledCloudwatchLogsExports).length === 0) {
    const engine = String(r.props.engine ?? "");
    const logs = engine.includes("postgres")
      ? '["postgresql", "upgrade"]'
      : engine.includes("mysql") || engine.includes("maria")
        ? '["audit", "error", "general", "slowquery"]'
        : "the engine's logs";
    report(`${r.name} exports no logs to CloudWatch: set enabledCloudwatchLogsExports to ${logs}`);
  }
};

/** Database logs leave the database. */
export const rdsInstanceEnableLogExports = resourcePolicy(
  {
    name: "rds-instance-enable-log-exports",
    description: "RDS instances and clusters export their logs to CloudWatch Logs.",
    enforcementLevel: "mandatory",
    severity: "medium",
    hipaa: [...AUDIT],
    remediationSteps: 'Set enabledCloudwatchLogsExports (PostgreSQL: ["postgresql", "upgrade"]).',
    levelReason:
      "Connection and error logs are the database's audit trail; kept only on the instance, they vanish with it.",
  },
  { [INSTANCE]: logExports, [CLUSTER]: logExports },
);

/** No database answers from the internet. */
export const rdsInstanceDisallowPublicAccess = resourcePolicy(
  {
    name: "rds-instance-disallow-public-access",
    description:
      "RDS instances, cluster instances and (Multi-AZ DB) clusters are not publicly accessible.",
    enforcementLevel: "mandatory",
    severity: "critical",
    hipaa: ["164.312(a)(1)", "164.312(e)(1)"],
    remediationSteps: "Set publiclyAccessible: false and place the database in data-tier subnets.",
    levelReason:
      "A database endpoint on the internet is a PHI breach waiting for one weak password.",
  },
  Object.fromEntries(
    [INSTANCE, CLUSTER_INSTANCE, CLUSTER].map((t) => [
      t,
      ((r, report) => {
        if (isTrue(r.props.publiclyAccessible))
          report(`${r.name} is publicly accessible: set publiclyAccessible to false`);
      }) as ResourceCheck,
    ]),
  ),
);

/** No password in the program, its config or its state. */
export const rdsInstanceEnforceManagedPassword = resourcePolicy(
  {
    name: "rds-instance-enforce-managed-password",
    description:
      "RDS instances and clusters let Secrets Manager manage the master password (manageMasterUserPassword), so none is written in code, config or state.",
    enforcementLevel: "mandatory",
    severity: "high",
    hipaa: ["164.312(d)", "164.312(a)(2)(i)"],
    remediationSteps:
      "Remove password; set manageMasterUserPassword: true and masterUserSecretKmsKeyId to the PHI key.",
    levelReason:
      "A password in a program or stack state is readable by everyone with the repository or the state file.",
  },
  Object.fromEntries(
    [INSTANCE, CLUSTER].map((t) => [
      t,
      ((r, report) => {
        if (r.props.password !== undefined || r.props.masterPassword !== undefined) {
          report(
            `${r.name} sets its master password in the program: remove ${r.props.password !== undefined ? "password" : "masterPassword"} and set manageMasterUserPassword to true`,
          );
        } else if (
          !isTrue(r.props.manageMasterUserPassword) &&
          !r.props.snapshotIdentifier &&
          !r.props.replicateSourceDb
        ) {
          report(`${r.name} has no managed master password: set manageMasterUserPassword to true`);
        }
      }) as ResourceCheck,
    ]),
  ),
);

const availability: ResourceCheck = (r, report) => {
  if (r.props.multiAz !== true && !r.props.replicateSourceDb)
    report(`${r.name} runs in one AZ: set multiAz to true`);
  if (r.props.autoMinorVersionUpgrade === false)
    report(`${r.name} skips security patches: set autoMinorVersionUpgrade to true`);
  const interval = typeof r.props.monitoringInterval === "number" ? r.props.monitoringInterval : 0;
  if (interval === 0)
    report(
      `${r.name} has no enhanced monitoring: set monitoringInterval (e.g. 60) and monitoringRoleArn`,
    );
};

/** Availability and operations of databases: advisory. */
export const rdsInstanceConfigureOperations = resourcePolicy(
  {
    name: "rds-instance-configure-operations",
    description:
      "RDS instances are Multi-AZ, take minor version upgrades and have enhanced monitoring; clusters are not confined to one AZ.",
    enforcementLevel: "advisory",
    severity: "medium",
    hipaa: ["164.308(a)(7)(i)", "164.308(a)(1)(ii)(D)"],
    remediationSteps:
      "multiAz: true, autoMinorVersionUpgrade: true, monitoringInterval: 60 with a monitoring role.",
    levelReason:
      "These keep the database available and patched; a dev stack may trade them for cost without exposing PHI: advisory.",
  },
  {
    [INSTANCE]: availability,
    // A cluster confined to one AZ loses every instance with it; storage of Aurora spans three,
    // compute does not. AWS: "High availability for Amazon Aurora",
    // https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Concepts.AuroraHighAvailability.html
    [CLUSTER]: (r, report) => {
      const zones = strings(r.props.availabilityZones);
      if (zones.length === 1)
        report(
          `${r.name} is confined to the AZ ${zones[0]}: list at least two availabilityZones (or none, and let RDS choose) and run a reader in another AZ`,
        );
    },
  },
);

const PARAMETER_GROUP = "aws:rds/parameterGroup:ParameterGroup";
const CLUSTER_PARAMETER_GROUP = "aws:rds/clusterParameterGroup:ClusterParameterGroup";

function forcesTls(group: { props: Record<string, unknown> } | undefined): boolean {
  return list(group?.props.parameters).some(
    (p) =>
      (p.name === "rds.force_ssl" || p.name === "require_secure_transport") &&
      ["1", "ON", "on", "true"].includes(String(p.value)),
  );
}

/** Databases refuse unencrypted connections. */
export const rdsParameterGroupEnforceTls = stackPolicy(
  {
    name: "rds-parametergroup-enforce-tls",
    description:
      "Every PostgreSQL, MySQL or MariaDB instance or cluster uses a parameter group that forces TLS (rds.force_ssl=1 or require_secure_transport=1).",
    enforcementLevel: "mandatory",
    severity: "high",
    hipaa: [...TRANSMISSION],
    remediationSteps:
      'Give the database a parameter group with { name: "rds.force_ssl", value: "1" } (MySQL: require_secure_transport ON).',
    levelReason:
      "Database defaults accept plaintext connections; PHI crossing the VPC in the clear is still a transmission without encryption.",
  },
  [INSTANCE, CLUSTER, PARAMETER_GROUP, CLUSTER_PARAMETER_GROUP],
  (resources, report) => {
    const groups = new Map(
      ofType(resources, PARAMETER_GROUP, CLUSTER_PARAMETER_GROUP).flatMap(
        (g) =>
          [
            [String(g.props.name ?? ""), g],
            [String(g.props.id ?? ""), g],
          ] as const,
      ),
    );
    for (const db of ofType(resources, INSTANCE, CLUSTER)) {
      const engine = String(db.props.engine ?? "");
      if (!/postgres|mysql|maria/.test(engine)) continue;
      if (db.type === INSTANCE && db.props.clusterIdentifier) continue;
      const property = db.type === CLUSTER ? "dbClusterParameterGroupName" : "parameterGroupName";
      const name = db.props[property];
      if (typeof name !== "string" || !forcesTls(groups.get(name))) {
        report(
          `${db.name} accepts unencrypted connections: set ${property} to a parameter group with ${engine.includes("postgres") ? "rds.force_ssl = 1" : "require_secure_transport = ON"}`,
          db.urn,
        );
      }
    }
  },
);
