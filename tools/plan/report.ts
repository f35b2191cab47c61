/**
 * The plan's report: what each stack would create and what the policy pack found. The JSON form is
 * versioned and documented in docs/plan-report.md (schema: docs/plan-report.schema.json).
 */
import { policies } from "../../policy-pack/policies";
import { Evaluation, STACK_TYPE, descendants } from "../engine/types";
import type { Exempted, Finding } from "../policy/run";
import type { DeployFinding } from "../preflight/types";

export const SCHEMA_VERSION = 1;

export interface ReportResource {
  readonly urn: string;
  readonly id: string | null;
  readonly type: string;
  readonly name: string;
  readonly parent: string | null;
  readonly protect: boolean;
  readonly inputs: Record<string, unknown>;
}

/** A research enclave (ehealth:research:Enclave) as the report describes it. */
export interface EnclaveReport {
  readonly id: string;
  readonly urn: string;
  readonly status: string;
  readonly irbProtocol: string;
  /** The resources under it. */
  readonly resources: number;
  /** What a reviewer should know: reachability, what closing or purging did. */
  readonly notes: string[];
}

export interface StackReport {
  readonly stack: string;
  readonly program: string;
  readonly region: string;
  readonly resources: ReportResource[];
  readonly enclaves: EnclaveReport[];
  readonly violations: Finding[];
  readonly exempted: Exempted[];
  readonly timingsMs: { readonly program: number; readonly policies: number };
  /** The preflight's findings on this stack (AWS's own rules): absent when it did not run. */
  readonly deploy?: DeployFinding[];
}

export interface PlanReport {
  readonly schemaVersion: typeof SCHEMA_VERSION;
  readonly generatedAt: string;
  readonly stacks: StackReport[];
  readonly summary: {
    readonly resources: number;
    readonly mandatory: number;
    readonly advisory: number;
    readonly exempted: number;
    /** Preflight findings over all stacks, when it ran: `failsDeploy > 0` also makes the plan exit 1. */
    readonly failsDeploy?: number;
    readonly silentlyBroken?: number;
  };
  /** Milliseconds the preflight took for all stacks together, when it ran. */
  readonly preflightMs?: number;
}

/** Secret inputs never leave the worker in clear: a report is a file people pass around. */
export const SECRET_MASK = "[secret]";

function masked(
  inputs: Record<string, unknown>,
  secrets: readonly string[],
): Record<string, unknown> {
  if (secrets.length === 0) return inputs;
  return Object.fromEntries(
    Object.entries(inputs).map(([k, v]) => [k, secrets.includes(k) ? SECRET_MASK : v]),
  );
}

export const ENCLAVE_TYPE = "ehealth:research:Enclave";

/** Notes on an enclave, from the inputs its component registers. */
export function enclaveNotes(inputs: Record<string, unknown>): string[] {
  const notes: string[] = [];
  if (inputs.status === "closed") {
    notes.push(
      "closed: workstation, upload pipeline and network removed; data, index, backups, key and logs kept",
    );
    if (inputs.purge === true) {
      notes.push(
        "purge: the enclave key is disabled and unprotected; removing the enclave from the config schedules its deletion, after which its data and backups are unreadable",
      );
    }
    return notes;
  }
  notes.push(
    inputs.internetAccess === true
      ? "the workstation CAN reach the internet (internetAccess: a NAT gateway): packages, and anything else, can come in and go out"
      : `the workstation has no route to the internet; people reach it through Session Manager${inputs.bastion === true ? " and the bastion" : " only"}`,
  );
  if (inputs.bastion === true) {
    notes.push(
      "an SSH bastion admits the allowed sites to the workstation: SSH sessions are in the flow logs and CloudTrail (key pushes), but Session Manager does not record what is typed in them",
    );
  }
  return notes;
}

function enclavesOf(resources: readonly ReportResource[]): EnclaveReport[] {
  return resources
    .filter((r) => r.type === ENCLAVE_TYPE)
    .map((enclave) => ({
      id: String(enclave.inputs.projectId ?? enclave.name),
      urn: enclave.urn,
      status: String(enclave.inputs.status ?? "open"),
      irbProtocol: String(enclave.inputs.irbProtocol ?? ""),
      resources: descendants(resources, enclave.urn).length,
      notes: enclaveNotes(enclave.inputs),
    }));
}

