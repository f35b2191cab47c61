/**
 * The cache for sessions and hot reads: Valkey (Memcached cannot encrypt at rest), a replication
 * group across AZs with automatic failover in prod, encrypted at rest with the PHI key and in
 * transit (TLS required), in the data tier, open only to the app tier, and authenticated with IAM
 * (no shared password anywhere: the default user is switched off).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { storeSecurityGroup } from "./access";

export const VALKEY_PORT = 6379;
export const VALKEY_VERSION = "8.0";
export const REDIS_VERSION = "7.1";
/** What the application's IAM-authenticated user may do: everything but the dangerous commands. */
export const APP_ACCESS_STRING = "on ~* +@all -@dangerous";

export interface CacheArgs {
  readonly vpcId: pulumi.Input<string>;
  readonly subnetIds: pulumi.Input<string>[];
  readonly clientSecurityGroupId: pulumi.Input<string>;
  readonly phiKeyArn: pulumi.Input<string>;
  readonly nodeType: string;
  /** Valkey or Redis OSS; never Memcached (no encryption at rest). */
  readonly engine: "valkey" | "redis";
  /** Two nodes in two AZs with automatic failover, or one node (dev). */
  readonly highlyAvailable: boolean;
  readonly tags: Record<string, string>;
}

export interface Cache {
  readonly replicationGroup: aws.elasticache.ReplicationGroup;
  /** The IAM-authenticated user the application connects as (its user id and name). */
  readonly appUser: aws.elasticache.User;
}

export function valkeyCache(parent: pulumi.Resource, name: string, args: CacheArgs): Cache {
  const child = { parent };
  const id = `${name}-cache`;
  const securityGroup = storeSecurityGroup(parent, id, {
    vpcId: args.vpcId,
    clientSecurityGroupId: args.clientSecurityGroupId,
    port: VALKEY_PORT,
    protocol: "Valkey",
  });
  const subnets = new aws.elasticache.SubnetGroup(
    id,
    { subnetIds: args.subnetIds, description: "Data-tier subnets only", tags: { Name: id } },
    child,
  );

  // Every user group must hold a user named "default"; this one can do nothing.
  const disabledDefault = new aws.elasticache.User(
    `${id}-default`,
    {
      userId: `${id}-default`,
      userName: "default",
      engine: args.engine,
      accessString: "off -@all",
      authenticationMode: { type: "no-password-required" },
    },
    child,
  );
  // IAM authentication requires the user id and the user name to be the same.
  const appUser = new aws.elasticache.User(
    `${id}-app`,
    {
      userId: `${id}-app`,
      userName: `${id}-app`,
      engine: args.engine,
      accessString: APP_ACCESS_STRING,
      authenticationMode: { type: "iam" },
    },
    child,
  );
  const users = new aws.elasticache.UserGroup(
    id,
    { userGroupId: id, engine: args.engine, userIds: [disabledDefault.userId, appUser.userId] },
    child,
  );

  const replicationGroup = new aws.elasticache.ReplicationGroup(
    id,
    {
      description: "Sessions and hot reads",
      engine: args.engine,
      engineVersion: args.engine === "valkey" ? VALKEY_VERSION : REDIS_VERSION,
      nodeType: args.nodeType,
      port: VALKEY_PORT,
      numCacheClusters: args.highlyAvailable ? 2 : 1,
      automaticFailoverEnabled: args.highlyAvailable,
      multiAzEnabled: args.highlyAvailable,
      atRestEncryptionEnabled: true,
      kmsKeyId: args.phiKeyArn,
      transitEncryptionEnabled: true,
      transitEncryptionMode: "required",
      userGroupIds: [users.userGroupId],
      subnetGroupName: subnets.name,
      securityGroupIds: [securityGroup.id],
      snapshotRetentionLimit: 7,
      autoMinorVersionUpgrade: true,
      tags: { Name: id, ...args.tags },
    },
    child,
  );
  return { replicationGroup, appUser };
}
