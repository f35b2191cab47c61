/**
 * Who may use a key, or call an API under a permission boundary, as AWS decides it: the policies the
 * stacks record, evaluated by @cloud-copilot/iam-simulate (AWS's evaluation logic: explicit deny,
 * resource and identity policies, boundaries, service principals, condition operators).
 *
 * One thing it cannot evaluate: condition keys of the form `kms:EncryptionContext:<key>`.
 * iam-simulate 0.1.173 accepts a variable context key only when its variable part follows a slash
 * (`aws:PrincipalTag/x`); the KMS key's variable follows a colon, so the key is dropped from the
 * request (`ignoredContextKeys`) and a condition on it never matches in Strict mode. For requests
 * that carry such a key, `decide` runs Discovery mode instead, told that every other key of the
 * request is known: it decides everything else and returns the encryption-context conditions left
 * (`unevaluated`), which tests assert on exactly rather than on a decision the simulator did not
 * make.
 */
import { runSimulation, type Simulation } from "@cloud-copilot/iam-simulate";
import type { PolicyDocument } from "../../infra/iam";

export type Context = Readonly<Record<string, string | string[]>>;

export interface Request {
  /** An IAM principal ARN, or a service principal (`cloudwatch.amazonaws.com`). */
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  /** The account that owns the resource. */
  readonly resourceAccount: string;
  readonly context?: Context;
}

export interface Policies {
  /** The resource's policy (a key policy, a topic policy). */
  readonly resource?: PolicyDocument;
  /** The principal's identity policies. @default one that allows everything (IAM says yes) */
  readonly identity?: PolicyDocument[];
  readonly boundary?: PolicyDocument;
}

export interface Decision {
  readonly result: "Allowed" | "ImplicitlyDenied" | "ExplicitlyDenied";
  /** Conditions the simulator could not evaluate (kms:EncryptionContext:*), as it reports them. */
  readonly unevaluated?: unknown;
}

const ALLOW_ALL: PolicyDocument = {
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }],
};

const isService = (principal: string) => /\.amazonaws\.com$/.test(principal);

export async function decide(request: Request, policies: Policies): Promise<Decision> {
  const context = request.context ?? {};
  const unmodelled = Object.keys(context).filter((k) => /^kms:EncryptionContext:/i.test(k));
  const service = isService(request.principal);
  const simulation: Simulation = {
    request: {
      principal: request.principal,
      action: request.action,
      resource: { resource: request.resource, accountId: request.resourceAccount },
      contextVariables: context,
    },
    identityPolicies: service
      ? []
      : (policies.identity ?? [ALLOW_ALL]).map((policy, i) => ({ name: `identity-${i}`, policy })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    ...(policies.resource ? { resourcePolicy: policies.resource } : {}),
    ...(policies.boundary
      ? { permissionBoundaryPolicies: [{ name: "boundary", policy: policies.boundary }] }
      : {}),
  };
  const mode = unmodelled.length > 0 ? "Discovery" : "Strict";
  const response = await runSimulation(simulation, {
    simulationMode: mode,
    // Discovery may treat only the unevaluable keys as unknown: every other key's presence and
    // value in the request are what AWS would see.
    discoveryContextKeyConstraints: [
      { keyName: "/^(?!kms:encryptioncontext:).*$/", presenceIsKnown: true, valueIsKnown: true },
    ],
  });
  if (response.resultType !== "single") {
    const why = response.resultType === "error" ? response.errors : response.results;
    throw new Error(`the simulation did not run as one request: ${JSON.stringify(why)}`);
  }
  const ignored = response.result.ignoredContextKeys ?? [];
  const unexpected = ignored.filter((k) => !unmodelled.includes(k));
  if (unexpected.length > 0) {
    throw new Error(
      `the simulator ignored ${unexpected.join(", ")}: the request names a key it does not know`,
    );
  }
  const result = response.overallResult as Decision["result"];
  const conditions = response.result.analysis?.conditions;
  return mode === "Discovery" && result === "Allowed" && conditions?.conditionType !== "always"
    ? { result, unevaluated: conditions }
    : { result };
}

export interface ConditionLeaf {
  readonly op: string;
  readonly key: string;
  readonly values: string[];
}

/** The single conditions of an unevaluated condition tree, without their sources. */
export function leaves(tree: unknown): ConditionLeaf[] {
  if (!tree || typeof tree !== "object") return [];
  const node = tree as {
    conditionType?: string;
    conditions?: unknown[];
    op?: string;
    key?: string;
    values?: string[];
  };
  if (node.conditionType === "condition") {
    return [{ op: node.op!, key: node.key!, values: node.values ?? [] }];
  }
  return (node.conditions ?? []).flatMap(leaves);
}
