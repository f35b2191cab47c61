/**
 * `aws.iam.getPolicyDocument`, computed offline as the AWS provider computes it: it is a pure
 * function of its arguments, so the mock engine answers it exactly rather than with a stand-in.
 *
 * The facts this follows come from the provider's implementation (read, not copied):
 * terraform-provider-aws internal/service/iam/policy_document_data_source.go and policy_model.go
 * (https://github.com/hashicorp/terraform-provider-aws/tree/main/internal/service/iam), and the
 * Terraform plugin SDK's set ordering, helper/schema/set.go and serialize.go
 * (https://github.com/hashicorp/terraform-plugin-sdk/tree/main/helper/schema):
 * - source documents merge first, in order, and their Sids must be unique across all of them;
 *   then the statements given here; then the override documents, in order. Merging replaces a
 *   statement with the same non-empty Sid in place and appends the rest; the Id is adopted when
 *   given, and the Version only ever goes up (string comparison).
 * - actions, resources and principal identifiers are sets: duplicates vanish, one value becomes a
 *   string, several are sorted in reverse byte order. Condition values are a list: kept in order,
 *   collapsed to a string when there is one.
 * - `&{...}` becomes `${...}` in resources, principal identifiers and condition values (refused
 *   in version 2008-10-17).
 * - principal and condition blocks are sets ordered by the CRC-32 of their serialized form (as
 *   decimal strings); principals of one type merge into one list, sorted again in reverse; a
 *   single `*`-type `*` principal is written `"*"`; conditions group by test, then variable.
 * - the JSON is Go's: object keys of maps sorted, `<`, `>`, `&`, U+2028 and U+2029 escaped; `json`
 *   is indented by two spaces, `minifiedJson` is compact, and the id is the CRC-32 of `json`.
 * - documents read from JSON keep their Action/Resource values as written; a Principal that is any
 *   string means `*`; condition values that are numbers or objects are dropped (the provider's
 *   model only reads strings, booleans and lists of strings).
 */
import { crc32 } from "node:zlib";

export class PolicyDocumentError extends Error {}

/** A value written in Go's JSON form: Maps keep their order, plain objects are sorted. */
type GoJson = string | number | boolean | null | GoJson[] | Map<string, GoJson>;

const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

function goString(s: string): string {
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => {
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
  });
}

/** A value decoded from JSON as Go's `any`: objects become maps whose keys Go sorts. */
function fromRaw(value: unknown): GoJson {
  if (Array.isArray(value)) return value.map(fromRaw);
  if (value && typeof value === "object") {
    const keys = Object.keys(value).sort(byteOrder);
    return new Map(keys.map((k) => [k, fromRaw((value as Record<string, unknown>)[k])]));
  }
  return value as GoJson;
}

function encode(value: GoJson, indent: string | undefined, depth = 0): string {
  const nl = (d: number) => (indent === undefined ? "" : `\n${indent.repeat(d)}`);
  const sep = indent === undefined ? ":" : ": ";
  if (value === null) return "null";
  if (typeof value === "string") return goString(value);
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "null";
  if (typeof value === "boolean") return String(value);
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    const items = value.map((v) => `${nl(depth + 1)}${encode(v, indent, depth + 1)}`);
    return `[${items.join(",")}${nl(depth)}]`;
  }
  if (value.size === 0) return "{}";
  const items = [...value].map(
    ([k, v]) => `${nl(depth + 1)}${goString(k)}${sep}${encode(v, indent, depth + 1)}`,
  );
  return `{${items.join(",")}${nl(depth)}}`;
}

interface Principal {
  readonly type: string;
  readonly identifiers: string | string[];
}
interface Condition {
  readonly test: string;
  readonly variable: string;
  readonly values: string | string[];
}
interface Statement {
  sid: string;
  effect: string;
  action?: GoJson;
  notAction?: GoJson;
  resource?: GoJson;
  notResource?: GoJson;
  principals?: Principal[];
  notPrincipals?: Principal[];
  conditions?: Condition[];
}
interface Doc {
  version: string;
  id: string;
  statements: Statement[];
}

