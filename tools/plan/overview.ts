/**
 * The overview diagram of a stack, drawn to be read at the README's width: the region and its VPC
 * tiers, the request path (internet → WAF → load balancer → app → stores), each store's key and
 * encryption, logs flowing to the archive, replication and backup copies to the other region, and
 * in red what the internet reaches and what the policy pack found. Boxes come from
 * overview-groups.ts; the detailed graph of every resource stays in diagram.ts (--detailed-diagrams).
 */
import type { DrawnResource, DrawnStack } from "./diagram";
import { Group, Place, groupResources } from "./overview-groups";
import type { StackReport } from "./report";

/** Fonts: Graphviz sizes boxes with Helvetica's metrics; wider fallbacks fit within the margins. */
const FONT = "Helvetica";
const TITLE_SIZE = 16;
const DETAIL_SIZE = 14;

const STYLE: Record<string, string> = {
  entry: 'shape=box, style="rounded,filled", fillcolor="#ffe8cc"',
  compute: 'shape=box, style="rounded,filled", fillcolor="#dbe8ff"',
  store: 'shape=cylinder, style="filled", fillcolor="#dff3d8"',
  key: 'shape=box, style="rounded,filled", fillcolor="#fff4b8"',
  log: 'shape=folder, style="filled", fillcolor="#eeeeee"',
  network: 'shape=box, style="rounded,filled", fillcolor="#f2f2f2"',
  security: 'shape=box, style="rounded,filled", fillcolor="#ece3fb"',
  identity: 'shape=box, style="rounded,filled", fillcolor="#ece3fb"',
  backup: 'shape=cylinder, style="filled", fillcolor="#d7f0f0"',
  enclave: 'shape=box3d, style="filled", fillcolor="#fbe3ef"',
  other: 'shape=box, style="rounded,filled", fillcolor="#ffffff"',
};

const RED = "#c0392b";

/**
 * Advance widths (em) of DejaVu Sans, the sans-serif fallback where Helvetica is missing and among
 * the widest common ones, measured with resvg: boxes sized with them hold their labels in any font.
 */
const EM: Readonly<Record<string, number>> = {
  " ": 0.32,
  "!": 0.4,
  '"': 0.46,
  "#": 0.84,
  $: 0.64,
  "%": 0.95,
  "&": 0.78,
  "'": 0.27,
  "(": 0.39,
  ")": 0.39,
  "*": 0.5,
  "+": 0.84,
  ",": 0.32,
  "-": 0.36,
  ".": 0.32,
  "/": 0.34,
  ":": 0.34,
  ";": 0.34,
  "<": 0.84,
  "=": 0.84,
  ">": 0.84,
  "?": 0.53,
  "@": 1,
  A: 0.71,
  B: 0.69,
  C: 0.7,
  D: 0.77,
  E: 0.63,
  F: 0.58,
  G: 0.77,
  H: 0.75,
  I: 0.29,
  J: 0.29,
  K: 0.66,
  L: 0.56,
  M: 0.86,
  N: 0.75,
  O: 0.79,
  P: 0.6,
  Q: 0.79,
  R: 0.69,
  S: 0.63,
  T: 0.59,
  U: 0.73,
  V: 0.68,
  W: 0.99,
  X: 0.69,
  Y: 0.61,
  Z: 0.69,
  "[": 0.39,
  "\\": 0.34,
  "]": 0.39,
  "^": 0.84,
  _: 0.5,
  "`": 0.5,
  a: 0.61,
  b: 0.63,
  c: 0.55,
  d: 0.63,
  e: 0.62,
  f: 0.34,
  g: 0.63,
  h: 0.63,
  i: 0.28,
  j: 0.28,
  k: 0.58,
  l: 0.28,
  m: 0.97,
  n: 0.63,
  o: 0.61,
  p: 0.63,
  q: 0.63,
  r: 0.39,
  s: 0.52,
  t: 0.39,
  u: 0.63,
  v: 0.59,
  w: 0.82,
  x: 0.59,
  y: 0.59,
  z: 0.52,
  "{": 0.64,
  "|": 0.34,
  "}": 0.64,
  "~": 0.84,
  "–": 0.5,
  "×": 0.84,
  "·": 0.32,
  "→": 0.84,
};

