/**
 * docs/hipaa.md: the HIPAA Security Rule's safeguards (45 CFR Part 164, Subpart C) that the
 * platform serves, with the components that implement each and the policies that enforce it, and
 * what stays the operator's. The policy column comes from the policies' own citations; components
 * are checked against infra/; a safeguard no component or policy serves must say who does.
 */
import { existsSync } from "node:fs";
import * as path from "node:path";
import { policiesFor } from "../plan/report";

const ROOT = path.resolve(__dirname, "..", "..");

export interface Safeguard {
  readonly citation: string;
  readonly title: string;
  readonly kind: "administrative" | "physical" | "technical" | "organizational" | "documentation";
  /** infra/<component>, each with what it does for this safeguard. */
  readonly components: readonly (readonly [string, string])[];
  /** What the covered entity or business associate still does itself. */
  readonly operator?: string;
  /** Implementation specifications counted with it (164.312(e)(2) with (e)(1)). */
  readonly includes?: readonly string[];
}

export const SAFEGUARDS: readonly Safeguard[] = [
  {
    citation: "164.308(a)(1)(ii)(A)",
    title: "Risk analysis",
    kind: "administrative",
    components: [],
    operator:
      "Perform and document the risk analysis. The offline plan report, docs/assessment.md and the policy findings are inputs to it, not the analysis.",
  },
  {
    citation: "164.308(a)(1)(ii)(B)",
    title: "Risk management",
    kind: "administrative",
    components: [
      ["keys", "keys rotated yearly"],
      ["compute", "WAF and patching reduce the exposure found"],
    ],
    operator: "Decide and record which risks are accepted (policy exemptions carry the reason).",
  },
  {
    citation: "164.308(a)(1)(ii)(D)",
    title: "Information system activity review",
    kind: "administrative",
    components: [
      [
        "audit",
        "CloudTrail, AWS Config rules, GuardDuty, Security Hub, CIS alarms to the alert topic",
      ],
      ["network", "flow logs of all traffic"],
    ],
    operator: "Review the findings and alarms regularly and keep a record of the reviews.",
  },
  {
    citation: "164.308(a)(3)(i)",
    title: "Workforce security",
    kind: "administrative",
    components: [
      ["identity", "IT support personas, each assumable only by named people with MFA"],
      ["research", "stewards and researchers named per study"],
    ],
    operator:
      "Authorize and supervise the workforce; clear people before naming them (runbooks/it-support-people.md).",
  },
  {
    citation: "164.308(a)(4)(ii)(B)",
    title: "Access authorization",
    kind: "administrative",
    components: [
      ["identity", "least-privilege persona policies and permission boundaries"],
      ["research", "enclave buckets reachable only through their enclave"],
    ],
    operator: "Approve each grant (a reviewed pull request) and review access periodically.",
  },
  {
    citation: "164.308(a)(5)(ii)(B)",
    title: "Protection from malicious software",
    kind: "administrative",
    components: [
      ["compute", "Amazon Inspector, Patch Manager, the WAF's managed rule groups"],
      ["audit", "GuardDuty malware protection for EBS"],
    ],
  },
  {
    citation: "164.308(a)(5)(ii)(C)",
    title: "Log-in monitoring",
    kind: "administrative",
    components: [
      ["audit", "alarms on console sign-in failures and sign-ins without MFA"],
      ["identity", "Cognito threat protection (compromised credentials, unusual sign-ins)"],
    ],
  },
  {
    citation: "164.308(a)(5)(ii)(D)",
    title: "Password management",
    kind: "administrative",
    components: [
      ["identity", "the account password policy and Cognito's 14-character passwords with MFA"],
    ],
    operator: "Security awareness training for the workforce, passwords included.",
  },
  {
    citation: "164.308(a)(6)(ii)",
    title: "Security incident response and reporting",
    kind: "administrative",
    components: [["audit", "high-severity GuardDuty findings and alarms to the alert topic"]],
    operator:
      "Run the response (runbooks/guardduty-finding.md) and the breach notification process.",
  },
  {
    citation: "164.308(a)(7)(ii)(A)",
    title: "Data backup plan",
    kind: "administrative",
    components: [
      [
        "data",
        "AWS Backup daily and monthly, a locked vault, RDS and DynamoDB point-in-time recovery, versioned buckets",
      ],
      ["research", "each enclave's own in-region backups"],
    ],
  },
  {
    citation: "164.308(a)(7)(ii)(B)",
    title: "Disaster recovery plan",
    kind: "administrative",
    components: [
      ["data", "documents replicated and recovery points copied to the other region"],
      ["compute", "both regions serving, latency routing with health checks"],
    ],
    operator: "Keep the plan (runbooks/restore.md, runbooks/failover.md) and its contacts current.",
  },
  {
    citation: "164.308(a)(7)(ii)(C)",
    title: "Emergency mode operation plan",
    kind: "administrative",
    components: [
      ["identity", "the break-glass role, MFA-gated and alarmed on every use"],
      ["compute", "either region takes all traffic when the other fails"],
    ],
  },
  {
    citation: "164.308(a)(7)(ii)(D)",
    title: "Testing and revision procedures",
    kind: "administrative",
    components: [],
    operator: "Run restore and failover drills; record the recovery times measured.",
  },
  {
    citation: "164.308(a)(8)",
    title: "Evaluation",
    kind: "administrative",
    components: [
      ["audit", "AWS Config's HIPAA rules evaluate the running environment continuously"],
    ],
    operator: "Evaluate periodically, and after changes, that the safeguards still meet the rule.",
  },
  {
    citation: "164.308(b)(1)",
    title: "Business associate contracts",
    kind: "administrative",
    components: [],
    operator:
      "Sign the AWS Business Associate Addendum (AWS Artifact) before any PHI enters the account, and one with every other business associate (Pulumi Cloud if its state holds PHI).",
  },
  {
    citation: "164.310",
    title: "Physical safeguards (facilities, workstations, devices and media)",
    kind: "physical",
    components: [],
    operator:
      "AWS secures its data centers and media (its SOC and HIPAA reports in AWS Artifact); the covered entity secures its own offices, staff workstations and devices.",
  },
  {
    citation: "164.312(a)(1)",
    title: "Access control",
    kind: "technical",
    components: [
      ["network", "three tiers, the data tier without a route out"],
      ["identity", "unique identities for patients, providers and staff"],
      ["research", "isolated enclaves"],
    ],
  },
  {
    citation: "164.312(a)(2)(i)",
    title: "Unique user identification",
    kind: "technical",
    components: [
      ["identity", "one Cognito user per patient or provider; one IAM identity per staff member"],
    ],
  },
  {
    citation: "164.312(a)(2)(ii)",
    title: "Emergency access procedure",
    kind: "technical",
    components: [["identity", "the break-glass role"]],
  },
  {
    citation: "164.312(a)(2)(iii)",
    title: "Automatic logoff",
    kind: "technical",
    components: [
      ["identity", "one-hour role sessions; 15-minute Cognito tokens"],
      ["research", "research sessions closed after 20 idle minutes, 8 hours at most"],
    ],
    operator: "The application ends idle patient and provider sessions.",
  },
  {
    citation: "164.312(a)(2)(iv)",
    title: "Encryption and decryption",
    kind: "technical",
    components: [
      ["keys", "customer-managed keys per purpose, used only through their services"],
      ["data", "every store under the PHI key"],
      ["research", "each enclave under its own key"],
    ],
  },
  {
    citation: "164.312(b)",
    title: "Audit controls",
    kind: "technical",
    components: [
      ["audit", "the trail with data events on every PHI bucket, the write-once archive"],
      ["research", "session transcripts, upload index"],
    ],
  },
  {
    citation: "164.312(c)(1)",
    title: "Integrity",
    kind: "technical",
    includes: ["164.312(c)(2)"],
    components: [
      ["data", "versioning, backups, deletion protection"],
      ["audit", "log file validation, Object Lock on the archive"],
    ],
  },
  {
    citation: "164.312(d)",
    title: "Person or entity authentication",
    kind: "technical",
    components: [["identity", "MFA for every person: Cognito TOTP, role trust policies"]],
  },
  {
    citation: "164.312(e)(1)",
    title: "Transmission security",
    kind: "technical",
    includes: ["164.312(e)(2)"],
    components: [
      ["compute", "HTTPS with a TLS 1.3 policy end to end (the app port is TLS too)"],
      ["data", "TLS required by the database, the cache, EFS and every bucket"],
    ],
  },
  {
    citation: "164.314(a)(1)",
    title: "Business associate contracts (organizational requirements)",
    kind: "organizational",
    components: [],
    operator: "As 164.308(b)(1): the contracts themselves.",
  },
  {
    citation: "164.316(b)(2)(i)",
    title: "Documentation retention (six years)",
    kind: "documentation",
    components: [
      ["audit", "the log archive locked for ehealth:archiveRetentionDays, six years by default"],
    ],
    operator:
      "Keep policies, procedures and assessments for six years from their last effective date.",
  },
];

