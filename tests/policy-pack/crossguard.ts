/**
 * A reference evaluation of the pack, written apart from tools/policy/run.ts: resources are turned
 * into the analyzer's protobuf requests and handed to @pulumi/policy's own Analyze and AnalyzeStack
 * handlers (server.js, the code `pulumi preview --policy-pack` runs behind its gRPC server), called
 * in-process without starting the server. So props go through protobuf Structs, the engine's
 * deserialization and its unknown-checking proxy; every policy is called for every resource; and
 * each stack policy gets its own freshly deserialized copy of the stack, as under the engine.
 *
 * Which resources and which props the engine would send is the runner's modelling, and is kept:
 * custom resources only, their inputs to Analyze, their inputs overlaid with their outputs to
 * AnalyzeStack. Everything after that (argument building, linking, config, levels) is the library's.
 */
import * as analyzerProto from "@pulumi/pulumi/proto/analyzer_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import type { EhealthPolicy } from "../../policy-pack/policies";
import type { ResourceRecord } from "../../tools/engine";
import type { Finding, PackConfig } from "../../tools/policy/run";

type Callback = (err: unknown, response?: analyzerProto.AnalyzeResponse) => void;
type Handler = (call: { request: unknown }, callback: Callback) => Promise<void>;

// The handlers are internal to @pulumi/policy (marked @internal, absent from its typings).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const server = require("@pulumi/policy/server") as {
  makeAnalyzeRpcFun(name: string, version: string, level: string, policies: unknown[]): Handler;
  makeAnalyzeStackRpcFun(
    name: string,
    version: string,
    level: string,
    policies: unknown[],
  ): Handler;
};

const PACK = "ehealth-hipaa";
const VERSION = "0.0.1";

/**
 * JSON values as the SDK sends them: properties whose value is undefined are left out (the SDK's
 * serializer drops them), everything else as is.
 */
function sendable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : sendable(v)));
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = sendable(v);
  return out;
}

function struct(value: Record<string, unknown>): Struct {
  return Struct.fromJavaScript(sendable(value) as Parameters<typeof Struct.fromJavaScript>[0]);
}

function options(r: ResourceRecord): analyzerProto.AnalyzerResourceOptions {
  const opts = new analyzerProto.AnalyzerResourceOptions();
  opts.setProtect(r.protect);
  opts.setIgnorechangesList([...r.ignoreChanges]);
  if (r.parent) opts.setParent(r.parent);
  return opts;
}

function providerOf(
  r: ResourceRecord,
  byRef: ReadonlyMap<string, ResourceRecord>,
): analyzerProto.AnalyzerProviderResource | undefined {
  const p = r.provider ? byRef.get(r.provider) : undefined;
  if (!p) return undefined;
  const out = new analyzerProto.AnalyzerProviderResource();
  out.setType(p.type);
  out.setName(p.name);
  out.setUrn(p.urn);
  out.setProperties(struct(p.inputs));
  return out;
}

function levelIn(entry: unknown): string | undefined {
  return typeof entry === "string"
    ? entry
    : (entry as { enforcementLevel?: string } | undefined)?.enforcementLevel;
}

/**
 * The pack as the engine holds it after `Configure` with this config (what the CLI sends for
 * --policy-pack-config): the level a policy's entry (or `all`) sets, and `getConfig` returning the
 * entry without its level, or {} when there is none, as server.js's makeGetConfigFun does with
 * the config Configure stored (which the handlers read from a module variable this file cannot set).
 */
function configured(policies: readonly EhealthPolicy[], config: PackConfig): unknown[] {
  return policies.map((p) => {
    const entry = config[p.name];
    const level = levelIn(entry) ?? levelIn(config.all) ?? p.enforcementLevel;
    const own =
      entry && typeof entry === "object" ? { ...(entry as Record<string, unknown>) } : undefined;
    if (own) delete own.enforcementLevel;
    const getConfig = () => own ?? {};
    if (p.kind === "resource") {
      const validate = p.validateResource;
      return {
        ...p,
        enforcementLevel: level,
        validateResource: (args: object, report: unknown) =>
          validate({ ...args, getConfig } as never, report as never),
      };
    }
    const validate = p.validateStack;
    return {
      ...p,
      enforcementLevel: level,
      validateStack: (args: object, report: unknown) =>
        validate({ ...args, getConfig } as never, report as never),
    };
  });
}

