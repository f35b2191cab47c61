/**
 * The plan as an auditor's Markdown document: where it comes from (provenance), which policies
 * ran at another level than the pack's, then per stack the HIPAA Security Rule matrix grouped by
 * safeguard, the PHI inventory, the findings, the exemptions, and the preflight's deploy findings.
 */
import type { PhiStore } from "./inventory";
import { PlanReport, StackReport } from "./report";
import { GROUPS, ProvisionRow } from "./safeguards";
import { verdict } from "./terminal";

const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");
const code = (text: string) => `\`${text}\``;
const resourceName = (urn: string | null) => (urn ? (urn.split("::").pop() ?? urn) : "(the stack)");

function provenance(report: PlanReport): string[] {
  const p = report.provenance;
  const lines = ["| | |", "| --- | --- |", `| generated | ${report.generatedAt} |`];
  if (p) {
    const commit = p.commit
      ? `${code(p.commit)}${p.dirty ? " with uncommitted changes" : ""}`
      : "not in a git repository";
    lines.push(
      `| program commit | ${commit} |`,
      `| policy pack | ${p.pack.name} ${p.pack.version} |`,
      `| policy config | ${code(p.policyConfig.path)}, ${code(p.policyConfig.sha256)} |`,
      `| Pulumi SDK and provider | ${Object.entries(p.sdk)
        .map(([n, v]) => `${n} ${v}`)
        .join(", ")} |`,
      `| Node.js | ${p.node} |`,
      `| evaluated on | ${cell(p.runtime)} |`,
    );
  }
  return lines;
}

function levels(report: PlanReport): string[] {
  const lines = ["## Policy levels", ""];
  if (report.levelChanges.length === 0) {
    return [...lines, "Every policy ran at the level the pack declares.", ""];
  }
  lines.push(
    "These policies did not run at the pack's level; a provision served by a mandatory policy among them is **not checked**.",
    "",
    "| policy | level | pack's level | change | provisions |",
    "| --- | --- | --- | --- | --- |",
  );
  for (const c of report.levelChanges) {
    lines.push(
      `| ${code(c.policy)} | ${c.level} | ${c.packDefault} | ${c.change} | ${c.hipaa.join(", ")} |`,
    );
  }
  return [...lines, ""];
}

function findingsCell(r: ProvisionRow): string {
  const { mandatory, advisory } = r.findings;
  if (mandatory + advisory === 0) return "0";
  return [mandatory ? `${mandatory} mandatory` : "", advisory ? `${advisory} advisory` : ""]
    .filter(Boolean)
    .join(", ");
}

function exemptionsCell(r: ProvisionRow): string {
  return r.exemptions
    .map(
      (e) =>
        `${code(e.policy)} on ${e.resource}: ${e.reason}${e.expires ? ` (until ${e.expires})` : " (no expiry)"}`,
    )
    .map(cell)
    .join("; ");
}

function statusCell(r: ProvisionRow): string {
  if (r.status === "not checked") return `**not checked** (${r.notCheckedBecause.join(", ")})`;
  if (r.status === "fails") return "**fails**";
  return r.status;
}

function matrix(stack: StackReport): string[] {
  const lines = ["### HIPAA Security Rule matrix", ""];
  for (const group of GROUPS) {
    const rows = stack.safeguards.filter((r) => r.group === group.group);
    if (rows.length === 0 && !["administrative", "physical", "technical"].includes(group.group))
      continue;
    lines.push(`#### ${group.title}`, "");
    if (rows.length === 0) {
      lines.push(
        `No policy of the pack cites a provision of ${group.section}: this plan checks none of them.`,
        "",
      );
      continue;
    }
    lines.push(
      "| provision | | policies | resources checked | findings | exemptions | status |",
      "| --- | --- | --- | --- | --- | --- | --- |",
    );
    for (const r of rows) {
      lines.push(
        `| ${r.citation} | ${r.title} | ${r.policies.map(code).join(", ")} | ${r.resourcesChecked} | ${findingsCell(r)} | ${exemptionsCell(r)} | ${statusCell(r)} |`,
      );
    }
    lines.push("");
  }
  return lines;
}

function keyCell(s: PhiStore): string {
  switch (s.key.kind) {
    case "customer":
      return `customer key ${code(s.key.name ?? "")}`;
    case "aws-managed":
      return `AWS managed key ${code(s.key.name ?? "")}`;
    case "aws-owned":
      return `AWS owned key${s.key.name ? ` (${s.key.name})` : ""}`;
    default:
      return "**none**";
  }
}

