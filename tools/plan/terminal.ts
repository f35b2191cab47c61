/** The plan as a person reads it in a terminal. */
import { Finding } from "../policy/run";
import type { DeployFinding } from "../preflight/types";
import { PlanReport, StackReport, componentOf } from "./report";
import { statusCounts } from "./safeguards";

const SEVERITY_ORDER = ["critical", "high", "medium", "low"];

function count<T>(items: readonly T[], key: (t: T) => string): [string, number][] {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

function resourceName(urn: string | null): string {
  return urn ? (urn.split("::").pop() ?? urn) : "(the stack)";
}

function findings(title: string, list: readonly Finding[]): string[] {
  if (list.length === 0) return [];
  const lines = [`  ${title}:`];
  const bySeverity = [...list].sort(
    (a, b) =>
      SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity) ||
      a.policy.localeCompare(b.policy),
  );
  let severity = "";
  for (const f of bySeverity) {
    if (f.severity !== severity) {
      severity = f.severity;
      lines.push(`    ${severity}`);
    }
    lines.push(`      ${resourceName(f.urn)}  [${f.policy}]`, `        ${f.message}`);
  }
  return lines;
}

/** The preflight's findings: what AWS would refuse, then what would deploy and not work. */
export function deploySection(stack: StackReport, onlyFailing = false): string[] {
  if (!stack.deploy) return [];
  const kinds = onlyFailing
    ? (["fails-deploy"] as const)
    : (["fails-deploy", "silently-broken"] as const);
  const lines: string[] = [];
  for (const kind of kinds) {
    const list: DeployFinding[] = stack.deploy.filter((f) => f.kind === kind);
    if (list.length === 0) continue;
    lines.push(`  deploy: ${kind} (${list.length})`);
    for (const f of [...list].sort((a, b) => a.rule.localeCompare(b.rule))) {
      lines.push(
        `      ${resourceName(f.urn)}  [${f.rule}]`,
        `        ${f.message}`,
        `        (${f.reference.title}: ${f.reference.url})`,
      );
    }
  }
  if (!onlyFailing && stack.deploy.length === 0)
    lines.push("  deploy: no finding (AWS's rules in docs/preflight.md)");
  return lines;
}

export function renderStack(stack: StackReport): string[] {
  const byUrn = new Map(stack.resources.map((r) => [r.urn, r]));
  const lines = [
    `${stack.stack} (${stack.region}): ${stack.resources.length} resources, evaluated in ${stack.timingsMs.program} ms, policies in ${stack.timingsMs.policies} ms`,
    "  by component:",
    ...count(stack.resources, (r) => componentOf(r, byUrn)).map(
      ([c, n]) => `    ${String(n).padStart(4)}  ${c}`,
    ),
    "  by type:",
    ...count(stack.resources, (r) => r.type).map(([t, n]) => `    ${String(n).padStart(4)}  ${t}`),
  ];
  for (const e of stack.enclaves) {
    lines.push(
      `  research enclave ${e.id} (${e.status}${e.irbProtocol ? `, ${e.irbProtocol}` : ""}): ${e.resources} resources`,
      ...e.notes.map((n) => `    ${n}`),
    );
  }
  lines.push(
    ...findings(
      "mandatory violations",
      stack.violations.filter((v) => v.enforcementLevel === "mandatory"),
    ),
    ...findings(
      "advisory findings",
      stack.violations.filter((v) => v.enforcementLevel === "advisory"),
    ),
  );
  lines.push(...deploySection(stack));
  for (const e of stack.exempted) {
    lines.push(
      `  exempted: ${resourceName(e.urn)} [${e.policy}] ${e.reason}${e.expires ? ` (until ${e.expires})` : ""}`,
    );
  }
  for (const d of stack.deploy ?? []) {
    lines.push(`  deploy (${d.kind}): ${resourceName(d.urn)} [${d.rule}] ${d.message}`);
  }
  return lines;
}

/** The policy config used, and every policy not at the pack's level: never left out, even quiet. */
export function levelLines(report: PlanReport): string[] {
  const config = report.provenance?.policyConfig;
  const lines = config ? [`policy config: ${config.path} (${config.sha256.slice(0, 19)}…)`] : [];
  if (report.levelChanges.length === 0) {
    lines.push("  every policy at the pack's level");
    return lines;
  }
  lines.push(
    `  ${report.levelChanges.length} policies not at the pack's level (their provisions are not checked):`,
  );
  for (const c of report.levelChanges) {
    lines.push(`    ${c.policy}: ${c.level} (${c.change}; the pack says ${c.packDefault})`);
  }
  return lines;
}

/** The short summary an operator reads last: safeguards, stores, preflight. */
export function summaryLines(report: PlanReport): string[] {
  const lines = ["safeguards (HIPAA Security Rule provisions the pack cites, per stack):"];
  for (const s of report.stacks) {
    const c = statusCounts(s.safeguards);
    lines.push(
      `  ${s.stack}: ${c.passes} pass, ${c["not checked"]} not checked, ${c["not applicable"]} not applicable, ${c.fails} fail`,
    );
  }
  const { total, protected: ok } = report.summary.phiStores;
  lines.push(
    `PHI stores: ${ok} of ${total} protected (a KMS key, TLS enforced, backed up or replicated)`,
  );
  for (const s of report.stacks) {
    for (const store of s.inventory.filter((x) => x.phi && !x.protected)) {
      const missing = [
        store.key.kind === "customer" || store.key.kind === "aws-managed" ? "" : "no KMS key",
        store.tls.status === "not enforced" ? "TLS not enforced" : "",
        store.backup === null && store.replication === null ? "no backup or replication" : "",
      ].filter(Boolean);
      lines.push(`  ${s.stack}: ${store.name} (${store.kind}): ${missing.join(", ")}`);
    }
  }
  const { failsDeploy, silentlyBroken } = report.summary;
  if (failsDeploy !== undefined) {
    lines.push(
      `deploy findings (preflight): ${failsDeploy} fails-deploy, ${silentlyBroken ?? 0} silently-broken`,
    );
  }
  return lines;
}

export function verdict(report: PlanReport): string {
  const { resources, mandatory, advisory, exempted } = report.summary;
  const stacks = report.stacks.map((s) => s.stack).join(", ");
  const { failsDeploy, silentlyBroken } = report.summary;
  const deploy =
    failsDeploy === undefined
      ? ""
      : `; deploy: ${failsDeploy} fails-deploy, ${silentlyBroken ?? 0} silently-broken`;
  const counts = `${resources} resources in ${stacks}: ${mandatory} mandatory, ${advisory} advisory, ${exempted} exempted${deploy}`;
  return mandatory > 0 || (failsDeploy ?? 0) > 0 ? `FAIL ${counts}` : `PASS ${counts}`;
}

export function renderTerminal(report: PlanReport, quiet: boolean): string {
  if (quiet) {
    const mandatory = report.stacks.flatMap((s) =>
      findings(
        "mandatory violations",
        s.violations.filter((v) => v.enforcementLevel === "mandatory"),
      )
        .concat(deploySection(s, true))
        .map((l) => `${s.stack}${l}`),
    );
    const changed = report.levelChanges.length ? levelLines(report) : [];
    return [...mandatory, ...changed, verdict(report)].join("\n");
  }
  return [
    ...report.stacks.flatMap((s) => [...renderStack(s), ""]),
    ...levelLines(report),
    ...summaryLines(report),
    verdict(report),
  ].join("\n");
}
