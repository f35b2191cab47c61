/**
 * The engine's request and result shapes, and its error: a module with no runtime dependency, so
 * that callers (the plan's main process) can use workers without loading Pulumi themselves.
 */
import type { PolicyRun } from "../policy/run";
import type { MockOptions } from "./mocks";
import type { ResourceRecord } from "./recorder";

/**
 * The region a program that configures none (no `aws:region`) is planned in: the provider would
 * refuse to run, so the plan picks one, tells the program through `aws:region`, and says so.
 */
export const DEFAULT_REGION = "us-east-1";

/** The type of the root resource every program has: not part of the platform, so never counted. */
export const STACK_TYPE = "pulumi:pulumi:Stack";

export interface EvaluationRequest {
  /** The program's entry file (TypeScript or JavaScript). */
  readonly program: string;
  readonly project: string;
  readonly stack: string;
  /** The stack's configuration, `namespace:key` to string. */
  readonly config: Readonly<Record<string, string>>;
  /** Run as a preview: computed outputs stay unknown. @default false */
  readonly preview?: boolean;
  /** Mocked account details; the region defaults to the config's `aws:region`. */
  readonly mocks?: Partial<MockOptions>;
  /**
   * Evaluate through the SDK's own mock monitor, with every call site captured, instead of the
   * engine's direct path (recorder.ts). The records are the same; tests prove it by comparing the
   * two. @default false
   */
  readonly reference?: boolean;
  /**
   * The program's working directory, as Pulumi's language host sets it (`--pwd`): a program that
   * must run elsewhere than this process's directory is evaluated in a child process there.
   * @default process.cwd()
   */
  readonly cwd?: string;
  /** Give up after this long, naming the resources still waiting. @default 60000 */
  readonly timeoutMs?: number;
  /**
   * Run the policy pack on the result in the same worker, with this pack config, judging
   * exemptions against `now` (ISO date). The caller then needs neither Pulumi nor the pack.
   */
  readonly check?: { readonly config: Readonly<Record<string, unknown>>; readonly now?: string };
}

/**
 * A finding of the preflight (will AWS accept the resource, and will it do what it says), as the
 * preflight produces it from an evaluation's records; reports render them when present.
 */
export interface DeployFinding {
  readonly rule: string;
  readonly kind: "fails-deploy" | "silently-broken";
  readonly urn: string | null;
  readonly message: string;
  readonly reference: { readonly title: string; readonly url: string };
}

export interface Evaluation {
  readonly project: string;
  readonly stack: string;
  readonly program: string;
  readonly region: string;
  /** The configuration the program ran with, `namespace:key` to string. */
  readonly config?: Readonly<Record<string, string>>;
  readonly resources: ResourceRecord[];
  readonly outputs: Record<string, unknown>;
  readonly timingsMs: { readonly program: number; readonly policies?: number };
  /** The policy pack's findings, when the request asked for a check. */
  readonly checks?: PolicyRun;
  /** The preflight's findings, when it ran on this evaluation. */
  readonly deploy?: DeployFinding[];
}

export class EvaluationError extends Error {
  constructor(
    message: string,
    readonly kind: "program" | "timeout",
  ) {
    super(message);
  }
}

/** The first line of an error, without the stack trace; RunErrors are already one line. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message.split("\n")[0];
  return String(err);
}

/** The resources below `rootUrn` in the parent tree (not the root itself). */
export function descendants<T extends { readonly urn: string; readonly parent: string | null }>(
  resources: readonly T[],
  rootUrn: string,
): T[] {
  const below = new Set([rootUrn]);
  const out: T[] = [];
  for (let grew = true; grew;) {
    grew = false;
    for (const r of resources) {
      if (r.parent && below.has(r.parent) && !below.has(r.urn)) {
        below.add(r.urn);
        out.push(r);
        grew = true;
      }
    }
  }
  return out;
}
