/** "This regional service exists in every region stack": advisory presence checks. */
import { DETECTION } from "./levels";
import { EhealthStackPolicy, stackPolicy } from "./policy";
import { stackOf } from "./props";

export interface Presence {
  readonly name: string;
  readonly service: string;
  readonly types: readonly string[];
  readonly remedy: string;
  readonly holds?: (props: Record<string, unknown>) => boolean;
}

export function presencePolicy(p: Presence): EhealthStackPolicy {
  return stackPolicy(
    {
      name: p.name,
      description: `Every region stack enables ${p.service}.`,
      enforcementLevel: "advisory",
      severity: "medium",
      hipaa: [...DETECTION],
      remediationSteps: p.remedy,
      levelReason: `${p.service} is often enabled for all accounts and regions by an organization's delegated administrator, outside any stack this pack sees: the pack advises rather than blocks.`,
    },
    [],
    (resources, report) => {
      const found = resources.some(
        (r) => p.types.includes(r.type) && (p.holds ? p.holds(r.props) : true),
      );
      if (!found && resources.length) {
        report(`stack ${stackOf(resources[0].urn)} does not enable ${p.service}: ${p.remedy}`);
      }
    },
  );
}
