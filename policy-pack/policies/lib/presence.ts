/**
 * "This account or regional service exists for every stack": presence checks. Each takes
 * `coveredByOrganization` in its policy config: when the organization provides the service (a
 * delegated administrator, Control Tower), absence is not a finding.
 */
import { DETECTION } from "./levels";
import { EhealthStackPolicy, HipaaCitation, stackPolicy } from "./policy";
import { stackOf } from "./props";
import { SELECTOR_SCHEMA, StackSelector, selects, stackProperties } from "./stacks";

export interface Presence {
  readonly name: string;
  readonly service: string;
  readonly types: readonly string[];
  readonly remedy: string;
  readonly holds?: (props: Record<string, unknown>) => boolean;
  readonly description?: string;
  readonly hipaa?: readonly HipaaCitation[];
  readonly levelReason?: string;
}

export interface PresenceConfig {
  readonly coveredByOrganization: boolean;
  readonly stacks: StackSelector;
}

export function presencePolicy(p: Presence): EhealthStackPolicy {
  return stackPolicy(
    {
      name: p.name,
      description:
        p.description ??
        `Every stack (those the stacks selector picks) enables ${p.service}, unless the policy config says the organization provides it (coveredByOrganization).`,
      enforcementLevel: "advisory",
      severity: "medium",
      hipaa: [...(p.hipaa ?? DETECTION)],
      remediationSteps: p.remedy,
      levelReason:
        p.levelReason ??
        `${p.service} is often enabled for all accounts and regions by an organization's delegated administrator, outside any stack this pack sees: the pack advises, and coveredByOrganization records that it is provided.`,
      configSchema: {
        properties: {
          coveredByOrganization: { type: "boolean", default: false },
          stacks: SELECTOR_SCHEMA,
        },
      },
    },
    [],
    (resources, report, args) => {
      const config = args.getConfig<PresenceConfig>();
      if (config.coveredByOrganization || !resources.length) return;
      if (!selects(config.stacks, stackProperties(resources))) return;
      const found = resources.some(
        (r) => p.types.includes(r.type) && (p.holds ? p.holds(r.props) : true),
      );
      if (!found) {
        report(
          `stack ${stackOf(resources[0].urn)} does not enable ${p.service}: ${p.remedy}, or set coveredByOrganization in this policy's config if the organization provides it`,
        );
      }
    },
  );
}
