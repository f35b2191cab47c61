/**
 * AWS's policy evaluation, as `@cloud-copilot/iam-simulate` implements it (identity, resource and
 * permission-boundary policies, KMS key policies' account delegation, every condition operator),
 * behind one function that refuses to answer silently wrong:
 *
 * - a request the library cannot validate (an unknown action, a resource of the wrong shape) throws;
 * - a context key the library would drop is returned in `ignoredContextKeys` (a caller can assert
 *   none were), except the one family it drops by mistake, fixed here.
 *
 * The mistake (iam-simulate 0.1.173, the same in its newest source): a request's context keys are
 * kept only when they equal a key the action documents or match a documented key whose variable
 * follows a slash (`aws:PrincipalTag/${TagKey}`). KMS's encryption-context key puts its variable
 * after a colon (`kms:EncryptionContext:${EncryptionContextKey}`, as iam-data lists it, correctly),
 * so every `kms:EncryptionContext:<key>` came back in `ignoredContextKeys` and a key policy condition
 * on it never matched. It is not a version mismatch (0.1.173 pairs with iam-data 0.21, whose
 * `findConditionKey` resolves such keys) and not Discovery mode (Strict drops them the same way);
 * no upstream issue was found. Here such keys are recognised against the action's documented keys,
 * typed with the library's own `typeForContextKey`, and the request runs on the library's engine
 * without its context filter (`runUnsafeSimulation`), after the same validation has passed.
 */
import {
  createValidatedPolicy,
  validateIdentityPolicy,
  validateResourcePolicy,
} from "@cloud-copilot/iam-policy";
import {
  allowedContextKeysForRequest,
  isConditionKeyArray,
  runSimulation,
  runUnsafeSimulation,
  typeForContextKey,
  type Simulation,
} from "@cloud-copilot/iam-simulate";

export type Decision = "Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied";
export type PolicyDoc = { readonly Version?: string; readonly Statement: unknown };
export type Context = Readonly<Record<string, string | readonly string[]>>;

export interface AccessRequest {
  /** An IAM ARN (role, user, assumed role, account root) or a service principal. */
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  /** The account that owns the resource. @default the account in the resource's or principal's ARN */
  readonly resourceAccount?: string;
  readonly context?: Context;
  /** The principal's identity policies (none for a service principal). */
  readonly identityPolicies?: readonly PolicyDoc[];
  readonly resourcePolicy?: PolicyDoc;
  readonly permissionBoundaries?: readonly PolicyDoc[];
}

export interface AccessResult {
  readonly decision: Decision;
  /** Context keys the action does not take: they played no part in the decision. */
  readonly ignoredContextKeys: readonly string[];
}

export class SimulationError extends Error {}

const accountOf = (arn: string): string | undefined =>
  /^arn:[^:]+:[^:]*:[^:]*:(\d{12}):/.exec(arn)?.[1];

/** A documented key whose variable follows a colon (`kms:EncryptionContext:${EncryptionContextKey}`). */
function colonVariableMatch(lowerKey: string, allowed: ReadonlySet<string>): boolean {
  for (const documented of allowed) {
    const at = documented.indexOf(":${");
    if (at > 0 && lowerKey.startsWith(documented.slice(0, at + 1)) && lowerKey.length > at + 1)
      return true;
  }
  return false;
}

async function contextFor(
  action: string,
  resource: string,
  context: Context,
): Promise<{ values: Record<string, string | string[]>; colonKeys: string[] }> {
  const [service, name] = action.split(":");
  let allowed: Set<string>;
  try {
    allowed = new Set(
      await allowedContextKeysForRequest(service, name, resource, false, undefined),
    );
  } catch {
    return { values: {}, colonKeys: [] };
  }
  const values: Record<string, string | string[]> = {};
  const colonKeys: string[] = [];
  for (const [key, value] of Object.entries(context)) {
    const lower = key.toLowerCase();
    const slashVariable = [...allowed].some(
      (a) => lower.includes("/") && a.startsWith(lower.slice(0, lower.indexOf("/") + 1)),
    );
    const colon = colonVariableMatch(lower, allowed);
    if (!allowed.has(lower) && !slashVariable && !colon) continue;
    if (colon && !allowed.has(lower)) colonKeys.push(key);
    const type = await typeForContextKey(lower);
    values[key] = isConditionKeyArray(type)
      ? [value].flat()
      : Array.isArray(value)
        ? String(value[0])
        : (value as string);
  }
  return { values, colonKeys };
}

/** Evaluates one request as AWS would, or throws when the simulator cannot judge it. */
export async function simulate(request: AccessRequest): Promise<AccessResult> {
  const account =
    request.resourceAccount ??
    accountOf(request.resource) ??
    accountOf(request.principal) ??
    "000000000000";
  const context = request.context ?? {};
  const simulation: Simulation = {
    request: {
      principal: request.principal,
      action: request.action,
      resource: { resource: request.resource, accountId: account },
      contextVariables: Object.fromEntries(
        Object.entries(context).map(([k, v]) => [k, Array.isArray(v) ? [...v] : (v as string)]),
      ),
    },
    identityPolicies: (request.identityPolicies ?? []).map((policy, i) => ({
      name: `identity-${i}`,
      policy,
    })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    ...(request.resourcePolicy ? { resourcePolicy: request.resourcePolicy } : {}),
    ...(request.permissionBoundaries
      ? {
          permissionBoundaryPolicies: request.permissionBoundaries.map((policy, i) => ({
            name: `boundary-${i}`,
            policy,
          })),
        }
      : {}),
  };
  const result = await runSimulation(simulation, { simulationMode: "Strict" });
  if (result.resultType === "error") {
    throw new SimulationError(
      `${request.action} on ${request.resource}: ${JSON.stringify(result.errors)}`,
    );
  }
  if (result.resultType !== "single") {
    throw new SimulationError(
      `${request.action} on ${request.resource}: give one resource, not a pattern`,
    );
  }
  const ignored = result.result.ignoredContextKeys ?? [];
  const { values, colonKeys } = await contextFor(request.action, request.resource, context);
  const stillIgnored = ignored.filter((k) => !colonKeys.includes(k));
  if (colonKeys.length === 0 || !ignored.some((k) => colonKeys.includes(k))) {
    return { decision: result.overallResult as Decision, ignoredContextKeys: stillIgnored };
  }
  // Validated above; the same engine now sees the encryption-context keys it dropped.
  const decision = runUnsafeSimulation(
    {
      ...simulation,
      request: { ...simulation.request, contextVariables: values },
      identityPolicies: simulation.identityPolicies.map((p) => ({
        name: p.name,
        policy: createValidatedPolicy(p.policy, validateIdentityPolicy, { name: p.name }),
      })),
      ...(request.resourcePolicy
        ? {
            resourcePolicy: createValidatedPolicy(request.resourcePolicy, validateResourcePolicy, {
              name: "resource",
            }),
          }
        : {}),
    },
    { simulationMode: "Strict" },
  );
  return { decision: decision as Decision, ignoredContextKeys: stillIgnored };
}