const LEVELS: Record<number, Finding["enforcementLevel"] | "disabled"> = {
  [analyzerProto.EnforcementLevel.ADVISORY]: "advisory",
  [analyzerProto.EnforcementLevel.MANDATORY]: "mandatory",
  [analyzerProto.EnforcementLevel.REMEDIATE]: "mandatory",
  [analyzerProto.EnforcementLevel.DISABLED]: "disabled",
};

/** A finding as both sides can say it: the engine prefixes the description, and names the pack. */
export interface ReferenceFinding {
  readonly policy: string;
  readonly enforcementLevel: string;
  readonly urn: string | null;
  readonly message: string;
}

function call(handler: Handler, request: unknown): Promise<analyzerProto.AnalyzeResponse> {
  return new Promise((resolve, reject) => {
    void handler({ request }, (err, response) => (err ? reject(err) : resolve(response!)));
  });
}

function read(
  response: analyzerProto.AnalyzeResponse,
  policies: readonly EhealthPolicy[],
  urn: string | null,
): ReferenceFinding[] {
  const byName = new Map(policies.map((p) => [p.name, p]));
  return response.getDiagnosticsList().map((d) => {
    const policy = byName.get(d.getPolicyname())!;
    const prefix = `${policy.description}\n`;
    const message = d.getMessage();
    return {
      policy: d.getPolicyname(),
      enforcementLevel: LEVELS[d.getEnforcementlevel()],
      urn: d.getUrn() || urn,
      message: message.startsWith(prefix) ? message.slice(prefix.length) : message,
    };
  });
}

/** Every finding the engine's handlers report for these resources, resource and stack policies. */
export async function referenceFindings(
  resources: readonly ResourceRecord[],
  policies: readonly EhealthPolicy[],
  config: PackConfig = {},
): Promise<ReferenceFinding[]> {
  const pack = configured(policies, config);
  const analyze = server.makeAnalyzeRpcFun(PACK, VERSION, "advisory", pack);
  const analyzeStack = server.makeAnalyzeStackRpcFun(PACK, VERSION, "advisory", pack);
  const byRef = new Map(
    resources
      .filter((r) => r.type.startsWith("pulumi:providers:"))
      .map((p) => [`${p.urn}::${p.id ?? ""}`, p]),
  );
  const custom = resources.filter((r) => r.custom);
  const found: ReferenceFinding[] = [];
  for (const r of custom) {
    const req = new analyzerProto.AnalyzeRequest();
    req.setType(r.type);
    req.setName(r.name);
    req.setUrn(r.urn);
    req.setProperties(struct(r.inputs));
    req.setOptions(options(r));
    const provider = providerOf(r, byRef);
    if (provider) req.setProvider(provider);
    found.push(...read(await call(analyze, req), policies, r.urn));
  }
  const stack = new analyzerProto.AnalyzeStackRequest();
  stack.setResourcesList(
    custom.map((r) => {
      const res = new analyzerProto.AnalyzerResource();
      res.setType(r.type);
      res.setName(r.name);
      res.setUrn(r.urn);
      res.setProperties(struct({ ...r.inputs, ...r.outputs }));
      res.setOptions(options(r));
      const provider = providerOf(r, byRef);
      if (provider) res.setProvider(provider);
      if (r.parent) res.setParent(r.parent);
      res.setDependenciesList([...r.dependencies]);
      const deps = res.getPropertydependenciesMap();
      for (const [k, urns] of Object.entries(r.propertyDependencies)) {
        const list = new analyzerProto.AnalyzerPropertyDependencies();
        list.setUrnsList([...urns]);
        deps.set(k, list);
      }
      return res;
    }),
  );
  found.push(...read(await call(analyzeStack, stack), policies, null));
  return found;
}

/**
 * A finding list in one canonical order, with the engine's wording for "can't run during preview"
 * reduced to the runner's (the engine names the pack and its version there).
 */
export function canonical(findings: readonly ReferenceFinding[]): string[] {
  return findings
    .map((f) =>
      JSON.stringify([
        f.policy,
        f.enforcementLevel,
        f.urn,
        f.message.replace(
          /^can't run policy '([^']+)' from policy pack '[^']+' during preview: /,
          "can't run $1 during preview: ",
        ),
      ]),
    )
    .sort();
}
