/**
 * EFS for the application's shared files: encrypted with the PHI key, reachable only from the app
 * tier's security group through mount targets in the app subnets, TLS-only and IAM-authorized
 * (no anonymous NFS client), with an access point. Its backups are the region's plan's (tagged),
 * not EFS automatic backups: those would be a second, unlocked and uncopied set of recovery points
 * in `aws/efs/automatic-backup-vault` (docs/data.md, "Copies").
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PolicyDocument, accountRoot, policyDocument } from "../iam";
import { storeSecurityGroup } from "./access";

export const NFS_PORT = 2049;
/** The POSIX identity the application writes as, through its access point. */
export const APP_POSIX_ID = 1000;

/**
 * The file system policy: only this account's IAM principals, through a mount target, may mount
 * and write (so a client without IAM authorization is anonymous and refused); nothing without TLS.
 */
export function fileSystemPolicy(
  fileSystemArn: string,
  partition: string,
  accountId: string,
): PolicyDocument {
  return policyDocument([
    {
      Sid: "DenyInsecureTransport",
      Effect: "Deny",
      Principal: { AWS: "*" },
      Action: "*",
      Resource: fileSystemArn,
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    },
    {
      Sid: "AccountPrincipalsThroughMountTargets",
      Effect: "Allow",
      Principal: { AWS: accountRoot(partition, accountId) },
      Action: ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
      Resource: fileSystemArn,
      Condition: { Bool: { "elasticfilesystem:AccessedViaMountTarget": "true" } },
    },
  ]);
}

export interface FilesArgs {
  readonly vpcId: pulumi.Input<string>;
  /** The app-tier subnets: one mount target each. */
  readonly subnetIds: pulumi.Input<string>[];
  readonly clientSecurityGroupId: pulumi.Input<string>;
  readonly phiKeyArn: pulumi.Input<string>;
  readonly partition: string;
  readonly accountId: string;
  readonly protect: boolean;
  readonly tags: Record<string, string>;
}

export interface Files {
  readonly fileSystem: aws.efs.FileSystem;
  readonly accessPoint: aws.efs.AccessPoint;
}

export function sharedFiles(parent: pulumi.Resource, name: string, args: FilesArgs): Files {
  const child = { parent };
  const id = `${name}-files`;
  const fileSystem = new aws.efs.FileSystem(
    id,
    {
      encrypted: true,
      kmsKeyId: args.phiKeyArn,
      performanceMode: "generalPurpose",
      throughputMode: "elastic",
      lifecyclePolicies: [{ transitionToIa: "AFTER_30_DAYS" }],
      tags: { Name: id, ...args.tags },
    },
    { parent, protect: args.protect, retainOnDelete: args.protect },
  );
  // Whether a new file system starts with automatic backups depends on how it is created ("Automatic
  // backups", Amazon EFS User Guide, https://docs.aws.amazon.com/efs/latest/ug/automatic-backups.html):
  // say it explicitly.
  new aws.efs.BackupPolicy(
    id,
    { fileSystemId: fileSystem.id, backupPolicy: { status: "DISABLED" } },
    child,
  );
  new aws.efs.FileSystemPolicy(
    id,
    {
      fileSystemId: fileSystem.id,
      policy: fileSystem.arn.apply((arn) =>
        JSON.stringify(fileSystemPolicy(arn, args.partition, args.accountId)),
      ),
    },
    child,
  );

  const securityGroup = storeSecurityGroup(parent, id, {
    vpcId: args.vpcId,
    clientSecurityGroupId: args.clientSecurityGroupId,
    port: NFS_PORT,
    protocol: "NFS",
  });
  args.subnetIds.forEach((subnetId, i) => {
    new aws.efs.MountTarget(
      `${id}-${i}`,
      { fileSystemId: fileSystem.id, subnetId, securityGroups: [securityGroup.id] },
      child,
    );
  });

  const accessPoint = new aws.efs.AccessPoint(
    id,
    {
      fileSystemId: fileSystem.id,
      posixUser: { uid: APP_POSIX_ID, gid: APP_POSIX_ID },
      rootDirectory: {
        path: "/app",
        creationInfo: { ownerUid: APP_POSIX_ID, ownerGid: APP_POSIX_ID, permissions: "750" },
      },
      tags: { Name: id },
    },
    child,
  );
  return { fileSystem, accessPoint };
}