export function stackReport(evaluation: Evaluation, program: string): StackReport {
  const resources = evaluation.resources
    .filter((r) => r.type !== STACK_TYPE)
    .map((r) => ({
      urn: r.urn,
      id: r.id,
      type: r.type,
      name: r.name,
      parent: r.parent,
      protect: r.protect,
      inputs: masked(r.inputs, r.secretInputs),
    }));
  return {
    stack: evaluation.stack,
    program,
    region: evaluation.region,
    resources,
    enclaves: enclavesOf(resources),
    violations: evaluation.checks?.violations ?? [],
    exempted: evaluation.checks?.exempted ?? [],
    timingsMs: {
      program: evaluation.timingsMs.program,
      policies: evaluation.timingsMs.policies ?? 0,
    },
  };
}

export function planReport(
  stacks: StackReport[],
  generatedAt = new Date(),
  preflightMs?: number,
): PlanReport {
  const all = stacks.flatMap((s) => s.violations);
  const deploy = stacks.some((s) => s.deploy) ? stacks.flatMap((s) => s.deploy ?? []) : undefined;
  return {
    schemaVersion: SCHEMA_VERSION,
    generatedAt: generatedAt.toISOString(),
    stacks,
    summary: {
      resources: stacks.reduce((n, s) => n + s.resources.length, 0),
      mandatory: all.filter((v) => v.enforcementLevel === "mandatory").length,
      advisory: all.filter((v) => v.enforcementLevel === "advisory").length,
      exempted: stacks.reduce((n, s) => n + s.exempted.length, 0),
      ...(deploy
        ? {
            failsDeploy: deploy.filter((f) => f.kind === "fails-deploy").length,
            silentlyBroken: deploy.filter((f) => f.kind === "silently-broken").length,
          }
        : {}),
    },
    ...(preflightMs !== undefined ? { preflightMs } : {}),
  };
}

/** The HIPAA Security Rule safeguards the report's matrix follows. */
export const SAFEGUARDS: readonly {
  readonly citation: string;
  readonly title: string;
  readonly includes: readonly string[];
}[] = [
  { citation: "164.308(a)(1)(ii)(D)", title: "Information system activity review", includes: [] },
  { citation: "164.308(a)(7)", title: "Contingency plan", includes: [] },
  { citation: "164.312(a)(1)", title: "Access control", includes: [] },
  { citation: "164.312(a)(2)(iv)", title: "Encryption and decryption", includes: [] },
  { citation: "164.312(b)", title: "Audit controls", includes: [] },
  { citation: "164.312(c)(1)", title: "Integrity", includes: ["164.312(c)(2)"] },
  { citation: "164.312(d)", title: "Person or entity authentication", includes: [] },
  { citation: "164.312(e)(1)", title: "Transmission security", includes: ["164.312(e)(2)"] },
];

/** The policies that serve a safeguard: a citation equal to it or below it. */
export function policiesFor(safeguard: (typeof SAFEGUARDS)[number]): string[] {
  const prefixes = [safeguard.citation, ...safeguard.includes];
  return policies
    .filter((p) => p.meta.hipaa.some((c) => prefixes.some((s) => c === s || c.startsWith(`${s}(`))))
    .map((p) => p.name);
}

export type SafeguardStatus = "passes" | "advisory findings" | "fails";

export function safeguardStatus(stack: StackReport, names: readonly string[]): SafeguardStatus {
  const hits = stack.violations.filter((v) => names.includes(v.policy));
  if (hits.some((v) => v.enforcementLevel === "mandatory")) return "fails";
  return hits.length ? "advisory findings" : "passes";
}

/** The component a resource belongs to: its top-most ancestor below the stack, or "(stack)". */
export function componentOf(
  resource: ReportResource,
  byUrn: ReadonlyMap<string, ReportResource>,
): string {
  let current: ReportResource | undefined = resource;
  let component = "(stack)";
  while (current) {
    if (
      current.type.includes(":") &&
      !current.type.startsWith("aws:") &&
      !current.type.startsWith("pulumi:")
    ) {
      component = `${current.type} ${current.name}`;
    }
    current = current.parent ? byUrn.get(current.parent) : undefined;
  }
  return component;
}
