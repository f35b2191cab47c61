/** The plan as a Markdown document: per stack, the HIPAA Security Rule matrix, then the findings. */
import { PlanReport, SAFEGUARDS, StackReport, policiesFor, safeguardStatus } from "./report";
import { verdict } from "./terminal";

const cell = (text: string) => text.replace(/\|/g, "\\|");

function stackSection(stack: StackReport): string[] {
  const lines = [
    `## ${stack.stack} (${stack.region})`,
    "",
    `${stack.resources.length} resources from \`${stack.program}\`.`,
    "",
    "| safeguard | | policies | status |",
    "| --- | --- | --- | --- |",
  ];
  for (const s of SAFEGUARDS) {
    const names = policiesFor(s);
    lines.push(
      `| ${s.citation} | ${s.title} | ${names.map((n) => `\`${n}\``).join(", ")} | ${safeguardStatus(stack, names)} |`,
    );
  }
  lines.push("");
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
  if (stack.violations.length === 0) {
    lines.push("No findings.", "");
  } else {
    lines.push(
      "| level | severity | resource | policy | finding |",
      "| --- | --- | --- | --- | --- |",
    );
    for (const v of stack.violations) {
      const resource = v.urn ? v.urn.split("::").pop() : "(stack)";
      lines.push(
        `| ${v.enforcementLevel} | ${v.severity} | ${resource} | \`${v.policy}\` | ${cell(v.message)} |`,
      );
    }
    lines.push("");
  }
  if (stack.deploy) {
    lines.push(`### Deploy preflight (AWS's own rules)`, "");
    if (stack.deploy.length === 0) {
      lines.push("No finding: AWS would accept every resource, and each does what it says.", "");
    } else {
      lines.push(
        "| kind | resource | rule | finding | source |",
        "| --- | --- | --- | --- | --- |",
      );
      for (const f of stack.deploy) {
        const resource = f.urn ? f.urn.split("::").pop() : "(stack)";
        lines.push(
          `| ${f.kind} | ${resource} | \`${f.rule}\` | ${cell(f.message)} | [${cell(f.reference.title)}](${f.reference.url}) |`,
        );
      }
      lines.push("");
    }
  }
  if (stack.exempted.length) {
    lines.push("Exempted:", "");
    for (const e of stack.exempted) {
      lines.push(
        `- \`${e.policy}\` on ${e.urn?.split("::").pop() ?? "(stack)"}: ${e.reason}${e.expires ? ` (until ${e.expires})` : ""}`,
      );
    }
    lines.push("");
  }
  return lines;
}

export function renderMarkdown(report: PlanReport): string {
  return [
    "# Offline plan",
    "",
    `Generated ${report.generatedAt} by \`npm run plan\` on Pulumi's mock runtime (no AWS account was used).`,
    "",
    `**${verdict(report)}**`,
    "",
    ...report.stacks.flatMap(stackSection),
  ].join("\n");
}
