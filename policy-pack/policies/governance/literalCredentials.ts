import { ANY_TYPE, resourcePolicy } from "../lib/policy";
import { Props, isUnknownValue, knownValue, list, obj } from "../lib/props";

/** Values that are credentials whatever they are called. */
const SHAPES: readonly (readonly [RegExp, string])[] = [
  [/\b(AKIA|ASIA)[0-9A-Z]{16}\b/, "an AWS access key id"],
  [/-----BEGIN ([A-Z]+ )*PRIVATE KEY-----/, "a private key"],
  [/\b(ghp|gho|ghs|ghu|ghr)_[A-Za-z0-9]{36}\b|\bgithub_pat_[A-Za-z0-9_]{40,}/, "a GitHub token"],
  [/\bxox[abpr]-[A-Za-z0-9-]{10,}/, "a Slack token"],
  [/\b(sk|rk)_live_[A-Za-z0-9]{16,}/, "a Stripe secret key"],
  [/\bAIza[0-9A-Za-z_-]{35}\b/, "a Google API key"],
];

/** Names that say their value is a secret. */
const SECRET_NAME =
  /(pass(word|wd|phrase)?|pwd|secret|token|api[_-]?key|apikey|private[_-]?key|access[_-]?key|secret[_-]?key|signing[_-]?key|client[_-]?secret|auth[_-]?key|credentials?|conn(ection)?[_-]?str(ing)?|dsn)$/i;
/** Names that refer to a secret rather than hold it. */
const REFERENCE_NAME =
  /(_|-|\b)(arn|id|name|path|param(eter)?|file|ref|url|uri|endpoint|region|length|policy|rotation|type)$/i;

/*
 * The expressions of isReference, highEntropy and isSecretKeyRun, built once: a regular expression
 * literal in a function body is a new RegExp object each time the call evaluates it (none of
 * these is global or sticky, so a shared one keeps no state between tests).
 */