/** The width of a line of text in points, at a font size in points. */
export function textWidth(text: string, size: number): number {
  let em = 0;
  for (const c of text) em += EM[c] ?? (c >= "0" && c <= "9" ? 0.64 : 1);
  return em * size;
}

function esc(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}

/** Lines of at most `width` characters, breaking at spaces (labels never outgrow their boxes). */
function wrap(text: string, width = 30): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line && `${line} ${word}`.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

/** An HTML-like label and the width (inches) its box needs to hold it in a wide font. */
function label(
  title: string,
  details: string[],
  findings: number,
): { html: string; width: number } {
  const titles = wrap(title);
  const smalls = details.flatMap((d) => wrap(d, 30));
  const alerts = findings ? [`${findings} finding${findings > 1 ? "s" : ""}`] : [];
  const widest = Math.max(
    ...titles.map((l) => textWidth(l, TITLE_SIZE)),
    ...[...smalls, ...alerts].map((l) => textWidth(l, DETAIL_SIZE)),
  );
  const rows = [
    ...titles.map(esc),
    ...smalls.map((l) => `<FONT POINT-SIZE="${DETAIL_SIZE}">${esc(l)}</FONT>`),
    ...alerts.map((l) => `<FONT POINT-SIZE="${DETAIL_SIZE}" COLOR="${RED}">${esc(l)}</FONT>`),
  ];
  // Margins of 0.22 inch each side, and room for a cylinder's or folder's outline.
  return {
    html: `<${rows.join("<BR/>")}>`,
    width: Math.ceil(((widest + 2 * 0.22 * 72 + 12) / 72) * 100) / 100,
  };
}

const obj = (v: unknown): Record<string, unknown> =>
  v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
const list = (v: unknown): unknown[] =>
  Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];

function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === "string") out.push(value);
  else if (Array.isArray(value)) value.forEach((v) => strings(v, out));
  else if (value && typeof value === "object") Object.values(value).forEach((v) => strings(v, out));
  return out;
}

const PLACES: readonly { place: Place; label: string; fill?: string }[] = [
  { place: "public", label: "public tier", fill: "#fdecec" },
  { place: "app", label: "app tier (private)", fill: "#e9f0fd" },
  { place: "data", label: "data tier (isolated)", fill: "#e8f6e3" },
];

