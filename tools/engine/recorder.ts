/**
 * Records every resource the program registers, with what the plain mocks do not show: its real
 * URN, parent, provider, `protect`, `retainOnDelete`, dependencies and inputs with secrets
 * unwrapped. It wraps the mock monitor's registerResource and readResource.
 */
import * as pulumi from "@pulumi/pulumi";
import * as rpc from "@pulumi/pulumi/runtime/rpc";
import * as settings from "@pulumi/pulumi/runtime/settings";
import { STACK_TYPE } from "./types";

export interface ResourceRecord {
  readonly urn: string;
  readonly id: string | null;
  readonly type: string;
  readonly name: string;
  /** True for provider-managed resources, false for components (and the stack). */
  readonly custom: boolean;
  /** The parent's URN; null for the stack itself. */
  readonly parent: string | null;
  /** The provider reference, `urn::id`, for custom resources. */
  readonly provider: string | null;
  readonly protect: boolean;
  readonly retainOnDelete: boolean;
  /** True when the resource was read (`Resource.get`) rather than managed. */
  readonly read: boolean;
  readonly dependencies: readonly string[];
  readonly propertyDependencies: Readonly<Record<string, readonly string[]>>;
  readonly ignoreChanges: readonly string[];
  /** The resource's custom timeouts (`customTimeouts`), as Go durations; absent when none. */
  readonly customTimeouts?: {
    readonly create?: string;
    readonly update?: string;
    readonly delete?: string;
  };
  readonly inputs: Record<string, unknown>;
  readonly outputs: Record<string, unknown>;
  /** Top-level input names whose values were secrets. */
  readonly secretInputs: readonly string[];
}

/** Minimal view of the protobuf request the monitor receives. */
interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
  getObject?(): unknown;
  getProperties?(): unknown;
  getProvider(): string;
  getProtect?(): boolean | undefined;
  getRetainondelete?(): boolean | undefined;
  getDependenciesList(): string[];
  getPropertydependenciesMap?(): {
    forEach(cb: (v: { getUrnsList(): string[] }, k: string) => void): void;
  };
  getIgnorechangesList?(): string[];
  getCustomtimeouts?():
    { getCreate(): string; getUpdate(): string; getDelete(): string } | undefined;
  getId?(): string;
  getImportid?(): string;
}

type DeserializeArg = Parameters<typeof rpc.deserializeProperties>[0];

interface RegisterResponse {
  getUrn(): string;
  setUrn(urn: string): void;
  getId?(): string;
  getObject?(): unknown;
  getProperties?(): unknown;
}

type Callback = (err: unknown, response: RegisterResponse | undefined) => void;

/** The SDK's MockMonitor (runtime/mocks.js), as far as the recorder uses it. */
interface Monitor {
  readonly mocks: pulumi.runtime.Mocks;
  readonly resources: Map<string, { urn: string; id: string | null; state: unknown }>;
  newUrn(parent: string, type: string, name: string): string;
  registerResource(req: RegisterRequest, callback: Callback): Promise<void>;
  readResource(req: RegisterRequest, callback: Callback): Promise<void>;
  registerResourceOutputs(
    req: { getUrn(): string; setUrn(urn: string): void },
    callback: (err: unknown, response: unknown) => void,
  ): void;
}

/**
 * The URN the Pulumi engine gives a resource: its type qualified by its ancestors' types, except
 * the root stack's (the mock monitor qualifies by the parent's own type only, stack included).
 */
export function engineUrn(parentUrn: string, type: string, name: string): string {
  const parentType = parentUrn ? parentUrn.split("::")[2] : "";
  const qualified = !parentType || parentType === STACK_TYPE ? type : `${parentType}$${type}`;
  return `urn:pulumi:${pulumi.getStack()}::${pulumi.getProject()}::${qualified}::${name}`;
}

/**
 * A registration's response as the runtime reads it (runtime/resource.js): the URN, the id, and
 * the state behind `toJavaScript()`, which is all `deserializeProperties` asks of a Struct. Every
 * read shares the state: the runtime's only reader (`resolveOutputs`) and the recorder's hand it
 * to `deserializeProperties`, which builds new objects and arrays and changes nothing it reads
 * (runtime/rpc.js), so a copy per read, as a Struct's `toJavaScript()` gives, served nothing: two
 * deep copies of every resource's state (tests/tools/engine-reference.spec.ts compares the records
 * and stack outputs with the SDK's own monitor's).
 */