// ---- the model's JSON form (policy_model.go's MarshalJSON methods) ----

function principalsJson(set: readonly Principal[]): GoJson {
  if (set.length === 1) {
    const [p] = set;
    const ids = p.identifiers;
    if (
      p.type === "*" &&
      (ids === "*" || (Array.isArray(ids) && ids.length === 1 && ids[0] === "*"))
    )
      return "*";
  }
  const raw = new Map<string, string | string[]>();
  for (const p of set) {
    const existing = raw.get(p.type);
    if (Array.isArray(p.identifiers)) {
      const list =
        existing === undefined ? [] : typeof existing === "string" ? [existing] : existing;
      list.push(...[...p.identifiers].sort(byteOrder).reverse());
      raw.set(p.type, list);
    } else if (existing === undefined) {
      raw.set(p.type, p.identifiers);
    } else if (typeof existing === "string") {
      raw.set(p.type, [existing, p.identifiers]);
    } else {
      existing.push(p.identifiers);
    }
  }
  const keys = [...raw.keys()].sort(byteOrder);
  return new Map(keys.map((k) => [k, raw.get(k)!]));
}

function conditionsJson(set: readonly Condition[]): GoJson {
  const raw = new Map<string, Map<string, string[]>>();
  for (const c of set) {
    const byVariable = raw.get(c.test) ?? new Map<string, string[]>();
    raw.set(c.test, byVariable);
    const values = byVariable.get(c.variable) ?? [];
    byVariable.set(c.variable, values);
    values.push(...(Array.isArray(c.values) ? c.values : [c.values]));
  }
  const sorted = <T>(m: Map<string, T>) =>
    [...m.keys()].sort(byteOrder).map((k) => [k, m.get(k)!] as const);
  return new Map(
    sorted(raw).map(([test, vars]) => [
      test,
      new Map(sorted(vars).map(([v, values]) => [v, values.length === 1 ? values[0] : values])),
    ]),
  );
}

function statementJson(s: Statement): GoJson {
  const out = new Map<string, GoJson>();
  if (s.sid) out.set("Sid", s.sid);
  if (s.effect) out.set("Effect", s.effect);
  const raw: [string, GoJson | undefined][] = [
    ["Action", s.action],
    ["NotAction", s.notAction],
    ["Resource", s.resource],
    ["NotResource", s.notResource],
  ];
  for (const [key, value] of raw) if (value !== undefined && value !== null) out.set(key, value);
  if (s.principals?.length) out.set("Principal", principalsJson(s.principals));
  if (s.notPrincipals?.length) out.set("NotPrincipal", principalsJson(s.notPrincipals));
  if (s.conditions?.length) out.set("Condition", conditionsJson(s.conditions));
  return out;
}

function docJson(d: Doc): GoJson {
  const out = new Map<string, GoJson>();
  if (d.version) out.set("Version", d.version);
  if (d.id) out.set("Id", d.id);
  if (d.statements.length) out.set("Statement", d.statements.map(statementJson));
  return out;
}

function merge(into: Doc, next: Doc): void {
  if (next.id) into.id = next.id;
  if (next.version > into.version) into.version = next.version;
  for (const s of next.statements) {
    const at = s.sid ? into.statements.findIndex((e) => e.sid === s.sid) : -1;
    if (at >= 0) into.statements[at] = s;
    else into.statements.push(s);
  }
}

// ---- documents read from JSON (the model's UnmarshalJSON methods, Go's field matching) ----

/** Go matches JSON keys to struct fields exactly, else case-insensitively; the last key wins. */
function fields(obj: Record<string, unknown>, names: readonly string[]): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [key, value] of Object.entries(obj)) {
    const name =
      names.find((n) => n === key) ?? names.find((n) => n.toLowerCase() === key.toLowerCase());
    if (name) out.set(name, value);
  }
  return out;
}