const ARN = /^arn:/;
const RESOLVE = /\{\{resolve:/;
const VARIABLE = /^\$\{?[A-Za-z_][A-Za-z0-9_]*\}?($|\/)/;
const RUNTIME_READ = /^(os\.environ|os\.getenv\(|process\.env|ENV\[|System\.getenv\(|getenv\()/;
const COMMAND = /^\$\(|^`/;
const FILE_PATH = /^([A-Za-z0-9_.-]+:)?\/[A-Za-z0-9_./-]+$/;
const STORE_REFERENCE = /^(ssm|secretsmanager|alias)[:/]/;
const PLAIN_SETTING = /^(true|false|null|none|\d+)$/i;
const PLACEHOLDER = /^<.*>$/;
const WHITESPACE = /\s/;
const ARN_URL_OR_PATH = /^(arn:|https?:|\/)/;
const LOWER = /[a-z]/;
const UPPER = /[A-Z]/;
const DIGIT = /\d/;
const SLASH_OR_PLUS = /[/+]/;

/** Values that refer to a secret held elsewhere, or are not a secret at all. */
function isReference(value: string): boolean {
  const v = value.trim();
  return (
    v.length < 6 ||
    ARN.test(v) ||
    RESOLVE.test(v) ||
    VARIABLE.test(v) ||
    // Read at run time from the environment, a command or a file: the value is elsewhere.
    RUNTIME_READ.test(v) ||
    COMMAND.test(v) ||
    // A file path, alone or after an id (systemd's LoadCredential=<id>:<path>).
    FILE_PATH.test(v) ||
    STORE_REFERENCE.test(v) ||
    PLAIN_SETTING.test(v) ||
    PLACEHOLDER.test(v)
  );
}

/** Shannon entropy of a string, in bits a character. */
export function entropy(s: string): number {
  const counts = new Map<string, number>();
  for (const c of s) counts.set(c, (counts.get(c) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) h -= (n / s.length) * Math.log2(n / s.length);
  return h;
}

/** A random-looking token: long, mixed letters and digits, no spaces, more than hex's 4 bits a character. */
function highEntropy(value: string): boolean {
  const v = value.trim();
  return (
    v.length >= 24 &&
    !WHITESPACE.test(v) &&
    !ARN_URL_OR_PATH.test(v) &&
    LOWER.test(v) &&
    UPPER.test(v) &&
    DIGIT.test(v) &&
    entropy(v) >= 4.2
  );
}

/** AWS secret access keys: exactly 40 base64 characters, mixed case, digits and / or +. */
function isKeyChar(c: number): boolean {
  return (
    (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 47 || c === 43
  );
}

/** Delimiters around a key in code, config or JSON: start or end, space, quotes, = : , ; */
function isDelimiter(c: number | undefined): boolean {
  return (
    c === undefined ||
    c === 32 ||
    c === 9 ||
    c === 10 ||
    c === 13 ||
    c === 34 ||
    c === 39 ||
    c === 61 ||
    c === 58 ||
    c === 44 ||
    c === 59
  );
}

/** Whether a delimited run of exactly 40 key characters from `start` to `end` looks random. */
function isSecretKeyRun(value: string, start: number, end: number): boolean {
  if (end - start !== 40 || !isDelimiter(start > 0 ? value.charCodeAt(start - 1) : undefined))
    return false;
  const after = end < value.length ? value.charCodeAt(end) : undefined;
  const m = value.slice(start, end);
  return (
    (isDelimiter(after) || after === 61) &&
    SLASH_OR_PLUS.test(m) &&
    LOWER.test(m) &&
    UPPER.test(m) &&
    DIGIT.test(m) &&
    entropy(m) >= 4.5
  );
}

/**
 * Every maximal run of key characters that is exactly 40 long, judged by isSecretKeyRun. A run of
 * 40 covers any 40 consecutive positions, so probing every 40th character finds each one without
 * reading the characters between probes that land outside a run (most of a long value).
 */
function looksLikeSecretKey(value: string): boolean {
  const n = value.length;
  let probe = 39;
  while (probe < n) {
    if (!isKeyChar(value.charCodeAt(probe))) {
      probe += 40;
      continue;
    }
    let start = probe;
    while (start > 0 && isKeyChar(value.charCodeAt(start - 1))) start--;
    let end = probe + 1;
    while (end < n && isKeyChar(value.charCodeAt(end))) end++;
    if (isSecretKeyRun(value, start, end)) return true;
    probe = end + 40;
  }
  return false;
}

/** The shortest value any shape above matches (a Slack token: `xoxb-` and ten characters). */
const SHORTEST_SHAPE = 15;

/** A cheap first look: every shape above contains one of these. */
const MAYBE = /AKIA|ASIA|PRIVATE KEY|gh[opsur]_|github_pat_|xox[abpr]-|_live_|AIza/;

function shapeOf(value: string): string | undefined {
  if (value.length < SHORTEST_SHAPE) return undefined;
  if (looksLikeSecretKey(value)) return "an AWS secret access key";
  if (!MAYBE.test(value)) return undefined;
  return SHAPES.find(([re]) => re.test(value))?.[1];
}

/** The first literal credential in a value, by path; unknown values are skipped (they are not literals). */
export function findCredential(value: unknown, path: string, depth = 0): string | undefined {
  const hit = walk(value, depth);
  return hit
    ? `${[path, ...hit.path].filter((p) => p !== "").join(".")} (${hit.shape})`
    : undefined;
}

/** Depth-first search for a credential's shape; the path is built only on a hit. */
function walk(value: unknown, depth: number): { path: string[]; shape: string } | undefined {
  if (typeof value === "string") {
    const shape = shapeOf(value);
    return shape ? { path: [], shape } : undefined;
  }
  if (depth > 8 || !value || typeof value !== "object") return undefined;
  // for-in visits what Object.keys lists (records and the engine's props inherit nothing
  // enumerable), and reads each value through its enum cache rather than a keyed lookup.
  for (const key in value) {
    let child: unknown;
    try {
      child = (value as Record<string, unknown>)[key];
    } catch (err) {
      if (isUnknownValue(err)) continue;
      throw err;
    }
    // Most values are short strings that no shape can match: judged here without a call.
    if (typeof child === "string" && child.length < SHORTEST_SHAPE) continue;
    if (child === null || (typeof child !== "string" && typeof child !== "object")) continue;
    const found = walk(child, depth + 1);
    if (found) return { path: [key, ...found.path], shape: found.shape };
  }
  return undefined;
}

/** A name = value pair that holds a secret in plain text. */
function namedSecret(name: string, value: unknown, anyName: boolean): string | undefined {
  if (typeof value !== "string") return undefined;
  // Cheapest tests first: most names say nothing, and most values are short.
  const byName = SECRET_NAME.test(name) && !REFERENCE_NAME.test(name);
  if (!byName && !(anyName && value.length >= 24)) return undefined;
  if (isReference(value)) return undefined;
  if (byName) return "a secret by its name";
  return highEntropy(value) ? "a high-entropy value" : undefined;
}

/** `NAME=value`, `NAME: value`, `"NAME": "value"` and `--name value` in scripts (user data). */
const ASSIGNMENT =
  /(?:^|[\s;'"{,])(?:export\s+)?["']?([A-Za-z_][A-Za-z0-9_.-]*)["']?\s*(?:=|:|\s)\s*["']?([^\s"';]+)/gm;

function scriptSecret(text: string): string | undefined {
  for (const m of text.matchAll(ASSIGNMENT)) {
    // A random-looking value is a secret whatever the variable is called, as in environments.
    const found = namedSecret(m[1].replace(/^--?/, ""), m[2], true);
    if (found) return `${m[1]} (${found})`;
  }
  return undefined;
}

/** Printable ASCII, tab, CR and LF only (a character outside, or half a surrogate pair, fails). */
const PRINTABLE = /^[\t\n\r -~]*$/;

function decode(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  if (/^[A-Za-z0-9+/=\s]+$/.test(value) && value.length % 4 === 0 && value.length >= 8) {
    const text = Buffer.from(value, "base64").toString("utf8");
    // Decoded user data is a script only when every character is printable (or tab, CR, LF).
    if (PRINTABLE.test(text)) return text;
  }
  return value;
}

/**
 * Environment variables, user data and tags: where a program's secrets are read by anyone who can
 * describe the resource. A value unknown until apply is no literal and is passed over, as
 * `findCredential`'s walk passes over it: the values known beside it are still judged.
 */
function plainTextSecrets(type: string, props: Props): string | undefined {
  const tags = obj(knownValue(props, "tags"));
  for (const k in tags) {
    // Tags are read by anyone who can list resources: a random-looking value is a secret there
    // whatever its key is called, as in environment variables.
    const found = namedSecret(k, knownValue(tags, k), true);
    if (found) return `tags.${k} (${found})`;
  }
  const environment = obj(knownValue(props, "environment"));
  const env = environment && obj(knownValue(environment, "variables"));
  for (const k in env) {
    const v = knownValue(env, k);
    const found = namedSecret(k, v, true) ?? (typeof v === "string" ? shapeOf(v) : undefined);
    if (found) return `environment.variables.${k} (${found})`;
  }
  const containerDefinitions = knownValue(props, "containerDefinitions");
  if (
    type === "aws:ecs/taskDefinition:TaskDefinition" &&
    typeof containerDefinitions === "string"
  ) {
    try {
      const defs = JSON.parse(containerDefinitions) as Props[];
      for (const [i, d] of (Array.isArray(defs) ? defs : []).entries()) {
        for (const e of list(d.environment)) {
          const found = namedSecret(String(e.name ?? ""), e.value, true);
          if (found) return `containerDefinitions[${i}].environment ${String(e.name)} (${found})`;
        }
      }
    } catch {
      // Not JSON: the scan of every value below still looks at it.
    }
  }
  for (const key of ["userData", "userDataBase64"]) {
    const text = decode(knownValue(props, key));
    const found = text ? scriptSecret(text) : undefined;
    if (found) return `${key}: ${found}`;
  }
  return undefined;
}

export const secretsInputDisallowLiteralCredentials = resourcePolicy(
  {
    name: "secrets-input-disallow-literal-credentials",
    description:
      "No resource input holds a credential in plain text: AWS access key ids and secret access keys, private keys and well-known token shapes anywhere; in environment variables (Lambda, ECS), user data and tags, values whose names say they are secrets (password, secret, token, API key, ...) or that look random (high entropy).",
    enforcementLevel: "mandatory",
    severity: "critical",
    hipaa: ["164.312(d)", "164.312(a)(1)"],
    remediationSteps:
      "Keep credentials in Secrets Manager or SSM Parameter Store (SecureString) and pass references (ECS secrets, a secret ARN in the environment, {{resolve:...}}), or use roles; never literals in code, config, user data or tags.",
    levelReason:
      "A credential in a program is in its repository, its state and every preview, and in an environment variable or tag it is readable by anyone who can describe the resource: it is leaked.",
  },
  {
    [ANY_TYPE]: (r, report) => {
      const found = findCredential(r.props, "") ?? plainTextSecrets(r.type, r.props);
      if (found)
        report(
          `${r.name} has a credential in plain text in ${found}: move it to Secrets Manager and reference it`,
        );
    },
  },
);
