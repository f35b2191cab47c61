/**
 * Patching and vulnerability management (164.308(a)(5)(ii)(B)): a Patch Manager baseline for
 * Amazon Linux 2023 that approves security updates a few days after release, a daily scan, a weekly
 * maintenance window that installs them, and Amazon Inspector scanning the instances.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** Days a security update waits before approval: long enough for a bad one to be withdrawn. */
export const PATCH_APPROVAL_DAYS = 3;
/**
 * The tag Patch Manager reads to find an instance's baseline. Patch Manager accepts `Patch Group`
 * or `PatchGroup`, and requires `PatchGroup` where instance tags are allowed in instance metadata
 * ("Creating and managing patch groups", Systems Manager User Guide,
 * https://docs.aws.amazon.com/systems-manager/latest/userguide/patch-manager-tag-a-patch-group.html):
 * with metadata tags on, EC2 refuses a launch whose tag keys hold a space ("Tag restrictions",
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/Using_Tags.html#tag-restrictions).
 */
export const PATCH_GROUP_TAG = "PatchGroup";

/**
 * The region's patch group: every Amazon Linux 2023 instance of the stack (the app tier, the
 * bastion, an enclave's bastion) carries it and gets the baseline, the scans and the window.
 */
export function patchGroupName(stackPrefix: string): string {
  return `${stackPrefix}-al2023`;
}
/** Sunday 03:00 UTC: the quietest hour of a patient portal in both regions' mornings. */
export const MAINTENANCE_SCHEDULE = "cron(0 3 ? * SUN *)";

export interface PatchingArgs {
  readonly accountId: string;
  /** The value of the instances' PatchGroup tag. */
  readonly patchGroup: string;
  /** Turn on Amazon Inspector's EC2 scanning (false where the organization runs it). */
  readonly inspector: boolean;
}

export function patching(parent: pulumi.Resource, name: string, args: PatchingArgs): void {
  const child = { parent };
  const baseline = new aws.ssm.PatchBaseline(
    `${name}-al2023`,
    {
      name: `${name}-al2023`,
      description: "Amazon Linux 2023: security updates after three days, bug fixes after seven",
      operatingSystem: "AMAZON_LINUX_2023",
      approvedPatchesComplianceLevel: "HIGH",
      approvalRules: [
        {
          approveAfterDays: PATCH_APPROVAL_DAYS,
          complianceLevel: "CRITICAL",
          enableNonSecurity: false,
          patchFilters: [
            { key: "CLASSIFICATION", values: ["Security"] },
            { key: "SEVERITY", values: ["Critical", "Important"] },
          ],
        },
        {
          approveAfterDays: 7,
          complianceLevel: "MEDIUM",
          patchFilters: [
            { key: "CLASSIFICATION", values: ["Security", "Bugfix"] },
            { key: "SEVERITY", values: ["Medium", "Low", "None"] },
          ],
        },
      ],
      tags: { Name: `${name}-al2023` },
    },
    child,
  );
  new aws.ssm.PatchGroup(
    `${name}-app`,
    { baselineId: baseline.id, patchGroup: args.patchGroup },
    child,
  );
  const targets = [{ key: `tag:${PATCH_GROUP_TAG}`, values: [args.patchGroup] }];
  // A daily scan keeps the compliance view (Patch Manager, Security Hub) current.
  new aws.ssm.Association(
    `${name}-patch-scan`,
    {
      name: "AWS-RunPatchBaseline",
      associationName: `${name}-patch-scan`,
      parameters: { Operation: "Scan" },
      scheduleExpression: "rate(1 day)",
      targets,
      complianceSeverity: "HIGH",
    },
    child,
  );
  const window = new aws.ssm.MaintenanceWindow(
    `${name}-patching`,
    {
      name: `${name}-patching`,
      description:
        "Install approved patches on the stack's Amazon Linux 2023 instances, half at a time",
      schedule: MAINTENANCE_SCHEDULE,
      duration: 3,
      cutoff: 1,
      allowUnassociatedTargets: false,
      tags: { Name: `${name}-patching` },
    },
    child,
  );
  const target = new aws.ssm.MaintenanceWindowTarget(
    `${name}-patching`,
    { windowId: window.id, resourceType: "INSTANCE", targets, name: `${name}-app` },
    child,
  );
  new aws.ssm.MaintenanceWindowTask(
    `${name}-patching`,
    {
      windowId: window.id,
      name: `${name}-install-patches`,
      taskType: "RUN_COMMAND",
      taskArn: "AWS-RunPatchBaseline",
      priority: 1,
      maxConcurrency: "50%",
      maxErrors: "25%",
      targets: [{ key: "WindowTargetIds", values: [target.id] }],
      taskInvocationParameters: {
        runCommandParameters: {
          parameters: [
            { name: "Operation", values: ["Install"] },
            { name: "RebootOption", values: ["RebootIfNeeded"] },
          ],
        },
      },
    },
    child,
  );
  if (args.inspector) {
    new aws.inspector2.Enabler(
      `${name}-inspector`,
      { accountIds: [args.accountId], resourceTypes: ["EC2"] },
      child,
    );
  }
}