function text(value: unknown, what: string): string {
  if (value === undefined || value === null) return "";
  if (typeof value !== "string") throw new PolicyDocumentError(`${what} must be a string`);
  return value;
}

function principalsFromJson(value: unknown, what: string): Principal[] | undefined {
  if (typeof value === "string") return [{ type: "*", identifiers: ["*"] }];
  if (!value || typeof value !== "object" || Array.isArray(value))
    throw new PolicyDocumentError(`${what} must be "*" or an object of principal types`);
  const out: Principal[] = [];
  for (const [type, ids] of Object.entries(value)) {
    if (typeof ids === "string") out.push({ type, identifiers: ids });
    else if (Array.isArray(ids)) {
      if (ids.some((i) => typeof i !== "string"))
        throw new PolicyDocumentError(`${what}.${type} must list strings`);
      out.push({ type, identifiers: [...(ids as string[])].sort(byteOrder) });
    } else throw new PolicyDocumentError(`${what}.${type} must be a string or a list of strings`);
  }
  return out.length ? out : undefined;
}

function conditionsFromJson(value: unknown, what: string): Condition[] | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value !== "object" || Array.isArray(value))
    throw new PolicyDocumentError(`${what} must be an object of condition operators`);
  const out: Condition[] = [];
  for (const [test, vars] of Object.entries(value)) {
    if (vars === null) continue;
    if (typeof vars !== "object" || Array.isArray(vars))
      throw new PolicyDocumentError(`${what}.${test} must be an object of condition keys`);
    for (const [variable, values] of Object.entries(vars as Record<string, unknown>)) {
      if (typeof values === "string") out.push({ test, variable, values: [values] });
      else if (typeof values === "boolean") out.push({ test, variable, values: String(values) });
      else if (Array.isArray(values)) {
        if (values.some((v) => typeof v !== "string"))
          throw new PolicyDocumentError(`${what}.${test}.${variable} must list strings`);
        out.push({ test, variable, values: values as string[] });
      }
      // Numbers and objects are not read by the provider's model: the condition is dropped.
    }
  }
  return out.length ? out : undefined;
}

function docFromJson(json: string, what: string): Doc {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (err) {
    throw new PolicyDocumentError(`${what} is not JSON: ${(err as Error).message}`);
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed))
    throw new PolicyDocumentError(`${what} must be a JSON object`);
  const top = fields(parsed as Record<string, unknown>, ["Version", "Id", "Statement"]);
  const list = top.get("Statement");
  if (list !== undefined && list !== null && !Array.isArray(list))
    throw new PolicyDocumentError(`${what}: Statement must be a list`);
  const statements = ((list ?? []) as unknown[]).map((raw, i): Statement => {
    const at = `${what} statement ${i}`;
    if (!raw || typeof raw !== "object" || Array.isArray(raw))
      throw new PolicyDocumentError(`${at} must be an object`);
    const f = fields(raw as Record<string, unknown>, [
      "Sid",
      "Effect",
      "Action",
      "NotAction",
      "Resource",
      "NotResource",
      "Principal",
      "NotPrincipal",
      "Condition",
    ]);
    const rawOf = (k: string) => (f.has(k) ? fromRaw(f.get(k)) : undefined);
    return {
      sid: text(f.get("Sid"), `${at} Sid`),
      effect: text(f.get("Effect"), `${at} Effect`),
      action: rawOf("Action"),
      notAction: rawOf("NotAction"),
      resource: rawOf("Resource"),
      notResource: rawOf("NotResource"),
      principals: f.has("Principal")
        ? principalsFromJson(f.get("Principal"), `${at} Principal`)
        : undefined,
      notPrincipals: f.has("NotPrincipal")
        ? principalsFromJson(f.get("NotPrincipal"), `${at} NotPrincipal`)
        : undefined,
      conditions: conditionsFromJson(f.get("Condition"), `${at} Condition`),
    };
  });
  return {
    version: text(top.get("Version"), `${what} Version`),
    id: text(top.get("Id"), `${what} Id`),
    statements,
  };
}

