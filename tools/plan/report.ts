/**
 * The plan's report: what each stack would create and what the policy pack found. The JSON form is
 * versioned and documented in docs/plan-report.md (schema: docs/plan-report.schema.json).
 */
import { DeployFinding, Evaluation, STACK_TYPE, descendants } from "../engine/types";
import type { Exempted, Finding, PackPolicy } from "../policy/run";
import { InventoryResource, PhiStore, phiInventory } from "./inventory";
import { type LevelChange, loadPack } from "./policy-config";
import type { Provenance } from "./provenance";
import { ProvisionRow, SafeguardStatus, safeguardMatrix, statusCounts } from "./safeguards";

export type { DeployFinding } from "../engine/types";
export type { SafeguardStatus } from "./safeguards";

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

/** What the plan learned about a stack from its configuration and provider. */
export interface StackProperties {
  /** The Environment tag of its default provider, or its `<project>:environment` config. */
  readonly environment: string | null;
  /** Its `<project>:primary` config, when it has one. */
  readonly primary: boolean | null;
}

export interface StackReport {
  readonly stack: string;
  readonly program: string;
  readonly region: string;
  readonly properties: StackProperties;
  readonly resources: ReportResource[];
  readonly enclaves: EnclaveReport[];
  readonly violations: Finding[];
  readonly exempted: Exempted[];
  /** By policy that ran, the resources it judged. */
  readonly checked: Record<string, number>;
  /** One row per HIPAA Security Rule provision the pack cites. */
  readonly safeguards: ProvisionRow[];
  /** Every store that can hold PHI, with its key, TLS, replication and backup. */
  readonly inventory: PhiStore[];
  /** The preflight's findings (will AWS accept it, will it work), when it ran. */
  readonly deploy?: DeployFinding[];
  readonly timingsMs: { readonly program: number; readonly policies: number };
}

export interface PlanReport {
  readonly schemaVersion: typeof SCHEMA_VERSION;
  readonly generatedAt: string;
  /** What produced the report, so an auditor can reproduce it. */
  readonly provenance?: Provenance;
  /** Every policy run at another level than the pack's default. */
  readonly levelChanges: LevelChange[];
  readonly stacks: StackReport[];
  readonly summary: {
    readonly resources: number;
    readonly mandatory: number;
    readonly advisory: number;
    readonly exempted: number;
    /** Provisions by status, over all stacks. */
    readonly safeguards: Record<SafeguardStatus, number>;
    /** Stores treated as holding PHI, and how many of them are protected. */
    readonly phiStores: { readonly total: number; readonly protected: number };
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

function propertiesOf(evaluation: Evaluation): StackProperties {
  const provider = evaluation.resources.find((r) => r.type === "pulumi:providers:aws");
  let providerTags: Record<string, string>;
  const defaultTags = provider?.inputs.defaultTags;
  try {
    const parsed = (typeof defaultTags === "string" ? JSON.parse(defaultTags) : defaultTags) as
      { tags?: Record<string, string> } | undefined;
    providerTags = parsed?.tags ?? {};
  } catch {
    providerTags = {};
  }
  const config = evaluation.config ?? {};
  const own = (key: string) => config[`${evaluation.project}:${key}`];
  const primary = own("primary");
  return {
    environment: providerTags.Environment ?? own("environment") ?? null,
    primary: primary === undefined ? null : primary === "true",
  };
}

export interface StackContext {
  /** Policies whose level the policy config changed (they make provisions "not checked"). */
  readonly changes?: readonly LevelChange[];
  /** Buckets other buckets of the plan replicate into (inventory.ts `replicaSources`). */
  readonly replicas?: ReadonlyMap<string, string>;
  /** The pack that ran (PolicyRun's `pack`). @default this repository's pack */
  readonly policies?: readonly PackPolicy[];
}

export function stackReport(
  evaluation: Evaluation,
  program: string,
  context: StackContext = {},
): StackReport {
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
  const violations = evaluation.checks?.violations ?? [];
  const exempted = evaluation.checks?.exempted ?? [];
  const checked = evaluation.checks?.checked ?? {};
  const stored = evaluation.resources.filter((r) => r.type !== STACK_TYPE) as InventoryResource[];
  return {
    stack: evaluation.stack,
    program,
    region: evaluation.region,
    properties: propertiesOf(evaluation),
    resources,
    enclaves: enclavesOf(resources),
    violations,
    exempted,
    checked,
    safeguards: safeguardMatrix({
      policies: context.policies ?? loadPack(),
      changes: context.changes ?? [],
      checked,
      violations,
      exempted,
    }),
    inventory: phiInventory(stored, context.replicas),
    ...(evaluation.deploy ? { deploy: evaluation.deploy } : {}),
    timingsMs: {
      program: evaluation.timingsMs.program,
      policies: evaluation.timingsMs.policies ?? 0,
    },
  };
}

export interface PlanContext {
  readonly generatedAt?: Date;
  readonly provenance?: Provenance;
  readonly levelChanges?: LevelChange[];
  /** Milliseconds the preflight took, when it ran. */
  readonly preflightMs?: number;
}

export function planReport(stacks: StackReport[], context: PlanContext | Date = {}): PlanReport {
  const ctx: PlanContext = context instanceof Date ? { generatedAt: context } : context;
  const all = stacks.flatMap((s) => s.violations);
  const stores = stacks.flatMap((s) => s.inventory).filter((s) => s.phi);
  const safeguards = statusCounts(stacks.flatMap((s) => s.safeguards));
  const findings = stacks.some((s) => s.deploy) ? stacks.flatMap((s) => s.deploy ?? []) : null;
  const deploy = findings
    ? {
        failsDeploy: findings.filter((f) => f.kind === "fails-deploy").length,
        silentlyBroken: findings.filter((f) => f.kind === "silently-broken").length,
      }
    : {};
  return {
    schemaVersion: SCHEMA_VERSION,
    generatedAt: (ctx.generatedAt ?? new Date()).toISOString(),
    ...(ctx.provenance ? { provenance: ctx.provenance } : {}),
    levelChanges: ctx.levelChanges ?? [],
    stacks,
    summary: {
      resources: stacks.reduce((n, s) => n + s.resources.length, 0),
      mandatory: all.filter((v) => v.enforcementLevel === "mandatory").length,
      advisory: all.filter((v) => v.enforcementLevel === "advisory").length,
      exempted: stacks.reduce((n, s) => n + s.exempted.length, 0),
      safeguards,
      phiStores: { total: stores.length, protected: stores.filter((s) => s.protected).length },
      ...deploy,
    },
    ...(ctx.preflightMs !== undefined ? { preflightMs: ctx.preflightMs } : {}),
  };
}

/**
 * The policies that serve a safeguard: a citation equal to it or below it (tools/docs uses it for
 * docs/hipaa.md, whose safeguards group implementation specifications under their standard).
 */
export function policiesFor(safeguard: {
  readonly citation: string;
  readonly title?: string;
  readonly includes?: readonly string[];
}): string[] {
  const prefixes = [safeguard.citation, ...(safeguard.includes ?? [])];
  return loadPack()
    .filter((p) => p.meta.hipaa.some((c) => prefixes.some((s) => c === s || c.startsWith(`${s}(`))))
    .map((p) => p.name);
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
