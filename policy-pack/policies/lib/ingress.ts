/**
 * Security group ingress as AWS applies it, whichever resource declares it: inline rules on
 * `ec2.SecurityGroup` (and the adopted default group), `ec2.SecurityGroupRule` of type ingress and
 * `vpc.SecurityGroupIngressRule`, all joined to the group they belong to; managed prefix lists the
 * program declares resolved to their entries; protocols in every spelling AWS accepts (`-1`,
 * `all`, names and numbers) and ports as ranges.
 * AWS: "Security group rules", https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html
 * (protocol -1 is all protocols and all ports; a rule may reference a prefix list).
 */
import type { PolicyResource } from "@pulumi/policy";
import { BreadthLimits, internetSources } from "./cidr";
import { Props, list, strings } from "./props";
import { idOf } from "./topology";
import { ofType } from "./types";

export const INGRESS_TYPES = {
  securityGroup: "aws:ec2/securityGroup:SecurityGroup",
  defaultSecurityGroup: "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
  securityGroupRule: "aws:ec2/securityGroupRule:SecurityGroupRule",
  ingressRule: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
} as const;

export const PREFIX_LIST_TYPES = {
  list: "aws:ec2/managedPrefixList:ManagedPrefixList",
  entry: "aws:ec2/managedPrefixListEntry:ManagedPrefixListEntry",
} as const;

export const NETWORK_RULE_TYPES: readonly string[] = [
  ...Object.values(INGRESS_TYPES),
  ...Object.values(PREFIX_LIST_TYPES),
];

/** The IP protocol families the pack reasons about. */
export type Protocol = "all" | "tcp" | "udp" | "icmp" | "icmpv6" | "other";

/** One ingress rule, effective: its group, protocol, port range and every source CIDR. */
export interface EffectiveRule {
  /** The resource that declares the rule (the group itself for inline rules). */
  readonly resource: PolicyResource;
  /** The security group it admits traffic to. */
  readonly group: string;
  readonly protocol: Protocol;
  /** The raw protocol as written, for messages. */
  readonly protocolText: string;
  readonly from: number;
  readonly to: number;
  readonly sources: readonly { readonly cidr: string; readonly property: string }[];
  /** Where the rule sits in its resource, for messages (`ingress[0]`, or empty). */
  readonly at: string;
}

/** Normalises a protocol as AWS reads it: "-1", -1 and "all" are every protocol. */
export function protocolOf(value: unknown): Protocol {
  const p = String(value ?? "")
    .trim()
    .toLowerCase();
  if (p === "-1" || p === "all") return "all";
  if (p === "tcp" || p === "6") return "tcp";
  if (p === "udp" || p === "17") return "udp";
  if (p === "icmp" || p === "1") return "icmp";
  if (p === "icmpv6" || p === "58") return "icmpv6";
  return "other";
}

function portRange(protocol: Protocol, from: unknown, to: unknown): [number, number] {
  // All protocols, and protocols without ports, reach every port of a listener.
  if (protocol === "all" || protocol === "other") return [0, 65535];
  const f = typeof from === "number" && from >= 0 ? from : 0;
  const t = typeof to === "number" && to >= 0 ? to : 65535;
  return f <= t ? [f, t] : [t, f];
}

/** The CIDRs of each prefix list the program declares, by its id. */
export function prefixLists(resources: readonly PolicyResource[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const pl of ofType(resources, PREFIX_LIST_TYPES.list))
    out.set(
      idOf(pl),
      list(pl.props.entries).flatMap((e) => strings(e.cidr)),
    );
  for (const e of ofType(resources, PREFIX_LIST_TYPES.entry)) {
    const id = String(e.props.prefixListId ?? "");
    out.set(id, [...(out.get(id) ?? []), ...strings(e.props.cidr)]);
  }
  return out;
}

function sourcesOf(
  r: Props,
  lists: Map<string, string[]>,
  at: string,
  keys: { v4: string; v6: string; pl: string },
): { cidr: string; property: string }[] {
  const p = (k: string) => (at ? `${at}.${k}` : k);
  return [
    ...strings(r[keys.v4]).map((cidr) => ({ cidr, property: p(keys.v4) })),
    ...strings(r[keys.v6]).map((cidr) => ({ cidr, property: p(keys.v6) })),
    ...strings(r[keys.pl]).flatMap((id) =>
      (lists.get(id) ?? []).map((cidr) => ({ cidr, property: `${p(keys.pl)} (${id})` })),
    ),
  ];
}

function rule(
  resource: PolicyResource,
  group: string,
  raw: Props,
  protocolKey: string,
  sources: { cidr: string; property: string }[],
  at: string,
): EffectiveRule {
  const protocol = protocolOf(raw[protocolKey]);
  const [from, to] = portRange(protocol, raw.fromPort, raw.toPort);
  return {
    resource,
    group,
    protocol,
    protocolText: String(raw[protocolKey] ?? ""),
    from,
    to,
    sources,
    at,
  };
}