class DirectResponse implements RegisterResponse {
  constructor(
    private urn: string,
    private readonly id: string,
    private readonly state: Record<string, unknown>,
  ) {}
  getUrn(): string {
    return this.urn;
  }
  setUrn(urn: string): void {
    this.urn = urn;
  }
  getId(): string {
    return this.id;
  }
  getObject(): { toJavaScript(): Record<string, unknown> } {
    const state = this.state;
    return { toJavaScript: () => state };
  }
  getProperties(): { toJavaScript(): Record<string, unknown> } {
    return this.getObject();
  }
  /** The mock monitor reports no property dependencies. */
  getPropertydependenciesMap(): undefined {
    return undefined;
  }
  /** `Result.SUCCESS`: every value is final. */
  getResult(): number {
    return 0;
  }
}

const SECRET_SIG = rpc.specialSecretSig;
const SIG_KEY = rpc.specialSigKey;

/** Unwraps secrets, and turns resource references into their URNs, so records are plain JSON. */
export function plain(value: unknown): unknown {
  if (value === null || value === undefined) return value;
  if (Array.isArray(value)) return value.map(plain);
  if (pulumi.Resource.isInstance(value)) {
    return `resource:${String((value as unknown as { __name?: string }).__name ?? "")}`;
  }
  if (typeof value === "object") {
    const obj = value as Record<string, unknown>;
    if (obj[SIG_KEY] === SECRET_SIG) return plain(obj.value);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(obj)) {
      if (typeof v !== "function") out[k] = plain(v);
    }
    return out;
  }
  return value;
}

function secretKeys(inputs: Record<string, unknown>): string[] {
  return Object.entries(inputs)
    .filter(
      ([, v]) =>
        typeof v === "object" &&
        v !== null &&
        (v as Record<string, unknown>)[SIG_KEY] === SECRET_SIG,
    )
    .map(([k]) => k);
}

export class Recorder {
  readonly resources: ResourceRecord[] = [];
  /** `type::name` of every resource constructed, registered or not yet. */
  private readonly constructed = new Set<string>();
  private readonly listeners: ((r: ResourceRecord) => void)[] = [];

  /**
   * Takes over the current monitor's registrations; call after `setMocks`.
   *
   * `direct` (the default) answers registrations itself: the request's properties are read once
   * (the SDK's mock monitor and a wrapping recorder read them twice), the mocks' state is
   * serialized as the SDK's monitor serializes it, and the response hands that state to the
   * runtime as is, without the round trip through a protobuf Struct that an in-process monitor has
   * no use for. `wrap` keeps the SDK's mock monitor and wraps it: the reference the direct path is
   * tested against (tests/tools/engine-reference.spec.ts), record for record.
   */
  install(mode: "direct" | "wrap" = "direct"): void {
    const monitor = settings.getMonitor() as unknown as Monitor | undefined;
    if (!monitor) throw new Error("the mock engine has no monitor: call setMocks first");
    // The runtime sees engine URNs; the mock monitor keeps its own, so map them back for it.
    const mockUrns = new Map<string, string>();
    for (const method of ["registerResource", "readResource"] as const) {
      const read = method === "readResource";
      if (mode === "direct") {
        // What the SDK's MockMonitor does for a registration or a read (runtime/mocks.js), the same
        // awaits in the same places (so registrations complete in the same order) and one try
        // around everything, the callback included, as it has it; less the protobuf Struct it
        // builds for the response, and with the request's properties read once, not twice.
        monitor[method] = async (req, callback) => {
          try {
            const struct = (read ? req.getProperties!() : req.getObject!()) as DeserializeArg;
            const inputs = rpc.deserializeProperties(struct) as Record<string, unknown>;
            const result = await monitor.mocks.newResource({
              type: req.getType(),
              name: req.getName(),
              inputs,
              provider: req.getProvider(),
              custom: read ? true : req.getCustom(),
              id: read ? req.getId!() : req.getImportid!(),
            });
            const mockUrn = monitor.newUrn(req.getParent(), req.getType(), req.getName());
            const state = (await rpc.serializeProperties("", result.state)) as Record<
              string,
              unknown
            >;
            monitor.resources.set(mockUrn, { urn: mockUrn, id: result.id ?? null, state });
            const urn = engineUrn(req.getParent(), req.getType(), req.getName());
            mockUrns.set(urn, mockUrn);
            // A read's response carries no id (its request has it); a registration's "" for none.
            const response = new DirectResponse(urn, read ? "" : result.id || "", state);
            this.record(req, response, read, inputs);
            callback(null, response);
          } catch (err) {
            callback(err, undefined);
          }
        };
        continue;
      }
      const original = monitor[method].bind(monitor);
      monitor[method] = (req, callback) =>
        original(req, (err, response) => {
          if (!err && response) {
            const urn = engineUrn(req.getParent(), req.getType(), req.getName());
            mockUrns.set(urn, response.getUrn());
            response.setUrn(urn);
            this.record(req, response, read);
          }
          callback(err, response);
        });
    }
    const registerOutputs = monitor.registerResourceOutputs.bind(monitor);
    monitor.registerResourceOutputs = (req, callback) => {
      const mockUrn = mockUrns.get(req.getUrn());
      if (mockUrn) req.setUrn(mockUrn);
      registerOutputs(req, callback);
    };
  }

