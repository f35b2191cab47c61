import { isAnywhere, rangeContains } from "../lib/cidr";
import { INGRESS_TYPES, ingressRules } from "../lib/ingress";
import { ADMIN_PORTS, reachesPort } from "../lib/ports";
import { ResourceCheck, resourcePolicy } from "../lib/policy";

export interface AdminAllowlistConfig {
  /** CIDRs from which SSH and RDP may come (a bastion's sources). Empty: no SSH or RDP at all. */
  readonly allowedAdminCidrs: string[];
}

const PORT_NAMES: Record<number, string> = { 22: "SSH (22)", 3389: "RDP (3389)" };

const check: ResourceCheck = (resource, report) => {
  const { allowedAdminCidrs } = resource.getConfig<AdminAllowlistConfig>();
  const allowList = allowedAdminCidrs.length ? allowedAdminCidrs.join(", ") : "empty";
  for (const rule of ingressRules(resource.type, resource.props)) {
    for (const port of ADMIN_PORTS) {
      if (!reachesPort(rule.protocol, rule.fromPort, rule.toPort, port)) continue;
      for (const { cidr, property } of rule.sources) {
        if (isAnywhere(cidr)) {
          report(
            `${resource.name} admits ${PORT_NAMES[port]} from ${cidr}, the whole internet: set ${property} to the bastion's allowed CIDRs (allowedAdminCidrs, now ${allowList}) or remove the rule and use Session Manager`,
          );
        } else if (!allowedAdminCidrs.some((allowed) => rangeContains(allowed, cidr))) {
          report(
            `${resource.name} admits ${PORT_NAMES[port]} from ${cidr}, which is outside the allowed admin CIDRs (${allowList}): narrow ${property} to them, or add ${cidr} to allowedAdminCidrs in the policy config if it is a bastion source you approve`,
          );
        }
      }
    }
  }
};

/** Restricted bastion CIDRs: SSH and RDP only from the CIDRs the pack's config allows. */
export const ec2IngressEnforceAdminAllowlist = resourcePolicy(
  {
    name: "ec2-ingress-enforce-admin-allowlist",
    description:
      "Security group ingress that reaches SSH (22) or RDP (3389), by port range or all-protocol rules, comes only from the allowed admin CIDRs; never from 0.0.0.0/0 or ::/0.",
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
      },
    },
  },
  {
    [INGRESS_TYPES.securityGroup]: check,
    [INGRESS_TYPES.securityGroupRule]: check,
    [INGRESS_TYPES.ingressRule]: check,
  },
);
