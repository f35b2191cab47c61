import { internetSources, rangeContains } from "../lib/cidr";
import { NETWORK_RULE_TYPES, allIngress, reachesTcp } from "../lib/ingress";
import { BREADTH_SCHEMA, breadthOf } from "../lib/network";
import { ADMIN_PORTS } from "../lib/ports";
import { stackPolicy } from "../lib/policy";
import type { BreadthLimits } from "../lib/cidr";

export interface AdminAllowlistConfig extends Partial<BreadthLimits> {
  /** CIDRs from which SSH and RDP may come (a bastion's sources). Empty: no SSH or RDP at all. */
  readonly allowedAdminCidrs: string[];
  /** The ports of administrative remote access. */
  readonly adminPorts: number[];
}

const PORT_NAMES: Record<number, string> = { 22: "SSH (22)", 3389: "RDP (3389)" };

/**
 * Restricted bastion CIDRs: SSH and RDP only from the CIDRs the pack's config allows. Judged on
 * the group's effective rules (detached rules joined, prefix lists resolved, port ranges and
 * all-protocol rules), so a split of 0.0.0.0/0 into halves, a range that contains 22, or a prefix
 * list of the internet is the internet all the same.
 */
export const ec2IngressEnforceAdminAllowlist = stackPolicy(
  {
    name: "ec2-ingress-enforce-admin-allowlist",
    description:
      "Security group ingress that reaches an administrative port (SSH 22, RDP 3389 by default), by port range or all-protocol rules, inline, detached or through a prefix list, comes only from the allowed admin CIDRs; never from the internet (any set of sources covering the public address space, or a source broader than minPublicPrefixV4/V6 that includes public addresses).",
    enforcementLevel: "mandatory",
    severity: "critical",
    hipaa: ["164.312(a)(1)", "164.312(e)(1)", "164.308(a)(4)(ii)(B)"],
    remediationSteps:
      "Remove SSH/RDP ingress and reach instances through Session Manager; if a bastion is needed, allow only its approved CIDRs and list them in the pack's allowedAdminCidrs.",
    levelReason:
      "An administrative port open to unapproved sources is the most exploited way into a network holding PHI; there is no safe advisory reading of it.",
    configSchema: {
      properties: {
        allowedAdminCidrs: { type: "array", items: { type: "string" }, default: [] },
        adminPorts: { type: "array", items: { type: "integer" }, default: [...ADMIN_PORTS] },
        ...BREADTH_SCHEMA,
      },
    },
  },
  NETWORK_RULE_TYPES,
  (resources, report, args) => {
    const config = args.getConfig<AdminAllowlistConfig>();
    const { allowedAdminCidrs, adminPorts } = config;
    const limits = breadthOf(config);
    const allowList = allowedAdminCidrs.length ? allowedAdminCidrs.join(", ") : "empty";
    const rules = allIngress(resources);
    const reported = new Set<string>();
    for (const port of adminPorts) {
      const reaching = rules.filter((r) => reachesTcp(r, port));
      const byGroup = new Map<string, typeof reaching>();
      for (const r of reaching) byGroup.set(r.group, [...(byGroup.get(r.group) ?? []), r]);
      for (const groupRules of byGroup.values()) {
        const internet = new Set(
          internetSources(
            groupRules.flatMap((r) => r.sources.map((s) => s.cidr)),
            limits,
          ),
        );
        for (const rule of groupRules) {
          for (const { cidr, property } of rule.sources) {
            const key = `${rule.resource.urn}|${port}|${property}|${cidr}`;
            if (reported.has(key)) continue;
            const name = PORT_NAMES[port] ?? `port ${port}`;
            if (internet.has(cidr)) {
              reported.add(key);
              report(
                `${rule.resource.name} admits ${name} from ${cidr}, the whole internet (alone or with the group's other sources): set ${property} to the bastion's allowed CIDRs (allowedAdminCidrs, now ${allowList}) or remove the rule and use Session Manager`,
                rule.resource.urn,
              );
            } else if (!allowedAdminCidrs.some((allowed) => rangeContains(allowed, cidr))) {
              reported.add(key);
              report(
                `${rule.resource.name} admits ${name} from ${cidr}, which is outside the allowed admin CIDRs (${allowList}): narrow ${property} to them, or add ${cidr} to allowedAdminCidrs in the policy config if it is a bastion source you approve`,
                rule.resource.urn,
              );
            }
          }
        }
      }
    }
  },
);