/** The ingress rules one resource declares, with prefix lists resolved through `lists`. */
export function ingressRulesOf(
  r: PolicyResource,
  lists: Map<string, string[]> = new Map(),
): EffectiveRule[] {
  const inline = { v4: "cidrBlocks", v6: "ipv6CidrBlocks", pl: "prefixListIds" };
  switch (r.type) {
    case INGRESS_TYPES.securityGroup:
    case INGRESS_TYPES.defaultSecurityGroup:
      return list(r.props.ingress).map((x, i) =>
        rule(
          r,
          idOf(r),
          x,
          "protocol",
          sourcesOf(x, lists, `ingress[${i}]`, inline),
          `ingress[${i}]`,
        ),
      );
    case INGRESS_TYPES.securityGroupRule:
      if (r.props.type !== "ingress") return [];
      return [
        rule(
          r,
          String(r.props.securityGroupId ?? ""),
          r.props,
          "protocol",
          sourcesOf(r.props, lists, "", inline),
          "",
        ),
      ];
    case INGRESS_TYPES.ingressRule:
      return [
        rule(
          r,
          String(r.props.securityGroupId ?? ""),
          r.props,
          "ipProtocol",
          sourcesOf(r.props, lists, "", { v4: "cidrIpv4", v6: "cidrIpv6", pl: "prefixListId" }),
          "",
        ),
      ];
    default:
      return [];
  }
}

const memo = new WeakMap<readonly PolicyResource[], EffectiveRule[]>();

/** Every ingress rule of the stack, each joined to its group. */
export function allIngress(resources: readonly PolicyResource[]): EffectiveRule[] {
  let rules = memo.get(resources);
  if (!rules) {
    const lists = prefixLists(resources);
    rules = resources.flatMap((r) => ingressRulesOf(r, lists));
    memo.set(resources, rules);
  }
  return rules;
}

/** Whether a rule admits TCP (or every protocol) on this port. */
export function reachesTcp(r: EffectiveRule, port: number): boolean {
  return (r.protocol === "tcp" || r.protocol === "all") && r.from <= port && port <= r.to;
}

/** Whether a rule admits this protocol on this port (all-protocol rules admit everything). */
export function reaches(r: EffectiveRule, protocol: Protocol, port: number): boolean {
  return (r.protocol === protocol || r.protocol === "all") && r.from <= port && port <= r.to;
}

export interface Exposure {
  readonly rule: EffectiveRule;
  readonly cidr: string;
  readonly property: string;
  /** The ports of the rule that the internet reaches through this source, as one range. */
  readonly from: number;
  readonly to: number;
  readonly protocol: Protocol;
}

/**
 * Where a group admits the internet: for each protocol and each stretch of ports, the sources of
 * every rule of the group that reaches it are united, and those that together cover the public
 * address space (or are too broad on their own) are the internet there.
 */
export function internetExposures(
  rules: readonly EffectiveRule[],
  limits: BreadthLimits,
): readonly Exposure[] {
  // The internet policies of a run ask this of the same rules (allIngress) with the same limits.
  const key = `${limits.minPublicPrefixV4}/${limits.minPublicPrefixV6}`;
  let byLimits = exposureMemo.get(rules);
  if (!byLimits) {
    byLimits = new Map();
    exposureMemo.set(rules, byLimits);
  }
  let out = byLimits.get(key);
  if (!out) {
    out = exposuresOf(rules, limits);
    byLimits.set(key, out);
  }
  return out;
}

const exposureMemo = new WeakMap<readonly EffectiveRule[], Map<string, readonly Exposure[]>>();

function exposuresOf(rules: readonly EffectiveRule[], limits: BreadthLimits): Exposure[] {
  const out: Exposure[] = [];
  const byGroup = new Map<string, EffectiveRule[]>();
  for (const r of rules) byGroup.set(r.group, [...(byGroup.get(r.group) ?? []), r]);
  for (const groupRules of byGroup.values()) {
    for (const protocol of ["tcp", "udp", "icmp", "icmpv6", "other"] as const) {
      const relevant = groupRules.filter((r) => r.protocol === protocol || r.protocol === "all");
      if (!relevant.length) continue;
      const cuts = [...new Set(relevant.flatMap((r) => [r.from, r.to + 1]))].sort((a, b) => a - b);
      for (let i = 0; i + 1 < cuts.length; i++) {
        const [a, b] = [cuts[i], cuts[i + 1] - 1];
        const covering = relevant.filter((r) => r.from <= a && b <= r.to);
        const open = new Set(
          internetSources(
            covering.flatMap((r) => r.sources.map((s) => s.cidr)),
            limits,
          ),
        );
        if (!open.size) continue;
        for (const r of covering)
          for (const s of r.sources)
            if (open.has(s.cidr))
              out.push({ rule: r, cidr: s.cidr, property: s.property, from: a, to: b, protocol });
      }
    }
  }
  return out;
}

/** "port 22", "ports 0-65535" or "all ports". */
export function describePorts(protocol: string, from: number, to: number): string {
  if (from === 0 && to === 65535) return `${protocol} on all ports`;
  return from === to ? `${protocol} port ${from}` : `${protocol} ports ${from}-${to}`;
}
