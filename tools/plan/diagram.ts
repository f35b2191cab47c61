/**
 * Architecture diagrams drawn from the captured resources: a cluster per component, and inside a
 * network, a cluster per tier and AZ; edges where one resource's inputs name another, and the
 * paths in from the internet. Rendered in-process by Graphviz compiled to WebAssembly.
 */
import { ReportResource, componentOf } from "./report";

/** A resource as captured, outputs included: edges follow ids and ARNs, which are outputs. */
export type DrawnResource = ReportResource & { readonly outputs?: Record<string, unknown> };

export interface DrawnStack {
  readonly stack: string;
  readonly region: string;
  readonly resources: readonly DrawnResource[];
}

/** Types that would only clutter the picture: plumbing of something already drawn. */
const HIDDEN = [
  "pulumi:",
  "aws:ec2/route:Route",
  "aws:ec2/routeTableAssociation:",
  "aws:kms/alias:",
  "aws:iam/rolePolicy",
  "aws:vpc/securityGroupIngressRule:",
  "aws:vpc/securityGroupEgressRule:",
  "aws:ec2/securityGroupRule:",
  "aws:ec2/defaultSecurityGroup:",
  "aws:ec2/defaultNetworkAcl:",
  "aws:ec2/networkAcl:",
  "aws:s3/bucketPublicAccessBlock:",
  "aws:s3/bucketVersioning",
  "aws:s3/bucketServerSideEncryptionConfiguration",
  "aws:s3/bucketPolicy:",
];

/** Targets whose incoming edges say nothing (everything sits in the VPC). */
const NO_EDGES_TO = ["aws:ec2/vpc:Vpc"];

const TIER_ORDER = ["public", "app", "data"];
const TIER_COLOURS: Record<string, string> = { public: "#fde2e2", app: "#e2ecfd", data: "#e5f5e0" };

function visible(r: DrawnResource): boolean {
  return (
    r.parent !== null && !HIDDEN.some((h) => r.type.startsWith(h)) && r.type.startsWith("aws:")
  );
}

