/**
 * Security group ingress in one shape, whichever resource declares it: inline rules on
 * `ec2.SecurityGroup`, `ec2.SecurityGroupRule` of type ingress, and `vpc.SecurityGroupIngressRule`.
 */

export interface IngressRule {
  readonly protocol: unknown;
  readonly fromPort: unknown;
  readonly toPort: unknown;
  /** IPv4 and IPv6 source CIDRs, with the property each came from. */
  readonly sources: readonly { readonly cidr: string; readonly property: string }[];
  /** The security group the rule belongs to, when declared apart from it. */
  readonly securityGroupId?: unknown;
}

export const INGRESS_TYPES = {
  securityGroup: "aws:ec2/securityGroup:SecurityGroup",
  securityGroupRule: "aws:ec2/securityGroupRule:SecurityGroupRule",
  ingressRule: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
} as const;

type Props = Record<string, unknown>;

function cidrs(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

export function ingressRules(type: string, props: Props): IngressRule[] {
  switch (type) {
    case INGRESS_TYPES.securityGroup:
      return (Array.isArray(props.ingress) ? (props.ingress as Props[]) : []).map((r, i) => ({
        protocol: r.protocol,
        fromPort: r.fromPort,
        toPort: r.toPort,
        sources: [
          ...cidrs(r.cidrBlocks).map((cidr) => ({ cidr, property: `ingress[${i}].cidrBlocks` })),
          ...cidrs(r.ipv6CidrBlocks).map((cidr) => ({
            cidr,
            property: `ingress[${i}].ipv6CidrBlocks`,
          })),
        ],
      }));
    case INGRESS_TYPES.securityGroupRule:
      if (props.type !== "ingress") return [];
      return [
        {
          protocol: props.protocol,
          fromPort: props.fromPort,
          toPort: props.toPort,
          securityGroupId: props.securityGroupId,
          sources: [
            ...cidrs(props.cidrBlocks).map((cidr) => ({ cidr, property: "cidrBlocks" })),
            ...cidrs(props.ipv6CidrBlocks).map((cidr) => ({ cidr, property: "ipv6CidrBlocks" })),
          ],
        },
      ];
    case INGRESS_TYPES.ingressRule:
      return [
        {
          protocol: props.ipProtocol,
          fromPort: props.fromPort,
          toPort: props.toPort,
          securityGroupId: props.securityGroupId,
          sources: [
            ...(typeof props.cidrIpv4 === "string"
              ? [{ cidr: props.cidrIpv4, property: "cidrIpv4" }]
              : []),
            ...(typeof props.cidrIpv6 === "string"
              ? [{ cidr: props.cidrIpv6, property: "cidrIpv6" }]
              : []),
          ],
        },
      ];
    default:
      return [];
  }
}