function inventory(stack: StackReport): string[] {
  const lines = ["### PHI inventory", ""];
  if (stack.inventory.length === 0) return [...lines, "The stack creates no data store.", ""];
  lines.push(
    "Every store that can hold PHI, from the resource graph. *Protected*: encrypted with a KMS key, TLS enforced (or not applicable), and backed up or replicated.",
    "",
    "| store | kind | data | key | TLS | replication | backup | protected |",
    "| --- | --- | --- | --- | --- | --- | --- | --- |",
  );
  for (const s of stack.inventory) {
    const data = [
      s.classification ?? (s.phi ? "can hold PHI" : "unclassified"),
      s.enclave ? `enclave ${s.enclave}` : "",
    ]
      .filter(Boolean)
      .join(", ");
    const tls =
      s.tls.status === "not enforced"
        ? `**not enforced** (${s.tls.how})`
        : `${s.tls.status}: ${s.tls.how}`;
    lines.push(
      `| ${s.name} | ${s.kind} | ${cell(data)} | ${keyCell(s)} | ${cell(tls)} | ${cell(s.replicaOf ? `replica of ${s.replicaOf}` : (s.replication ?? "none"))} | ${cell(s.backup ?? "none")} | ${s.protected ? "yes" : s.phi ? "**no**" : "no"} |`,
    );
  }
  return [...lines, ""];
}

function findings(stack: StackReport): string[] {
  const lines = ["### Findings", ""];
  if (stack.violations.length === 0) return [...lines, "No findings.", ""];
  lines.push(
    "| level | severity | resource | policy | provisions | finding |",
    "| --- | --- | --- | --- | --- | --- |",
  );
  for (const v of stack.violations) {
    lines.push(
      `| ${v.enforcementLevel} | ${v.severity} | ${resourceName(v.urn)} | ${code(v.policy)} | ${v.hipaa.join(", ")} | ${cell(v.message)} |`,
    );
  }
  return [...lines, ""];
}

function exemptions(stack: StackReport): string[] {
  if (stack.exempted.length === 0) return [];
  const lines = [
    "### Exemptions",
    "",
    "| policy | resource | reason | expires |",
    "| --- | --- | --- | --- |",
  ];
  for (const e of stack.exempted) {
    lines.push(
      `| ${code(e.policy)} | ${resourceName(e.urn)} | ${cell(e.reason)} | ${e.expires ?? "never"} |`,
    );
  }
  return [...lines, ""];
}

function deploy(stack: StackReport): string[] {
  if (!stack.deploy) return [];
  const lines = ["### Deploy findings", ""];
  if (stack.deploy.length === 0)
    return [...lines, "The preflight found nothing AWS would refuse or ignore.", ""];
  lines.push("| kind | resource | rule | finding | reference |", "| --- | --- | --- | --- | --- |");
  for (const d of stack.deploy) {
    lines.push(
      `| ${d.kind} | ${resourceName(d.urn)} | ${code(d.rule)} | ${cell(d.message)} | [${cell(d.reference.title)}](${d.reference.url}) |`,
    );
  }
  return [...lines, ""];
}

function stackSection(stack: StackReport): string[] {
  const props = [
    stack.properties.environment ? `environment ${stack.properties.environment}` : "",
    stack.properties.primary === null ? "" : stack.properties.primary ? "primary" : "not primary",
  ].filter(Boolean);
  const lines = [
    `## ${stack.stack} (${stack.region})`,
    "",
    `${stack.resources.length} resources from ${code(stack.program)}${props.length ? `; ${props.join(", ")}` : ""}.`,
    "",
    ...matrix(stack),
    ...inventory(stack),
  ];
  for (const e of stack.enclaves) {
    lines.push(
      `### Research enclave ${e.id}`,
      "",
      `${e.status}${e.irbProtocol ? `, ${e.irbProtocol}` : ""}; ${e.resources} resources.`,
      "",
      ...e.notes.map((n) => `- ${n}`),
      "",
    );
  }
  return [...lines, ...findings(stack), ...exemptions(stack), ...deploy(stack)];
}

export function renderMarkdown(report: PlanReport): string {
  return [
    `# HIPAA offline plan: ${report.stacks.map((s) => s.stack).join(", ")}`,
    "",
    ...provenance(report),
    "",
    `**${verdict(report)}**`,
    "",
    ...levels(report),
    ...report.stacks.flatMap(stackSection),
  ].join("\n");
}
