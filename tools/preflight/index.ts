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

/**
 * The preflight of programs that arrive one at a time (the plan's workers answer one after
 * another): each program's stack rules run as soon as it is added, while the others are still
 * being evaluated, and the account rules run once all are in (after warming the simulator's
 * caches on the programs already added, see warmUp). The findings are those `preflight` gives on
 * the same programs, in the same order: per stack, rule by rule in the rules' order. `timingMs`
 * counts the stack rules and `finish`, not the warm-ups, which run while programs are evaluated.
 */
export class IncrementalPreflight {
  private readonly graphs = new Map<string, ProgramGraph>();
  /** By stack, the hits of each stack rule, by the rule's index. */
  private readonly stackHits = new Map<string, Map<number, DeployFinding[]>>();
  private ms = 0;
  /** Programs added together are checked one after the other, as they were added. */
  private queue: Promise<void> = Promise.resolve();
  /** Set by `finish`: a warm-up still running stops at its next rule. */
  private finishing = false;

  constructor(private readonly rules: readonly Rule[] = allRules) {}

  /** Runs the stack rules on one program. Stacks must differ by name. */
  add(input: PreflightInput): Promise<void> {
    const next = this.queue.then(() => this.addNow(input));
    this.queue = next.catch(() => undefined);
    // Once a program's stack rules are done, the account rules warm up on the programs added so
    // far, from the next turn of the event loop: a finish called right after the last add, as the
    // plan calls it, comes first and no warm-up starts.
    void next.then(
      () => setImmediate(() => void this.warmUp()),
      () => undefined,
    );
    return next;
  }

  /**
   * Runs the account rules on the programs added so far and keeps nothing but what they leave in
   * the simulator's caches (iam/simulate.ts answers an equal request from its first answer): while
   * the last program is still being evaluated, the questions about the others are asked on a
   * thread that would otherwise wait, and `finish` finds their answers. At one research enclave
   * that was more than half of the account rules' simulations (216 of 397, oregon and london
   * added before ireland); at 50, 216 of 2,455. The findings are `finish`'s alone, from every rule
   * run again on all the programs, so a program's findings cannot depend on what came before.
   * A warm-up stops at its next rule once `finish` is called; one that fails is forgotten.
   */
  private async warmUp(): Promise<void> {
    const graphs = [...this.graphs.values()];
    for (const rule of this.rules) {
      if (this.finishing) return;
      if (rule.scope !== "account") continue;
      try {
        await rule.check(graphs);
      } catch {
        // On a partial account a rule may refuse what it accepts on the whole one: finish judges.
      }
    }
  }

  private async addNow(input: PreflightInput): Promise<void> {
    if (this.graphs.has(input.stack)) throw new Error(`${input.stack} was added twice`);
    const started = performance.now();
    const graph = new ProgramGraph(input);
    this.graphs.set(input.stack, graph);
    const hits = new Map<number, DeployFinding[]>();
    this.stackHits.set(input.stack, hits);
    for (const [index, rule] of this.rules.entries()) {
      if (rule.scope !== "stack") continue;
      const meta = { rule: rule.id, kind: rule.kind, reference: rule.reference };
      hits.set(
        index,
        (await rule.check(graph)).map((hit) => ({ ...meta, ...hit })),
      );
    }
    this.ms += performance.now() - started;
  }

  /** Runs the account rules on the programs added, in the order of `stacks`, and reports. */
  async finish(stacks: readonly string[]): Promise<PreflightResult> {
    this.finishing = true;
    const started = performance.now();
    const graphs = stacks.map((stack) => {
      const graph = this.graphs.get(stack);
      if (!graph) throw new Error(`${stack} was never added`);
      return graph;
    });
    const perStack = new Map(graphs.map((g) => [g, [] as DeployFinding[]]));
    const stackOf = (urn: string | null) => graphs.find((g) => urn && g.get(urn)) ?? graphs[0];
    for (const [index, rule] of this.rules.entries()) {
      if (rule.scope === "stack") {
        for (const g of graphs) perStack.get(g)!.push(...this.stackHits.get(g.stack)!.get(index)!);
        continue;
      }
      const meta = { rule: rule.id, kind: rule.kind, reference: rule.reference };
      for (const hit of await rule.check(graphs))
        perStack.get(stackOf(hit.urn))!.push({ ...meta, ...hit });
    }
    this.ms += performance.now() - started;
    return {
      stacks: graphs.map((g) => ({ stack: g.stack, deploy: dedupe(perStack.get(g)!) })),
      timingMs: Math.round(this.ms),
    };
  }
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
