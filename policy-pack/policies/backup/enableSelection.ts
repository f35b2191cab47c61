import type { PolicyResource } from "@pulumi/policy";
import { RESILIENCE } from "../lib/levels";
import { stackPolicy } from "../lib/policy";
import { list, obj, strings, tagsOf } from "../lib/props";
import { ofType } from "../lib/types";

const SELECTION = "aws:backup/selection:Selection";
export const STATEFUL_TYPES = [
  "aws:rds/instance:Instance",
  "aws:rds/cluster:Cluster",
  "aws:efs/fileSystem:FileSystem",
  "aws:dynamodb/table:Table",
  "aws:ebs/volume:Volume",
];

function selects(selection: PolicyResource, r: PolicyResource): boolean {
  const arn = String(r.props.arn ?? "");
  const resources = strings(selection.props.resources);
  if (resources.includes("*") || (arn && resources.includes(arn))) return true;
  const tags = tagsOf(r.props);
  const byTag = list(selection.props.selectionTags).some((t) => tags[String(t.key)] === t.value);
  const equals = list(obj(selection.props.condition)?.stringEquals).some(
    (c) => tags[String(c.key).replace(/^aws:ResourceTag\//, "")] === c.value,
  );
  return byTag || equals;
}

export const backupResourceEnablePlanSelection = stackPolicy(
  {
    name: "backup-resource-enable-plan-selection",
    description:
      "Every database, file system, table and EBS volume is selected by an AWS Backup plan (by ARN or by tag).",
    enforcementLevel: "advisory",
    severity: "medium",
    hipaa: [...RESILIENCE],
    remediationSteps:
      "Tag the resource (Backup=daily) and add an aws.backup.Selection of that tag to the backup plan.",
    levelReason:
      "Each store also has its own backups (RDS, PITR, versioning), and a plan may be managed centrally outside the stack: advisory.",
  },
  [...STATEFUL_TYPES, SELECTION],
  (resources, report) => {
    const selections = ofType(resources, SELECTION);
    for (const r of ofType(resources, ...STATEFUL_TYPES)) {
      if (!selections.some((s) => selects(s, r))) {
        report(
          `${r.name} is in no AWS Backup plan: tag it for the plan's selection (for example Backup=daily)`,
          r.urn,
        );
      }
    }
  },
);
