/**
 * The HIPAA Security Rule matrix of a plan: one row per provision of 45 CFR Part 164 Subpart C
 * that any policy of the pack cites, with the policies that serve it, the resources they checked,
 * their findings and exemptions, and a status an auditor can rely on:
 * - **not checked**: a policy of the provision that the pack declares mandatory is disabled or
 *   downgraded by the policy config (a pass would mean nothing);
 * - **not applicable**: its policies found no resource of their types to judge;
 * - **passes**: its policies judged resources and found nothing (exempted findings are listed);
 * - **fails**: otherwise.
 * Titles are the regulation's own headings (https://www.ecfr.gov/current/title-45/subtitle-A/subchapter-C/part-164/subpart-C;
 * also https://www.law.cornell.edu/cfr/text/45/164.308 and /164.312).
 */
import type { Exempted, Finding, PackPolicy } from "../policy/run";
import type { LevelChange } from "./policy-config";

export type SafeguardGroup =
  "administrative" | "physical" | "technical" | "organizational" | "documentation";

export type SafeguardStatus = "passes" | "not checked" | "not applicable" | "fails";

/** The sections of Subpart C, in the regulation's order. */
export const GROUPS: readonly {
  readonly section: string;
  readonly group: SafeguardGroup;
  readonly title: string;
}[] = [
  { section: "164.308", group: "administrative", title: "Administrative safeguards (164.308)" },
  { section: "164.310", group: "physical", title: "Physical safeguards (164.310)" },
  { section: "164.312", group: "technical", title: "Technical safeguards (164.312)" },
  { section: "164.314", group: "organizational", title: "Organizational requirements (164.314)" },
  {
    section: "164.316",
    group: "documentation",
    title: "Policies, procedures and documentation (164.316)",
  },
];

/** Every standard and implementation specification of Subpart C, by citation. */
export const PROVISIONS: Readonly<Record<string, string>> = {
  "164.308(a)(1)(i)": "Security management process",
  "164.308(a)(1)(ii)(A)": "Risk analysis",
  "164.308(a)(1)(ii)(B)": "Risk management",
  "164.308(a)(1)(ii)(C)": "Sanction policy",
  "164.308(a)(1)(ii)(D)": "Information system activity review",
  "164.308(a)(2)": "Assigned security responsibility",
  "164.308(a)(3)(i)": "Workforce security",
  "164.308(a)(3)(ii)(A)": "Authorization and/or supervision",
  "164.308(a)(3)(ii)(B)": "Workforce clearance procedure",
  "164.308(a)(3)(ii)(C)": "Termination procedures",
  "164.308(a)(4)(i)": "Information access management",
  "164.308(a)(4)(ii)(A)": "Isolating health care clearinghouse functions",
  "164.308(a)(4)(ii)(B)": "Access authorization",
  "164.308(a)(4)(ii)(C)": "Access establishment and modification",
  "164.308(a)(5)(i)": "Security awareness and training",
  "164.308(a)(5)(ii)(A)": "Security reminders",
  "164.308(a)(5)(ii)(B)": "Protection from malicious software",
  "164.308(a)(5)(ii)(C)": "Log-in monitoring",
  "164.308(a)(5)(ii)(D)": "Password management",
  "164.308(a)(6)(i)": "Security incident procedures",
  "164.308(a)(6)(ii)": "Response and reporting",
  "164.308(a)(7)(i)": "Contingency plan",
  "164.308(a)(7)(ii)(A)": "Data backup plan",
  "164.308(a)(7)(ii)(B)": "Disaster recovery plan",
  "164.308(a)(7)(ii)(C)": "Emergency mode operation plan",
  "164.308(a)(7)(ii)(D)": "Testing and revision procedures",
  "164.308(a)(7)(ii)(E)": "Applications and data criticality analysis",
  "164.308(a)(8)": "Evaluation",
  "164.308(b)(1)": "Business associate contracts and other arrangements",
  "164.308(b)(3)": "Written contract or other arrangement",
  "164.310(a)(1)": "Facility access controls",
  "164.310(a)(2)(i)": "Contingency operations",
  "164.310(a)(2)(ii)": "Facility security plan",
  "164.310(a)(2)(iii)": "Access control and validation procedures",
  "164.310(a)(2)(iv)": "Maintenance records",
  "164.310(b)": "Workstation use",
  "164.310(c)": "Workstation security",
  "164.310(d)(1)": "Device and media controls",
  "164.310(d)(2)(i)": "Disposal",
  "164.310(d)(2)(ii)": "Media re-use",
  "164.310(d)(2)(iii)": "Accountability",
  "164.310(d)(2)(iv)": "Data backup and storage",
  "164.312(a)(1)": "Access control",
  "164.312(a)(2)(i)": "Unique user identification",
  "164.312(a)(2)(ii)": "Emergency access procedure",
  "164.312(a)(2)(iii)": "Automatic logoff",
  "164.312(a)(2)(iv)": "Encryption and decryption",
  "164.312(b)": "Audit controls",
  "164.312(c)(1)": "Integrity",
  "164.312(c)(2)": "Mechanism to authenticate electronic protected health information",
  "164.312(d)": "Person or entity authentication",
  "164.312(e)(1)": "Transmission security",
  "164.312(e)(2)(i)": "Integrity controls",
  "164.312(e)(2)(ii)": "Encryption",
  "164.314(a)(1)": "Business associate contracts or other arrangements",
  "164.314(b)(1)": "Requirements for group health plans",
  "164.316(a)": "Policies and procedures",
  "164.316(b)(1)": "Documentation",
  "164.316(b)(2)(i)": "Time limit",
  "164.316(b)(2)(ii)": "Availability",
  "164.316(b)(2)(iii)": "Updates",
};

