/** Reading resource properties without tripping on what a program left out. */

export type Props = Record<string, unknown>;

export function list(value: unknown): Props[] {
  return Array.isArray(value) ? (value as Props[]) : [];
}

export function obj(value: unknown): Props | undefined {
  return value !== null && typeof value === "object" && !Array.isArray(value)
    ? (value as Props)
    : undefined;
}

export function strings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

/** Booleans arrive as booleans, and in some schemas (launch templates) as strings. */
export function isTrue(value: unknown): boolean {
  return value === true || value === "true";
}

export function nonEmpty(value: unknown): boolean {
  return typeof value === "string" ? value.trim() !== "" : value !== undefined && value !== null;
}

/**
 * The engine's error for a value unknown until apply (@pulumi/policy's unknown-value proxy throws
 * it on the read): such a value is no literal, and a check may pass over it.
 */
export function isUnknownValue(err: unknown): boolean {
  return (
    (err as Error).name === "UnknownValueError" ||
    !!(err as Error).message?.includes("can't be known")
  );
}

/** `o[key]`, or undefined when the value is unknown until apply (`isUnknownValue`). */
export function knownValue(o: Props, key: string): unknown {
  try {
    return o[key];
  } catch (err) {
    if (isUnknownValue(err)) return undefined;
    throw err;
  }
}

/**
 * Reads every value of an object, in order, as `Object.entries` does before a loop over its
 * answer runs: behind the engine's proxy the first value unknown until apply throws here, whatever
 * an entry before it held. A check that judges a whole object (is some tag PHI?) reads it so
 * first, then loops over the object in place, without the arrays.
 */
export function readEvery(o: Props): void {
  for (const k in o) void o[k];
}

export function tagsOf(props: Props): Record<string, string> {
  return (obj(props.tags) as Record<string, string> | undefined) ?? {};
}

/** A JSON policy document given as a string or an object; undefined when it does not parse. */
const parsedDocuments = new Map<string, { Statement?: unknown } | undefined>();

export function policyDocument(value: unknown): { Statement?: unknown } | undefined {
  if (typeof value === "string") {
    if (parsedDocuments.has(value)) return parsedDocuments.get(value);
    let doc: { Statement?: unknown } | undefined;
    try {
      doc = JSON.parse(value) as { Statement?: unknown };
    } catch {
      doc = undefined;
    }
    // Policies of a run read the same documents again and again; parsed ones are never mutated.
    if (parsedDocuments.size < 5_000) parsedDocuments.set(value, doc);
    return doc;
  }
  return obj(value) as { Statement?: unknown } | undefined;
}

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect?: string;
  readonly Principal?: unknown;
  readonly NotPrincipal?: unknown;
  readonly Action?: unknown;
  readonly NotAction?: unknown;
  readonly Resource?: unknown;
  readonly NotResource?: unknown;
  readonly Condition?: Record<string, Record<string, unknown>>;
}

export function statements(value: unknown): PolicyStatement[] {
  const doc = policyDocument(value);
  const s = doc?.Statement;
  return (Array.isArray(s) ? s : s ? [s] : []) as PolicyStatement[];
}

/** The stack's name, read from a URN (`urn:pulumi:<stack>::<project>::...`). */
export function stackOf(urn: string): string {
  return urn.split("::")[0].replace(/^urn:pulumi:/, "");
}
