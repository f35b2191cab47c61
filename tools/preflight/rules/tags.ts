/**
 * Tags: the limits every AWS service applies, and the stricter key rules of instance metadata,
 * which EC2 enforces at launch once a launch template or instance exposes tags there.
 */
import { ProgramGraph, Res, block, label, list } from "../graph";
import type { RuleHit, StackRule } from "../types";

const TAGGING = {
  title: "Tagging AWS resources: Tag naming limits and requirements",
  url: "https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html",
};

/** AWS's general tag limits, on every `tags` map the program writes. */
export const tagLimits: StackRule = {
  id: "tags-limits",
  family: "tags",
  kind: "fails-deploy",
  scope: "stack",
  description:
    "At most 50 user tags per resource, the provider's default tags included; keys of 1 to 128 characters, values of at most 256; the aws: prefix is reserved.",
  reference: TAGGING,
  check(graph) {
    const hits: RuleHit[] = [];
    for (const r of graph.resources) {
      if (!r.custom || !("tags" in r.inputs)) continue;
      // A tags map receives the provider's default tags too (Auto Scaling's tag list does not).
      const own = Object.keys(graph.tags(r)).length;
      const tags = Object.entries(Array.isArray(r.inputs.tags) ? graph.tags(r) : graph.allTags(r));
      const problems: string[] = [];
      if (tags.length > 50)
        problems.push(
          `${tags.length} tags (at most 50)${tags.length > own ? `: ${own} of its own and ${tags.length - own} default tags from its provider` : ""}`,
        );
      for (const [key, value] of tags) {
        if (key.length < 1 || key.length > 128)
          problems.push(`key "${key.slice(0, 40)}" has ${key.length} characters (1 to 128)`);
        if (String(value).length > 256)
          problems.push(`value of "${key}" has ${String(value).length} characters (at most 256)`);
        if (/^aws:/i.test(key)) problems.push(`key "${key}" uses the reserved prefix aws:`);
      }
      if (problems.length) {
        hits.push({
          urn: r.urn,
          message: `${label(r)}: tags ${problems.join("; ")}; change them to fit AWS's tag limits.`,
        });
      }
    }
    return hits;
  },
};

/**
 * EC2 refuses to launch (or tag) an instance whose tag keys break the metadata rules when tags are
 * in its instance metadata: letters, digits and + - = . , _ : @ only; no space or slash; not ".",
 * ".." or "_index".
 */
export function metadataTagKeyRefusal(key: string): string | undefined {
  if (key === "." || key === ".." || key === "_index") return `"${key}" is reserved`;
  if (/\s/.test(key)) return `"${key}" contains a space`;
  if (key.includes("/")) return `"${key}" contains a slash`;
  if (!/^[a-zA-Z0-9+\-=.,_:@]+$/.test(key))
    return `"${key}" contains a character other than letters, digits and + - = . , _ : @`;
  return undefined;
}

function metadataTagsEnabled(r: Res): boolean {
  return block(r.inputs.metadataOptions).instanceMetadataTags === "enabled";
}

/** The tag keys an instance launched from a template gets: its instance tag specifications, and the groups' propagated tags. */
function instanceTagKeys(graph: ProgramGraph, template: Res): { keys: string[]; from: Res }[] {
  const out: { keys: string[]; from: Res }[] = [];
  const specs = list(template.inputs.tagSpecifications)
    .map(block)
    .filter((s) => s.resourceType === "instance");
  out.push({ keys: specs.flatMap((s) => Object.keys(block(s.tags))), from: template });
  for (const group of graph.ofType("aws:autoscaling/group:Group")) {
    const lt = block(group.inputs.launchTemplate);
    const mixed = block(
      block(block(group.inputs.mixedInstancesPolicy).launchTemplate).launchTemplateSpecification,
    );
    const ref = lt.id ?? lt.name ?? mixed.launchTemplateId ?? mixed.launchTemplateName;
    if (graph.find(ref) !== template) continue;
    const propagated = list(group.inputs.tags)
      .map(block)
      .filter((t) => t.propagateAtLaunch === true)
      .map((t) => String(t.key));
    out.push({ keys: propagated, from: group });
  }
  return out;
}

export const metadataTagKeys: StackRule = {
  id: "tags-instance-metadata-keys",
  family: "tags",
  kind: "fails-deploy",
  scope: "stack",
  description:
    "With tags in instance metadata, instance tag keys may use only letters, digits and + - = . , _ : @ (no space, no slash, not . .. or _index); EC2 refuses the launch otherwise.",
  reference: {
    title: "Amazon EC2 User Guide: View tags for your EC2 instances using instance metadata",
    url: "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/work-with-tags-in-IMDS.html",
  },
  check(graph) {
    const hits: RuleHit[] = [];
    for (const r of graph.ofType(
      "aws:ec2/launchTemplate:LaunchTemplate",
      "aws:ec2/instance:Instance",
    )) {
      if (!metadataTagsEnabled(r)) continue;
      const sources =
        r.type === "aws:ec2/instance:Instance"
          ? [{ keys: Object.keys(graph.tags(r)), from: r }]
          : instanceTagKeys(graph, r);
      for (const { keys, from } of sources) {
        for (const key of keys) {
          const refusal = metadataTagKeyRefusal(key);
          if (!refusal) continue;
          hits.push({
            urn: from.urn,
            message: `${label(from)}: tag key ${refusal}, and ${label(r)} puts tags in instance metadata (metadataOptions.instanceMetadataTags "enabled"), so EC2 refuses every launch; rename the key (e.g. "${key.replace(/[^a-zA-Z0-9+\-=.,_:@]/g, "")}") everywhere it is used, or disable instanceMetadataTags.`,
          });
        }
      }
    }
    return hits;
  },
};

export const tagRules: readonly StackRule[] = [tagLimits, metadataTagKeys];
