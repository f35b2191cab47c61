/**
 * The preflight: AWS's create-time and behaviour rules evaluated offline on the resources programs
 * record (docs/preflight.md lists them). A pure function of the evaluations: no AWS account, no
 * Pulumi runtime. Rules over one account run on all the programs given together, so two stacks
 * that share an account are judged as AWS will see them.
 */
import { ProgramGraph } from "./graph";
import { rules as allRules } from "./rules";
import type { DeployFinding, PreflightInput, Rule } from "./types";

export type { DeployFinding, DeployKind, PreflightInput, Rule } from "./types";
export { rules } from "./rules";

export interface PreflightResult {
  /** Findings per stack, in the order of the inputs. */
  readonly stacks: readonly { readonly stack: string; readonly deploy: DeployFinding[] }[];
  readonly timingMs: number;
}

/** Runs every rule (or the given ones) on the programs, which deploy into one account. */
export async function preflight(
  inputs: readonly PreflightInput[],
  rules: readonly Rule[] = allRules,
): Promise<PreflightResult> {
  const started = performance.now();
  const graphs = inputs.map((i) => new ProgramGraph(i));
  const perStack = new Map(graphs.map((g) => [g, [] as DeployFinding[]]));
  const stackOf = (urn: string | null) => graphs.find((g) => urn && g.get(urn)) ?? graphs[0];
  for (const rule of rules) {
    const meta = { rule: rule.id, kind: rule.kind, reference: rule.reference };
    if (rule.scope === "stack") {
      for (const g of graphs) {
        for (const hit of await rule.check(g)) perStack.get(g)!.push({ ...meta, ...hit });
      }
    } else {
      for (const hit of await rule.check(graphs))
        perStack.get(stackOf(hit.urn))!.push({ ...meta, ...hit });
    }
  }
  return {
    stacks: graphs.map((g) => ({ stack: g.stack, deploy: dedupe(perStack.get(g)!) })),
    timingMs: Math.round(performance.now() - started),
  };
}

function dedupe(findings: DeployFinding[]): DeployFinding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = `${f.rule}|${f.urn}|${f.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