// ---- the data source's arguments (Terraform sets and lists) ----

export interface PolicyDocumentArgs {
  readonly version?: string;
  readonly policyId?: string;
  readonly sourcePolicyDocuments?: readonly (string | null)[];
  readonly overridePolicyDocuments?: readonly (string | null)[];
  readonly sourceJson?: string;
  readonly overrideJson?: string;
  readonly statements?: readonly StatementArgs[];
}

interface BlockArgs {
  readonly type?: string;
  readonly identifiers?: readonly string[];
}
interface StatementArgs {
  readonly sid?: string;
  readonly effect?: string;
  readonly actions?: readonly string[];
  readonly notActions?: readonly string[];
  readonly resources?: readonly string[];
  readonly notResources?: readonly string[];
  readonly principals?: readonly BlockArgs[];
  readonly notPrincipals?: readonly BlockArgs[];
  readonly conditions?: readonly { test?: string; variable?: string; values?: readonly string[] }[];
}

/** The code a Terraform set keys an element by: the CRC-32 of its serialization, in decimal. */
const hashCode = (serialized: string) => String(crc32(serialized));

/** A set of strings, as `Set.List()` returns it: unique, in order of their hash codes. */
function stringSet(values: readonly string[] | undefined): string[] {
  const byCode = new Map<string, string>();
  for (const v of values ?? [])
    if (!byCode.has(hashCode(`${v};`))) byCode.set(hashCode(`${v};`), v);
  return [...byCode.keys()].sort().map((k) => byCode.get(k)!);
}

/** A set of blocks: unique by their serialization, in order of its hash code. */
function blockSet<T>(items: readonly T[] | undefined, serialize: (t: T) => string): T[] {
  const byCode = new Map<string, T>();
  for (const item of items ?? []) {
    const code = hashCode(serialize(item));
    if (!byCode.has(code)) byCode.set(code, item);
  }
  return [...byCode.keys()].sort().map((k) => byCode.get(k)!);
}

/** One value as a string, several sorted in reverse byte order (policyDecodeConfigStrings). */
function decodeStrings(values: readonly string[]): string | string[] {
  if (values.length === 1) return values[0];
  return [...values].sort(byteOrder).reverse();
}

function replaceVars(values: string | string[], version: string, what: string): string | string[] {
  const one = (v: string) => {
    if (version === "2008-10-17" && v.includes("&{"))
      throw new PolicyDocumentError(
        `${what}: found &{ sequence in (${v}), which is not supported in document version 2008-10-17`,
      );
    return v.replaceAll("&{", "${");
  };
  return Array.isArray(values) ? values.map(one) : one(values);
}

function principalsArg(blocks: readonly BlockArgs[] | undefined, version: string, what: string) {
  const set = blockSet(blocks, (b) => {
    const ids = stringSet(b.identifiers)
      .map((i) => `${i};`)
      .join("");
    return `identifiers:{${ids}};type:${b.type ?? ""};`;
  });
  if (set.length === 0) return undefined;
  return set.map((b, i) => {
    if (typeof b.type !== "string")
      throw new PolicyDocumentError(`${what}[${i}]: type is required`);
    return {
      type: b.type,
      identifiers: replaceVars(decodeStrings(stringSet(b.identifiers)), version, `${what}[${i}]`),
    };
  });
}