export function overviewDot(stack: DrawnStack, report: StackReport): string {
  const resources = stack.resources as readonly DrawnResource[];
  const { groups, groupOf, prefix } = groupResources(resources);
  const shortKey = (name: string) =>
    name.startsWith(`${prefix}-`) ? name.slice(prefix.length + 1) : name;
  const ids = new Map(groups.map((g, i) => [g, `g${i}`]));
  const byValue = new Map<string, DrawnResource>();
  for (const r of resources) {
    for (const v of [r.id, r.outputs?.arn, r.outputs?.name])
      if (typeof v === "string" && v) byValue.set(v, r);
  }
  const findings = new Map<Group, number>();
  for (const v of report.violations) {
    const g = v.urn ? groupOf.get(v.urn) : undefined;
    if (g) findings.set(g, (findings.get(g) ?? 0) + 1);
  }
  const stackFindings = report.violations.filter((v) => !v.urn || !groupOf.get(v.urn)).length;

  // The stores' keys and encryption, from the PHI inventory.
  for (const s of report.inventory) {
    const g = groupOf.get(s.urn);
    if (!g || g.kind === "enclave") continue;
    const enc =
      s.key.kind === "none"
        ? "NOT encrypted"
        : s.key.kind === "aws-owned"
          ? "AWS-owned key"
          : `key ${s.key.name ? shortKey(s.key.name) : "KMS"}`;
    const tls =
      s.tls.status === "enforced"
        ? ", TLS only"
        : s.tls.status === "not enforced"
          ? ", TLS optional"
          : "";
    const line = s.kind === "volume" ? `disks: ${enc}` : `${enc}${tls}`;
    if (!g.detail.includes(line)) g.detail.push(line);
  }

  for (const g of groups.filter((x) => x.kind === "key")) {
    const uses = report.inventory.filter(
      (s) => s.key.kind === "customer" && s.key.name === g.members[0].name,
    ).length;
    if (uses) g.detail.push(`encrypts ${uses} store${uses > 1 ? "s" : ""}`);
  }

  const lines = [
    "digraph overview {",
    `  graph [rankdir=TB, fontname="${FONT}", fontsize=${TITLE_SIZE}, nodesep=0.3, ranksep=0.45, newrank=true, compound=true, pad=0.2];`,
    `  node [fontname="${FONT}", fontsize=${TITLE_SIZE}, margin="0.22,0.1", penwidth=1.2];`,
    `  edge [fontname="${FONT}", fontsize=${DETAIL_SIZE}, color="#555555", arrowsize=0.8];`,
  ];
  const node = (g: Group, indent: string) => {
    const n = findings.get(g) ?? 0;
    const alert = n ? `, color="${RED}", penwidth=2.5` : "";
    const { html, width } = label(g.title, g.detail, n);
    return `${indent}${ids.get(g)} [label=${html}, width=${width}, ${STYLE[g.kind]}${alert}];`;
  };
  const at = (place: Place) => groups.filter((g) => g.place === place);

  lines.push('  internet [label="internet", shape=ellipse, style=filled, fillcolor="#fff3c4"];');
  const props = [
    report.properties.environment,
    report.properties.primary === true
      ? "primary"
      : report.properties.primary === false
        ? "secondary"
        : null,
  ].filter(Boolean);
  lines.push(
    "  subgraph cluster_region {",
    `    label=<${esc(`${stack.stack}: ${stack.region}${props.length ? ` (${props.join(", ")})` : ""}`)}${stackFindings ? `<BR/><FONT COLOR="${RED}">${stackFindings} more finding${stackFindings > 1 ? "s" : ""} (the stack, its rules and settings)</FONT>` : ""}>; style="rounded"; color="#888888"; labeljust=l;`,
  );
  for (const g of at("entry")) lines.push(node(g, "    "));
  const vpcGroups = groups.filter((g) => ["public", "app", "data", "vpc"].includes(g.place));
  if (vpcGroups.length) {
    const vpc = resources.find((r) => r.type === "aws:ec2/vpc:Vpc");
    lines.push(
      "    subgraph cluster_vpc {",
      `      label=${JSON.stringify(vpc ? `VPC ${String(vpc.inputs.cidrBlock ?? "")}` : "VPC")}; style="rounded,dashed"; color="#888888"; labeljust=l;`,
    );
    for (const g of at("vpc")) lines.push(node(g, "      "));
    for (const p of PLACES) {
      const here = at(p.place);
      if (!here.length) continue;
      lines.push(
        `      subgraph cluster_${p.place} {`,
        `        label=${JSON.stringify(p.label)}; style="rounded,filled"; fillcolor="${p.fill}"; color="#bbbbbb"; labeljust=l;`,
      );
      for (const g of here) lines.push(node(g, "        "));
      lines.push("      }");
    }
    lines.push("    }");
  }
  for (const [place, title] of [
    ["services", "regional services"],
    ["logs", "logs and archive"],
    ["keys", "encryption keys (KMS)"],
    ["security", "detection and identity"],
  ] as const) {
    const here = at(place);
    if (!here.length) continue;
    lines.push(
      `    subgraph cluster_${place} {`,
      `      label=${JSON.stringify(title)}; style="rounded"; color="#cccccc"; labeljust=l;`,
    );
    for (const g of here) lines.push(node(g, "      "));
    lines.push("    }");
  }
  lines.push("  }");

  const edges = new Set<string>();
  const edge = (a: string | undefined, b: string | undefined, attrs = "") => {
    if (a && b && a !== b) edges.add(`  ${a} -> ${b}${attrs ? ` [${attrs}]` : ""};`);
  };
  const id = (g: Group | undefined) => (g ? ids.get(g) : undefined);
  const groupOfValue = (v: unknown) => {
    const r = byValue.get(String(v ?? ""));
    return r ? groupOf.get(r.urn) : undefined;
  };

  // The request path: internet → WAF → load balancer → app → stores.
  const lbs = groups.filter((g) => g.id.startsWith("lb-"));
  const wafFor = new Map<Group, Group>();
  for (const a of resources.filter((r) => r.type.startsWith("aws:wafv2/webAclAssociation"))) {
    const lb = groupOfValue(a.inputs.resourceArn);
    const waf = groupOfValue(a.inputs.webAclArn);
    if (lb && waf) wafFor.set(lb, waf);
  }
  const exposed = `color="${RED}", fontcolor="${RED}", penwidth=2`;
  for (const lb of lbs.filter((g) => g.members[0].inputs.internal !== true)) {
    const waf = wafFor.get(lb);
    if (waf) {
      edge("internet", id(waf), `${exposed}, label="HTTPS"`);
      edge(id(waf), id(lb), `${exposed}`);
    } else edge("internet", id(lb), `${exposed}, label="HTTPS"`);
  }
  const listenersTo = new Map<string, Group>();
  for (const l of resources.filter((r) => r.type === "aws:lb/listener:Listener")) {
    const lb = groupOfValue(l.inputs.loadBalancerArn);
    for (const a of list(l.inputs.defaultActions)) {
      const tg = obj(a).targetGroupArn;
      if (lb && typeof tg === "string") listenersTo.set(tg, lb);
    }
  }
  const compute = groups.filter((g) => g.kind === "compute");
  for (const c of compute) {
    for (const tg of list(c.members[0].inputs.targetGroupArns))
      edge(id(listenersTo.get(String(tg))), id(c), "penwidth=2");
  }
  // App → store: a security group rule admits the app's group to the store's, or the app's role names the store.
  const sgsOf = (r: DrawnResource): string[] => {
    const i = r.inputs;
    const template = byValue.get(String(obj(i.launchTemplate).id ?? ""));
    const own = [
      ...list(i.vpcSecurityGroupIds),
      ...list(i.securityGroupIds),
      ...list(i.securityGroups),
    ];
    const fromTemplate = template
      ? [
          ...list(template.inputs.vpcSecurityGroupIds),
          ...list(template.inputs.networkInterfaces).flatMap((n) => list(obj(n).securityGroups)),
        ]
      : [];
    const mounts = resources
      .filter((m) => m.type === "aws:efs/mountTarget:MountTarget" && m.inputs.fileSystemId === r.id)
      .flatMap((m) => list(m.inputs.securityGroups));
    return [...own, ...fromTemplate, ...mounts].map(String);
  };
  const admits = new Set<string>();
  for (const rule of resources) {
    if (
      rule.type === "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule" &&
      rule.inputs.referencedSecurityGroupId
    )
      admits.add(
        `${String(rule.inputs.referencedSecurityGroupId)}>${String(rule.inputs.securityGroupId)}`,
      );
    if (
      rule.type === "aws:ec2/securityGroupRule:SecurityGroupRule" &&
      rule.inputs.type === "ingress" &&
      rule.inputs.sourceSecurityGroupId
    )
      admits.add(
        `${String(rule.inputs.sourceSecurityGroupId)}>${String(rule.inputs.securityGroupId)}`,
      );
  }
  const roleText = (c: Group): string => {
    const template = c.members.find((m) => m.type === "aws:ec2/launchTemplate:LaunchTemplate");
    const profileRef = obj(
      template?.inputs.iamInstanceProfile ?? c.members[0].inputs.iamInstanceProfile,
    );
    const profile = byValue.get(
      String(profileRef.arn ?? profileRef.name ?? c.members[0].inputs.iamInstanceProfile ?? ""),
    );
    const role = String(profile?.inputs.role ?? c.members[0].inputs.role ?? "");
    return resources
      .filter(
        (p) =>
          (p.type === "aws:iam/rolePolicy:RolePolicy" && String(p.inputs.role) === role) ||
          (p.type === "aws:iam/policy:Policy" &&
            resources.some(
              (a) =>
                a.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment" &&
                String(a.inputs.role) === role &&
                a.inputs.policyArn === p.outputs?.arn,
            )),
      )
      .map((p) => String(p.inputs.policy ?? ""))
      .join(" ");
  };
  for (const c of compute) {
    const own = c.members.flatMap(sgsOf);
    const policies = roleText(c);
    for (const s of groups.filter((g) => g.kind === "store" || g.kind === "backup")) {
      const theirs = s.members.flatMap(sgsOf);
      const byNetwork = own.some((a) => theirs.some((b) => admits.has(`${a}>${b}`)));
      const byRole = s.members.some(
        (m) => typeof m.outputs?.arn === "string" && policies.includes(String(m.outputs.arn)),
      );
      if (byNetwork || byRole) edge(id(c), id(s), "penwidth=2");
    }
  }

  // Logs: whatever names a log destination sends it its logs (bucket logging, trails, flow logs).
  for (const r of resources) {
    const subject =
      groupOf.get(r.urn) ??
      groupOfValue(r.inputs.bucket ?? r.inputs.resourceArn ?? r.inputs.loadBalancerArn);
    if (!subject || !["entry", "store", "log", "compute", "network"].includes(subject.kind))
      continue;
    for (const value of strings(r.inputs)) {
      const target = groupOfValue(value) ?? groupOfValue(value.replace(/:\*$/, ""));
      if (target && target !== subject && target.kind === "log" && subject.kind !== "key")
        edge(id(subject), id(target), 'color="#888888", style=dotted');
    }
  }

  // Copies to the other region: bucket replication and backup copy actions.
  const away = (arnOrRegion: string | undefined) => !!arnOrRegion && arnOrRegion !== stack.region;
  const elsewhere = new Set<string>();
  const copy = (g: Group | undefined, region: string, what: string) => {
    if (!g) return;
    elsewhere.add(region);
    edge(
      id(g),
      `region_${region.replace(/-/g, "_")}`,
      `color="#2e86c1", fontcolor="#2e86c1", label="${what}"`,
    );
  };
  for (const rc of resources.filter((r) => r.type.startsWith("aws:s3/bucketReplicationConfig"))) {
    for (const rule of list(rc.inputs.rules).map(obj)) {
      const region = String(
        obj(obj(rule.destination).encryptionConfiguration).replicaKmsKeyId ?? "",
      ).split(":")[3];
      if (away(region)) copy(groupOfValue(rc.inputs.bucket), region, "replication");
    }
  }
  for (const plan of resources.filter((r) => r.type === "aws:backup/plan:Plan")) {
    for (const rule of list(plan.inputs.rules).map(obj)) {
      for (const c of list(rule.copyActions).map(obj)) {
        const region = String(c.destinationVaultArn ?? "").split(":")[3];
        if (away(region)) copy(groupOf.get(plan.urn), region, "backup copies");
      }
    }
  }
  for (const region of elsewhere) {
    lines.push(
      `  region_${region.replace(/-/g, "_")} [label=${JSON.stringify(`${region} (other region)`)}, shape=box, style="rounded,dashed", color="#2e86c1", fontcolor="#2e86c1"];`,
    );
  }

  // Exposure found by the pack: red from the internet to what it reaches.
  for (const v of report.violations) {
    const g = v.urn ? groupOf.get(v.urn) : undefined;
    if (g && /public|internet|allowlist/.test(v.policy))
      edge("internet", id(g), `${exposed}, style=dashed, label="exposed"`);
  }

  // Read top to bottom at the README's width: each section below the one before, three boxes a row.
  const ORDER: readonly Place[] = [
    "entry",
    "public",
    "app",
    "data",
    "vpc",
    "services",
    "logs",
    "keys",
    "security",
  ];
  const ROW = 3;
  const rows: string[][] = [];
  for (const place of ORDER) {
    const here = at(place).map((g) => ids.get(g)!);
    for (let i = 0; i < here.length; i += ROW) rows.push(here.slice(i, i + ROW));
  }
  const layout: string[] = [];
  if (rows.length) for (const n of rows[0]) layout.push(`  internet -> ${n} [style=invis];`);
  for (let r = 1; r < rows.length; r++) {
    for (const a of rows[r - 1])
      for (const b of rows[r]) layout.push(`  ${a} -> ${b} [style=invis];`);
  }
  for (const region of elsewhere) {
    const last = rows[rows.length - 1];
    if (last) layout.push(`  ${last[0]} -> region_${region.replace(/-/g, "_")} [style=invis];`);
  }
  lines.push(...[...edges].sort(), ...layout, "}");
  return lines.join("\n");
}
