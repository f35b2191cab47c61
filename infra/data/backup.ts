/**
 * AWS Backup's side of a plan: the role it assumes and the selection of the resources carrying a
 * tag, shared by the region's plan (infra/data) and each research enclave's own plan; the region's
 * opt-in settings; and the job failures worth an alert.
 */
import { createHash } from "node:crypto";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { AlertRoute } from "../alerts";
import { serviceTrust } from "../iam";

/**
 * AWS Backup's limit on a selection name: 1 to 50 letters, digits, `-`, `_` or `.`
 * (`SelectionName`, "BackupSelection", AWS Backup API Reference,
 * https://docs.aws.amazon.com/aws-backup/latest/devguide/API_BackupSelection.html).
 */
export const SELECTION_NAME_MAX = 50;
const SELECTION_NAME = /^[a-zA-Z0-9\-_.]{1,50}$/;

/**
 * A name AWS Backup accepts, derived from `base` and `suffix`: as is when it fits, otherwise the
 * base cut short and followed by eight hex characters of its hash, so that two long bases that
 * share a beginning still get two names. Characters AWS refuses become `-`.
 */
export function backupName(base: string, suffix: string, max = SELECTION_NAME_MAX): string {
  const clean = (s: string) => s.replace(/[^a-zA-Z0-9\-_.]/g, "-");
  const whole = clean(`${base}-${suffix}`);
  if (whole.length <= max) return whole;
  const hash = createHash("sha256").update(base).digest("hex").slice(0, 8);
  const room = max - suffix.length - hash.length - 2;
  if (room < 1) throw new Error(`backupName: the suffix "${suffix}" leaves no room in ${max}`);
  const name = `${clean(base).slice(0, room)}-${hash}-${clean(suffix)}`;
  if (!SELECTION_NAME.test(name)) throw new Error(`backupName: "${name}" is not a valid name`);
  return name;
}

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
      name: backupName(name, "tagged"),
      planId: args.planId,
      iamRoleArn: role.arn,
      selectionTags: [{ type: "STRINGEQUALS", key: args.tag.key, value: args.tag.value }],
    },
    { parent },
  );
  return { role, selection };
}

/**
 * The resource types the platform's plans select by tag: the region's plan (RDS, EFS, S3,
 * DynamoDB) and the enclaves' (S3, DynamoDB, the workstation's EBS data volume). With tag-only
 * selections AWS Backup honours the region's service opt-in ("Assign resources to a backup plan",
 * https://docs.aws.amazon.com/aws-backup/latest/devguide/assigning-resources.html: "If resource
 * assignments are only based on tags, then service opt-in settings are applied").
 */
export const SELECTED_RESOURCE_TYPES = ["RDS", "EFS", "S3", "DynamoDB", "EBS"] as const;

/**
 * Every resource type AWS Backup's region settings list, as the provider's documentation of
 * `aws.backup.RegionSettings` names them. The whole map is set: the provider reads every type back,
 * so a partial map would show a difference on every refresh. Types the plans do not select keep
 * AWS's own setting for an account that uses AWS Backup (opted in), so that another plan of the
 * account is not switched off by this stack.
 */
export const BACKUP_RESOURCE_TYPES = [
  "Aurora",
  "CloudFormation",
  "DocumentDB",
  "DSQL",
  "DynamoDB",
  "EBS",
  "EC2",
  "EFS",
  "FSx",
  "Neptune",
  "RDS",
  "Redshift",
  "Redshift Serverless",
  "S3",
  "SAP HANA on Amazon EC2",
  "Storage Gateway",
  "VirtualMachine",
] as const;

/**
 * Full AWS Backup management: DynamoDB backups then take the vault's key and can be copied to the
 * other region ("Advanced DynamoDB backup",
 * https://docs.aws.amazon.com/aws-backup/latest/devguide/advanced-ddb-backup.html); EFS is fully
 * managed already. The provider's documented set of types, all on.
 */
export const FULL_MANAGEMENT_TYPES = ["CloudFormation", "DSQL", "DynamoDB", "EFS"] as const;

/** The region's AWS Backup settings (one per account and region: the stack of that region owns it). */
export function backupRegionSettings(
  parent: pulumi.Resource,
  name: string,
): aws.backup.RegionSettings {
  return new aws.backup.RegionSettings(
    `${name}-backup-settings`,
    {
      resourceTypeOptInPreference: Object.fromEntries(
        BACKUP_RESOURCE_TYPES.map((type) => [type, true]),
      ),
      resourceTypeManagementPreference: Object.fromEntries(
        FULL_MANAGEMENT_TYPES.map((type) => [type, true]),
      ),
    },
    { parent },
  );
}

/**
 * AWS Backup's job failures, as EventBridge receives them ("Monitoring AWS Backup events using
 * Amazon EventBridge", https://docs.aws.amazon.com/aws-backup/latest/devguide/eventbridge.html):
 * backup and copy jobs report `state`, restore jobs `status`. Backup jobs fail, are aborted or
 * expire (not started in their window); copy jobs fail; restore jobs fail or are aborted.
 */
export function backupFailureRoutes(): AlertRoute[] {
  const route = (
    id: string,
    detailType: string,
    field: "state" | "status",
    values: string[],
    description: string,
  ): AlertRoute => ({
    id,
    description,
    pattern: {
      source: ["aws.backup"],
      "detail-type": [detailType],
      detail: { [field]: values },
    },
  });
  return [
    route(
      "backup-job-failed",
      "Backup Job State Change",
      "state",
      ["FAILED", "ABORTED", "EXPIRED"],
      "An AWS Backup backup job failed, was aborted or expired",
    ),
    route(
      "copy-job-failed",
      "Copy Job State Change",
      "state",
      ["FAILED"],
      "An AWS Backup copy job (to the other region) failed",
    ),
    route(
      "restore-job-failed",
      "Restore Job State Change",
      "status",
      ["FAILED", "ABORTED"],
      "An AWS Backup restore job failed or was aborted",
    ),
  ];
}