export function renderHipaa(safeguards: readonly Safeguard[] = SAFEGUARDS): string {
  const lines = [
    "# HIPAA Security Rule control matrix",
    "",
    "<!-- Generated by `npm run docs` from tools/docs/hipaa.ts and the policies' citations. Do not edit. -->",
    "",
    "Each safeguard of the Security Rule (45 CFR Part 164, Subpart C) that the platform serves: the",
    "components that implement it (`infra/<component>`), the policies of the pack that refuse a change",
    "weakening it (from each policy's own citations), and what remains the operator's. Under the",
    "shared responsibility model AWS secures the cloud itself; this platform configures what runs in",
    "it; the covered entity keeps the administrative safeguards that are about people, contracts and",
    "decisions.",
    "",
    "| safeguard | | components | policies | the operator |",
    "| --- | --- | --- | --- | --- |",
  ];
  for (const s of safeguards) {
    for (const [component] of s.components) {
      if (!existsSync(path.join(ROOT, "infra", component))) {
        throw new Error(`docs/hipaa: ${s.citation} names infra/${component}, which does not exist`);
      }
    }
    const names = policiesFor({ citation: s.citation, title: s.title, includes: s.includes ?? [] });
    if (s.components.length === 0 && names.length === 0 && !s.operator) {
      throw new Error(`docs/hipaa: ${s.citation} is served by nothing and no one`);
    }
    const components = s.components.map(([c, what]) => `**${c}**: ${what}`).join("<br>");
    lines.push(
      `| ${s.citation} | ${s.title} (${s.kind}) | ${components || "—"} | ${names.map((n) => `\`${n}\``).join(", ") || "—"} | ${s.operator ?? "—"} |`,
    );
  }
  lines.push(
    "",
    "## What stays with the operator",
    "",
    "- A Business Associate Addendum with AWS, signed before any PHI enters the account, and with every",
    "  other business associate.",
    "- The risk analysis and risk management decisions (164.308(a)(1)), including every policy exemption.",
    "- Workforce security: clearance, training (164.308(a)(5)), sanctions (164.308(a)(1)(ii)(C)), and",
    "  timely offboarding.",
    "- Contingency plan testing (164.308(a)(7)(ii)(D)) and periodic evaluation (164.308(a)(8)).",
    "- Incident response and breach notification (164.308(a)(6), 164.400-414).",
    "- Physical safeguards of its own premises and devices (164.310).",
    "- The application: its own access control, logoff and audit of what users do in it.",
    "",
  );
  return lines.join("\n");
}