  /** Notes a resource at construction (from a stack transformation), before its inputs resolve. */
  noteConstructed(type: string, name: string): void {
    this.constructed.add(`${type}::${name}`);
  }

  /** Resources constructed whose registration has not completed: what a hung program waits on. */
  pending(): string[] {
    const done = new Set(this.resources.map((r) => `${r.type}::${r.name}`));
    return [...this.constructed].filter((k) => !done.has(k));
  }

  onRecord(listener: (r: ResourceRecord) => void): void {
    this.listeners.push(listener);
  }

  private record(
    req: RegisterRequest,
    response: RegisterResponse,
    read: boolean,
    inputs?: Record<string, unknown>,
  ): void {
    const struct = (read ? req.getProperties?.() : req.getObject?.()) as DeserializeArg;
    const rawInputs =
      inputs ?? (struct ? (rpc.deserializeProperties(struct) as Record<string, unknown>) : {});
    const outStruct = (
      read ? response.getProperties?.() : response.getObject?.()
    ) as DeserializeArg;
    const outputs = outStruct
      ? (rpc.deserializeProperties(outStruct) as Record<string, unknown>)
      : {};
    const propertyDependencies: Record<string, string[]> = {};
    req.getPropertydependenciesMap?.().forEach((v, k) => {
      propertyDependencies[k] = v.getUrnsList();
    });
    const record: ResourceRecord = {
      urn: response.getUrn(),
      id: (read ? req.getId?.() : response.getId?.()) || null,
      type: req.getType(),
      name: req.getName(),
      custom: read ? true : req.getCustom(),
      parent: req.getParent() || null,
      provider: req.getProvider() || null,
      protect: req.getProtect?.() ?? false,
      retainOnDelete: req.getRetainondelete?.() ?? false,
      read,
      dependencies: req.getDependenciesList(),
      propertyDependencies,
      ignoreChanges: req.getIgnorechangesList?.() ?? [],
      ...customTimeouts(req),
      inputs: plain(rawInputs) as Record<string, unknown>,
      outputs: plain(outputs) as Record<string, unknown>,
      secretInputs: secretKeys(rawInputs),
    };
    this.resources.push(record);
    for (const listener of this.listeners) listener(record);
  }
}

/** The request's custom timeouts, only those set (the protocol sends "" for the others). */
function customTimeouts(req: RegisterRequest): Pick<ResourceRecord, "customTimeouts"> {
  const t = req.getCustomtimeouts?.();
  if (!t) return {};
  const set = Object.entries({
    create: t.getCreate(),
    update: t.getUpdate(),
    delete: t.getDelete(),
  }).filter(([, v]) => v);
  return set.length ? { customTimeouts: Object.fromEntries(set) } : {};
}
