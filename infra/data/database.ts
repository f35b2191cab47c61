/**
 * PostgreSQL on RDS for patients, appointments and billing: Multi-AZ in prod, in the data tier only,
 * encrypted with the PHI key, TLS forced, IAM authentication, the master password managed by
 * Secrets Manager (never in config or state), logs exported to encrypted log groups.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { serviceTrust } from "../iam";
import { storeSecurityGroup } from "./access";

export const POSTGRES_PORT = 5432;
export const POSTGRES_MAJOR = "16";
/** The logs PostgreSQL exports to CloudWatch. */
export const POSTGRES_LOG_EXPORTS = ["postgresql", "upgrade"] as const;

export interface DatabaseArgs {
  readonly vpcId: pulumi.Input<string>;
  /** The data-tier subnets, one per AZ. */
  readonly subnetIds: pulumi.Input<string>[];
  /** The only security group that may connect (the app tier's). */
  readonly clientSecurityGroupId: pulumi.Input<string>;
  readonly phiKeyArn: pulumi.Input<string>;
  readonly logsKeyArn: pulumi.Input<string>;
  readonly partition: string;
  readonly instanceClass: string;
  readonly multiAz: boolean;
  /** Days of automated backups, 7..35. */
  readonly backupRetentionDays: number;
  readonly logRetentionDays: number;
  readonly protect: boolean;
  readonly tags: Record<string, string>;
}

export interface Database {
  readonly instance: aws.rds.Instance;
  readonly securityGroup: aws.ec2.SecurityGroup;
}

export function postgres(parent: pulumi.Resource, name: string, args: DatabaseArgs): Database {
  const child = { parent };
  const identifier = `${name}-db`;

  const securityGroup = storeSecurityGroup(parent, identifier, {
    vpcId: args.vpcId,
    clientSecurityGroupId: args.clientSecurityGroupId,
    port: POSTGRES_PORT,
    protocol: "PostgreSQL",
  });

  const subnets = new aws.rds.SubnetGroup(
    identifier,
    {
      subnetIds: args.subnetIds,
      description: "Data-tier subnets only",
      tags: { Name: identifier },
    },
    child,
  );
  const parameters = new aws.rds.ParameterGroup(
    identifier,
    {
      family: `postgres${POSTGRES_MAJOR}`,
      description: "TLS forced, connections logged",
      parameters: [
        { name: "rds.force_ssl", value: "1" },
        { name: "log_connections", value: "1" },
        { name: "log_disconnections", value: "1" },
      ],
      tags: { Name: identifier },
    },
    child,
  );

  // RDS would create these itself, unencrypted and kept forever; create them first, encrypted.
  const logGroups = POSTGRES_LOG_EXPORTS.map(
    (log) =>
      new aws.cloudwatch.LogGroup(
        `${identifier}-${log}`,
        {
          name: `/aws/rds/instance/${identifier}/${log}`,
          kmsKeyId: args.logsKeyArn,
          retentionInDays: args.logRetentionDays,
          tags: { Name: `${identifier}-${log}` },
        },
        { parent, protect: args.protect, retainOnDelete: args.protect },
      ),
  );

  const monitoring = new aws.iam.Role(
    `${identifier}-monitoring`,
    {
      description: "RDS enhanced monitoring",
      assumeRolePolicy: serviceTrust("monitoring.rds.amazonaws.com"),
      tags: { Name: `${identifier}-monitoring` },
    },
    child,
  );
  new aws.iam.RolePolicyAttachment(
    `${identifier}-monitoring`,
    {
      role: monitoring.name,
      policyArn: `arn:${args.partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole`,
    },
    child,
  );

  const instance = new aws.rds.Instance(
    identifier,
    {
      identifier,
      engine: "postgres",
      engineVersion: POSTGRES_MAJOR,
      autoMinorVersionUpgrade: true,
      instanceClass: args.instanceClass,
      allocatedStorage: 100,
      maxAllocatedStorage: 1000,
      storageType: "gp3",
      storageEncrypted: true,
      kmsKeyId: args.phiKeyArn,
      dbName: "ehealth",
      username: "ehealth_admin",
      manageMasterUserPassword: true,
      masterUserSecretKmsKeyId: args.phiKeyArn,
      iamDatabaseAuthenticationEnabled: true,
      multiAz: args.multiAz,
      dbSubnetGroupName: subnets.name,
      vpcSecurityGroupIds: [securityGroup.id],
      publiclyAccessible: false,
      parameterGroupName: parameters.name,
      enabledCloudwatchLogsExports: [...POSTGRES_LOG_EXPORTS],
      performanceInsightsEnabled: true,
      performanceInsightsKmsKeyId: args.phiKeyArn,
      monitoringInterval: 60,
      monitoringRoleArn: monitoring.arn,
      backupRetentionPeriod: args.backupRetentionDays,
      deletionProtection: true,
      skipFinalSnapshot: false,
      finalSnapshotIdentifier: `${identifier}-final`,
      copyTagsToSnapshot: true,
      tags: { Name: identifier, ...args.tags },
    },
    { parent, protect: args.protect, retainOnDelete: args.protect, dependsOn: logGroups },
  );
  return { instance, securityGroup };
}
