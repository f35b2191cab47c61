/**
 * AWS Backup's side of a plan: the role it assumes and the selection of the resources carrying a
 * tag. Shared by the region's plan (infra/data) and each research enclave's own plan.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { serviceTrust } from "../iam";

/** AWS's managed policies for backing up and restoring, S3 included (versioned buckets). */
export const BACKUP_MANAGED_POLICIES = [
  "service-role/AWSBackupServiceRolePolicyForBackup",
  "service-role/AWSBackupServiceRolePolicyForRestores",
  "AWSBackupServiceRolePolicyForS3Backup",
  "AWSBackupServiceRolePolicyForS3Restore",
] as const;

export interface TaggedSelectionArgs {
  readonly partition: string;
  readonly planId: pulumi.Input<string>;
  /** The tag that puts a resource in the plan. */
  readonly tag: { readonly key: string; readonly value: string };
  /** What the role is for, in its description. */
  readonly description: string;
}

/** A role only AWS Backup can assume, and the plan's selection of every resource with the tag. */
export function taggedSelection(
  parent: pulumi.Resource,
  name: string,
  args: TaggedSelectionArgs,
): { readonly role: aws.iam.Role; readonly selection: aws.backup.Selection } {
  const role = new aws.iam.Role(
    `${name}-backup`,
    {
      description: args.description,
      assumeRolePolicy: serviceTrust("backup.amazonaws.com"),
      tags: { Name: `${name}-backup` },
    },
    { parent },
  );
  for (const policy of BACKUP_MANAGED_POLICIES) {
    new aws.iam.RolePolicyAttachment(
      `${name}-${policy.split("/").pop()}`,
      { role: role.name, policyArn: `arn:${args.partition}:iam::aws:policy/${policy}` },
      { parent },
    );
  }
  const selection = new aws.backup.Selection(
    `${name}-tagged`,
    {
      name: `${name}-tagged`,
      planId: args.planId,
      iamRoleArn: role.arn,
      selectionTags: [{ type: "STRINGEQUALS", key: args.tag.key, value: args.tag.value }],
    },
    { parent },
  );
  return { role, selection };
}
