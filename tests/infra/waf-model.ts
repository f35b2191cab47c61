/**
 * A small model of how AWS WAF evaluates a web ACL's rules on one request, for the statements the
 * platform uses: rules in priority order, a Block ends the evaluation, a Count goes on, a matching
 * rule adds its labels either way, and a later rule can match those labels ("How AWS WAF processes
 * a web ACL" and "Label match rule statement", AWS WAF Developer Guide). Of AWS's managed groups it
 * knows the one rule the platform changes: the core rule set's SizeRestrictions_BODY, which blocks
 * a body over 8 KB and labels it ("Core rule set (CRS) managed rule group",
 * https://docs.aws.amazon.com/waf/latest/developerguide/aws-managed-rule-groups-baseline.html).
 * The other managed rules are taken to match nothing. A statement it does not know throws.
 */
export interface WafRequest {
  readonly method: string;
  readonly uriPath: string;
  readonly bodyBytes: number;
}

type Statement = Record<string, Record<string, unknown>>;

interface Rule {
  readonly name: string;
  readonly priority: number;
  readonly action?: { block?: unknown; count?: unknown; allow?: unknown };
  readonly overrideAction?: { none?: unknown; count?: unknown };
  readonly statement: Statement;
}

/** From AWS's documentation of the core rule set, not from the code under test. */
const CRS = "AWSManagedRulesCommonRuleSet";
const CRS_BODY_RULE = "SizeRestrictions_BODY";
const CRS_BODY_LABEL = "awswaf:managed:aws:core-rule-set:SizeRestrictions_Body";
const CRS_BODY_LIMIT = 8192;

function field(request: WafRequest, fieldToMatch: Record<string, unknown>): string {
  if ("method" in fieldToMatch) return request.method;
  if ("uriPath" in fieldToMatch) return request.uriPath;
  throw new Error(`the WAF model does not know the field ${Object.keys(fieldToMatch).join()}`);
}

function normalizePath(value: string): string {
  const parts: string[] = [];
  for (const segment of value.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") parts.pop();
    else parts.push(segment);
  }
  return `/${parts.join("/")}${value.endsWith("/") && parts.length ? "/" : ""}`;
}

function transform(value: string, transformations: { priority: number; type: string }[]): string {
  return [...transformations]
    .sort((a, b) => a.priority - b.priority)
    .reduce((v, t) => {
      switch (t.type) {
        case "NONE":
          return v;
        case "URL_DECODE":
          return decodeURIComponent(v);
        case "NORMALIZE_PATH":
          return normalizePath(v);
        default:
          throw new Error(`the WAF model does not know the transformation ${t.type}`);
      }
    }, value);
}

function matches(statement: Statement, request: WafRequest, labels: Set<string>): boolean {
  const [kind, body] = Object.entries(statement)[0];
  switch (kind) {
    case "andStatement":
      return (body.statements as Statement[]).every((s) => matches(s, request, labels));
    case "orStatement":
      return (body.statements as Statement[]).some((s) => matches(s, request, labels));
    case "notStatement":
      return !matches(body.statement as Statement, request, labels);
    case "labelMatchStatement":
      if (body.scope !== "LABEL") throw new Error("the WAF model matches full labels only");
      return labels.has(body.key as string);
    case "rateBasedStatement":
      return false;
    case "byteMatchStatement": {
      const value = transform(
        field(request, body.fieldToMatch as Record<string, unknown>),
        body.textTransformations as { priority: number; type: string }[],
      );
      const search = body.searchString as string;
      switch (body.positionalConstraint) {
        case "EXACTLY":
          return value === search;
        case "STARTS_WITH":
          return value.startsWith(search);
        case "CONTAINS":
          return value.includes(search);
        default:
          throw new Error(`the WAF model does not know ${String(body.positionalConstraint)}`);
      }
    }
    case "regexMatchStatement":
      return new RegExp(body.regexString as string).test(
        transform(
          field(request, body.fieldToMatch as Record<string, unknown>),
          body.textTransformations as { priority: number; type: string }[],
        ),
      );
    default:
      throw new Error(`the WAF model does not know the statement ${kind}`);
  }
}

/** Whether the web ACL blocks the request (its default action being allow). */
export function wafBlocks(rules: readonly Rule[], request: WafRequest): boolean {
  const labels = new Set<string>();
  for (const rule of [...rules].sort((a, b) => a.priority - b.priority)) {
    const group = rule.statement.managedRuleGroupStatement;
    if (group) {
      if (group.name !== CRS || request.bodyBytes <= CRS_BODY_LIMIT) continue;
      labels.add(CRS_BODY_LABEL);
      const overrides = (group.ruleActionOverrides ?? []) as {
        name: string;
        actionToUse: Record<string, unknown>;
      }[];
      const override = overrides.find((o) => o.name === CRS_BODY_RULE)?.actionToUse;
      const counted =
        Boolean(override && "count" in override) || "count" in (rule.overrideAction ?? {});
      if (!counted) return true;
      continue;
    }
    if (!matches(rule.statement, request, labels)) continue;
    if (rule.action?.block) return true;
    if (rule.action?.allow) return false;
  }
  return false;
}
