/**
 * The preflight's shapes: a rule is one documented AWS constraint (create-time refusal or silent
 * misbehaviour), checked on the resources a program records. Findings carry the rule's kind and its
 * source, so a reader can check the rule against AWS's own words.
 */
import type { ResourceRecord } from "../engine/recorder";
import type { ProgramGraph } from "./graph";

/** `fails-deploy`: AWS refuses the call or the update never converges. `silently-broken`: it deploys and does not do what it says. */
export type DeployKind = "fails-deploy" | "silently-broken";

export interface Reference {
  readonly title: string;
  readonly url: string;
}

/** One preflight finding, as the plan's JSON carries it in `stacks[].deploy`. */
export interface DeployFinding {
  readonly rule: string;
  readonly kind: DeployKind;
  /** The resource that must change; null when the finding names no single resource. */
  readonly urn: string | null;
  readonly message: string;
  readonly reference: Reference;
}

export type Family =
  "names" | "tags" | "kms" | "s3" | "ordering" | "convergence" | "singletons" | "regions" | "iam";

/** What a rule reports: the resource and the sentence (resource, property, value, fix). */
export interface RuleHit {
  readonly urn: string | null;
  readonly message: string;
}

interface RuleMeta {
  readonly id: string;
  readonly family: Family;
  readonly kind: DeployKind;
  /** One sentence: the constraint, as AWS states it. */
  readonly description: string;
  readonly reference: Reference;
}

/** A rule over one program (stack) at a time. */
export interface StackRule extends RuleMeta {
  readonly scope: "stack";
  check(graph: ProgramGraph): RuleHit[] | Promise<RuleHit[]>;
}

/**
 * A rule over every program that shares an account (the plan evaluates all stacks: account and
 * region singletons, cross-region references). Hits are reported on the stack that holds the URN.
 */
export interface AccountRule extends RuleMeta {
  readonly scope: "account";
  check(graphs: readonly ProgramGraph[]): RuleHit[] | Promise<RuleHit[]>;
}

export type Rule = StackRule | AccountRule;

/** One evaluated program, as the preflight takes it. */
export interface PreflightInput {
  readonly stack: string;
  /** The default provider's region (`aws:region`). */
  readonly region: string;
  /** The account the program deploys into. @default the mock engine's account */
  readonly accountId?: string;
  readonly resources: readonly ResourceRecord[];
}