export function groupOf(citation: string): SafeguardGroup {
  return GROUPS.find((g) => citation.startsWith(g.section))?.group ?? "administrative";
}

export interface MatrixExemption {
  readonly policy: string;
  readonly resource: string;
  readonly reason: string;
  readonly expires: string | null;
}

export interface ProvisionRow {
  readonly citation: string;
  readonly title: string;
  readonly group: SafeguardGroup;
  readonly policies: readonly string[];
  /** Resources its policies judged (a resource judged by two of them counts twice). */
  readonly resourcesChecked: number;
  readonly findings: { readonly mandatory: number; readonly advisory: number };
  readonly exemptions: readonly MatrixExemption[];
  readonly status: SafeguardStatus;
  /** The mandatory policies disabled or downgraded, when the status is not checked. */
  readonly notCheckedBecause: readonly string[];
}

/** The pack's citations in the regulation's order (sections, then paragraphs as written). */
function citationOrder(a: string, b: string): number {
  const key = (c: string) => c.replace(/\((\d+)\)/g, (_m, n: string) => `(${n.padStart(3, "0")})`);
  return key(a).localeCompare(key(b));
}

export interface MatrixInput {
  readonly policies: readonly PackPolicy[];
  readonly changes: readonly LevelChange[];
  readonly checked: Readonly<Record<string, number>>;
  readonly violations: readonly Finding[];
  readonly exempted: readonly Exempted[];
}

const resourceName = (urn: string | null) => (urn ? (urn.split("::").pop() ?? urn) : "(the stack)");

/** The matrix rows for one stack. */
export function safeguardMatrix(input: MatrixInput): ProvisionRow[] {
  const citations = [...new Set(input.policies.flatMap((p) => p.meta.hipaa))].sort(citationOrder);
  const changed = new Map(input.changes.map((c) => [c.policy, c]));
  return citations.map((citation): ProvisionRow => {
    const serving = input.policies.filter((p) =>
      p.meta.hipaa.includes(citation as `164.${string}`),
    );
    const names = serving.map((p) => p.name);
    const notCheckedBecause = serving
      .filter((p) => p.meta.enforcementLevel === "mandatory" && changed.has(p.name))
      .map((p) => `${p.name} (${changed.get(p.name)!.level})`);
    const resourcesChecked = names.reduce((n, name) => n + (input.checked[name] ?? 0), 0);
    const hits = input.violations.filter((v) => names.includes(v.policy));
    const status: SafeguardStatus = notCheckedBecause.length
      ? "not checked"
      : resourcesChecked === 0
        ? "not applicable"
        : hits.length
          ? "fails"
          : "passes";
    return {
      citation,
      title: PROVISIONS[citation] ?? "",
      group: groupOf(citation),
      policies: names,
      resourcesChecked,
      findings: {
        mandatory: hits.filter((v) => v.enforcementLevel === "mandatory").length,
        advisory: hits.filter((v) => v.enforcementLevel === "advisory").length,
      },
      exemptions: input.exempted
        .filter((e) => names.includes(e.policy))
        .map((e) => ({
          policy: e.policy,
          resource: resourceName(e.urn),
          reason: e.reason,
          expires: e.expires,
        })),
      status,
      notCheckedBecause,
    };
  });
}

/** Counts of rows by status. */
export function statusCounts(rows: readonly ProvisionRow[]): Record<SafeguardStatus, number> {
  const counts: Record<SafeguardStatus, number> = {
    passes: 0,
    "not checked": 0,
    "not applicable": 0,
    fails: 0,
  };
  for (const r of rows) counts[r.status]++;
  return counts;
}