function quote(text: string): string {
  return `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

function shortType(type: string): string {
  const [, mod, name] = /^aws:([^/]+)\/[^:]+:(.+)$/.exec(type) ?? [];
  return mod ? `${mod}.${name}` : type;
}

function tags(r: ReportResource): Record<string, string> {
  const t = r.inputs.tags;
  return t && typeof t === "object" ? (t as Record<string, string>) : {};
}

/** Every string an input holds, nested included. */
function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === "string") out.push(value);
  else if (Array.isArray(value)) value.forEach((v) => strings(v, out));
  else if (value && typeof value === "object") Object.values(value).forEach((v) => strings(v, out));
  return out;
}

export function toDot(stack: DrawnStack): string {
  const byUrn = new Map(stack.resources.map((r) => [r.urn, r]));
  const shown = stack.resources.filter(visible);
  const ids = new Map(shown.map((r, i) => [r.urn, `n${i}`]));

  // Where each resource sits: subnets, route tables and NAT gateways by tier and AZ.
  const subnets = new Map(
    shown
      .filter((r) => r.type === "aws:ec2/subnet:Subnet")
      .map((s) => [String(s.id ?? ""), s] as const),
  );
  // A route table sits where the subnet it is associated with sits.
  const subnetOfTable = new Map(
    stack.resources
      .filter((r) => r.type === "aws:ec2/routeTableAssociation:RouteTableAssociation")
      .map((a) => [String(a.inputs.routeTableId ?? ""), String(a.inputs.subnetId ?? "")] as const),
  );
  const placeOf = (r: ReportResource): { tier: string; az: string } | undefined => {
    if (r.type === "aws:ec2/subnet:Subnet")
      return { tier: tags(r).Tier ?? "other", az: String(r.inputs.availabilityZone ?? "") };
    const subnetId =
      r.type === "aws:ec2/routeTable:RouteTable"
        ? subnetOfTable.get(String(r.id ?? ""))
        : r.inputs.subnetId;
    const subnet = subnets.get(String(subnetId ?? ""));
    return subnet ? placeOf(subnet) : undefined;
  };

  const lines = [
    "digraph {",
    "  graph [rankdir=LR, fontname=Helvetica, fontsize=11, compound=true, nodesep=0.25, ranksep=0.6];",
    '  node [shape=box, style="rounded,filled", fillcolor=white, fontname=Helvetica, fontsize=9];',
    '  edge [color="#666666", arrowsize=0.6];',
    `  label=${quote(`${stack.stack} (${stack.region}): ${stack.resources.length} resources`)}; labelloc=t;`,
  ];

  const components = new Map<string, ReportResource[]>();
  for (const r of shown) {
    const c = componentOf(r, byUrn);
    components.set(c, [...(components.get(c) ?? []), r]);
  }
  const node = (r: ReportResource, indent: string) =>
    `${indent}${ids.get(r.urn)} [label=${quote(`${shortType(r.type)}\n${r.name}`)}];`;
  // Many resources of one type side by side (the interface endpoints) become one node.
  const GROUP_AT = 4;
  const groupNode = (members: ReportResource[], indent: string) => {
    const id = ids.get(members[0].urn)!;
    for (const m of members) ids.set(m.urn, id);
    // A count and a kind; the names only when they tell the members apart.
    const names = [...new Set(members.map((m) => m.name.split("-").pop()))];
    const detail = names.length === members.length ? `\n${names.join(", ")}` : "";
    return `${indent}${id} [label=${quote(`${members.length} × ${shortType(members[0].type)}${detail}`)}];`;
  };

  [...components.entries()].forEach(([component, members], ci) => {
    lines.push(
      `  subgraph cluster_c${ci} {`,
      `    label=${quote(component)}; style=rounded; color="#999999";`,
    );
    const placed = new Map<string, Map<string, ReportResource[]>>();
    const loose = new Map<string, ReportResource[]>();
    for (const r of members) {
      const place = placeOf(r);
      if (!place) {
        loose.set(r.type, [...(loose.get(r.type) ?? []), r]);
        continue;
      }
      const tier = placed.get(place.tier) ?? new Map<string, ReportResource[]>();
      tier.set(place.az, [...(tier.get(place.az) ?? []), r]);
      placed.set(place.tier, tier);
    }
    for (const list of loose.values()) {
      if (list.length >= GROUP_AT) lines.push(groupNode(list, "    "));
      else for (const r of list) lines.push(node(r, "    "));
    }
    const tiers = [...placed.keys()].sort((a, b) => TIER_ORDER.indexOf(a) - TIER_ORDER.indexOf(b));
    tiers.forEach((tier, ti) => {
      lines.push(
        `    subgraph cluster_c${ci}_t${ti} {`,
        `      label=${quote(`${tier} tier`)}; style="rounded,filled"; fillcolor=${quote(TIER_COLOURS[tier] ?? "#f4f4f4")}; color="#bbbbbb";`,
      );
      [...placed.get(tier)!.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .forEach(([az, list], ai) => {
          lines.push(
            `      subgraph cluster_c${ci}_t${ti}_a${ai} {`,
            `        label=${quote(az)}; style=dashed; color="#aaaaaa";`,
          );
          for (const r of list) lines.push(node(r, "        "));
          lines.push("      }");
        });
      lines.push("    }");
    });
    lines.push("  }");
  });

  // Edges: a resource whose inputs name another's id or ARN depends on it.
  const byValue = new Map<string, ReportResource>();
  for (const r of shown) {
    if (NO_EDGES_TO.includes(r.type)) continue;
    for (const v of [r.id, r.outputs?.id, r.outputs?.arn])
      if (typeof v === "string" && v) byValue.set(v, r);
  }
  const edges = new Set<string>();
  const edge = (from: ReportResource, to: ReportResource, style = "") => {
    const a = ids.get(from.urn);
    const b = ids.get(to.urn);
    if (a && b && a !== b) edges.add(`  ${a} -> ${b}${style};`);
  };
  for (const r of shown) {
    for (const value of strings(r.inputs)) {
      const target = byValue.get(value);
      if (target) edge(r, target);
    }
  }
  // Routes and associations are not drawn, but they are the paths: table -> gateway, subnet -> table.
  const tableById = new Map(
    shown
      .filter((r) => r.type === "aws:ec2/routeTable:RouteTable")
      .map((t) => [String(t.id ?? ""), t]),
  );
  const gatewayById = new Map(
    shown
      .filter(
        (r) =>
          r.type === "aws:ec2/internetGateway:InternetGateway" ||
          r.type === "aws:ec2/natGateway:NatGateway",
      )
      .map((g) => [String(g.id ?? ""), g]),
  );
  for (const r of stack.resources) {
    const table = tableById.get(String(r.inputs.routeTableId ?? ""));
    if (!table) continue;
    if (r.type === "aws:ec2/route:Route") {
      const gateway = gatewayById.get(String(r.inputs.gatewayId ?? r.inputs.natGatewayId ?? ""));
      if (gateway) edge(table, gateway, ' [color="#c0392b"]');
    } else if (r.type.startsWith("aws:ec2/routeTableAssociation:")) {
      const subnet = subnets.get(String(r.inputs.subnetId ?? ""));
      if (subnet) edge(subnet, table, " [style=dotted]");
    }
  }
  lines.push(...[...edges].sort());

  // The way in from the internet.
  const entry = shown.filter(
    (r) =>
      r.type === "aws:ec2/internetGateway:InternetGateway" ||
      ((r.type === "aws:lb/loadBalancer:LoadBalancer" ||
        r.type === "aws:alb/loadBalancer:LoadBalancer") &&
        r.inputs.internal !== true),
  );
  if (entry.length) {
    lines.push(`  internet [label="internet", shape=ellipse, fillcolor="#fff3c4"];`);
    for (const r of entry)
      lines.push(`  internet -> ${ids.get(r.urn)} [color="#c0392b", penwidth=1.4];`);
  }
  lines.push("}");
  return lines.join("\n");
}

/** Renders DOT to SVG with Graphviz compiled to WebAssembly (no browser, no system binary). */
export async function renderSvg(dot: string): Promise<string> {
  const { Graphviz } = await import("@hpcc-js/wasm-graphviz");
  const graphviz = await Graphviz.load();
  return graphviz.dot(dot);
}