function statementArg(s: StatementArgs, i: number, version: string): Statement {
  const at = `statements[${i}]`;
  const effect = s.effect ?? "Allow";
  if (effect !== "Allow" && effect !== "Deny")
    throw new PolicyDocumentError(`${at}.effect "${effect}" must be Allow or Deny`);
  const sid = s.sid ?? "";
  if (!/^[a-zA-Z0-9]*$/.test(sid))
    throw new PolicyDocumentError(`${at}.sid "${sid}" must only include alphanumeric characters`);
  const set = (values: readonly string[] | undefined) => {
    const list = stringSet(values);
    return list.length ? decodeStrings(list) : undefined;
  };
  const withVars = (values: readonly string[] | undefined, what: string) => {
    const decoded = set(values);
    return decoded === undefined ? undefined : replaceVars(decoded, version, what);
  };
  const conditions = blockSet(s.conditions, (c) => {
    const values = (c.values ?? []).map((v) => `${v};`).join("");
    return `test:${c.test ?? ""};values:(${values});variable:${c.variable ?? ""};`;
  }).map((c, j): Condition => {
    if (typeof c.test !== "string" || typeof c.variable !== "string")
      throw new PolicyDocumentError(`${at}.conditions[${j}]: test and variable are required`);
    const values = replaceVars(
      [...(c.values ?? [])],
      version,
      `${at}.conditions[${j}]`,
    ) as string[];
    return { test: c.test, variable: c.variable, values: values.length === 1 ? values[0] : values };
  });
  return {
    sid,
    effect,
    action: set(s.actions),
    notAction: set(s.notActions),
    resource: withVars(s.resources, `${at}.resources`),
    notResource: withVars(s.notResources, `${at}.notResources`),
    principals: principalsArg(s.principals, version, `${at}.principals`),
    notPrincipals: principalsArg(s.notPrincipals, version, `${at}.notPrincipals`),
    conditions: conditions.length ? conditions : undefined,
  };
}

export interface PolicyDocumentResult {
  readonly id: string;
  readonly json: string;
  readonly minifiedJson: string;
}

/** The data source's result for these arguments, or a PolicyDocumentError the provider would give. */
export function policyDocument(args: PolicyDocumentArgs): PolicyDocumentResult {
  for (const key of ["sourceJson", "overrideJson"] as const) {
    if (args[key])
      throw new PolicyDocumentError(
        `${key} is no longer used by the provider: use ${key === "sourceJson" ? "sourcePolicyDocuments" : "overridePolicyDocuments"}`,
      );
  }
  const version = args.version ?? "2012-10-17";
  if (version !== "2008-10-17" && version !== "2012-10-17")
    throw new PolicyDocumentError(`version "${version}" must be 2008-10-17 or 2012-10-17`);

  const merged: Doc = { version: "", id: "", statements: [] };
  const sids = new Set<string>();
  (args.sourcePolicyDocuments ?? []).forEach((json, i) => {
    if (json === null || json === undefined) return;
    const doc = docFromJson(json, `sourcePolicyDocuments[${i}]`);
    doc.statements.forEach((s, j) => {
      if (!s.sid) return;
      if (sids.has(s.sid))
        throw new PolicyDocumentError(
          `merging source document ${i}: duplicate Sid (${s.sid}) in sourcePolicyDocuments (statement ${j}); remove the Sid or make Sids unique`,
        );
      sids.add(s.sid);
    });
    merge(merged, doc);
  });

  const own = new Set<string>();
  const statements = (args.statements ?? []).map((s, i) => {
    const statement = statementArg(s, i, version);
    if (statement.sid) {
      if (own.has(statement.sid))
        throw new PolicyDocumentError(
          `duplicate Sid (${statement.sid}) in statements; remove the Sid or make it unique`,
        );
      own.add(statement.sid);
    }
    return statement;
  });
  merge(merged, { version, id: args.policyId ?? "", statements });

  (args.overridePolicyDocuments ?? []).forEach((json, i) => {
    if (json === null || json === undefined) return;
    merge(merged, docFromJson(json, `overridePolicyDocuments[${i}]`));
  });

  const value = docJson(merged);
  const json = encode(value, "  ");
  return { id: String(crc32(json)), json, minifiedJson: encode(value, undefined) };
}
