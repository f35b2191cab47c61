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
}

interface RegisterResponse {
  getUrn(): string;
  setUrn(urn: string): void;
  getId?(): string;
  getObject?(): unknown;
  getProperties?(): unknown;
}

type Callback = (err: unknown, response: RegisterResponse | undefined) => void;

interface Monitor {
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

  /** Wraps the current monitor; call after `setMocks`. */
  install(): void {
    const monitor = settings.getMonitor() as unknown as Monitor | undefined;
    if (!monitor) throw new Error("the mock engine has no monitor: call setMocks first");
    // The runtime sees engine URNs; the mock monitor keeps its own, so map them back for it.
    const mockUrns = new Map<string, string>();
    for (const method of ["registerResource", "readResource"] as const) {
      const original = monitor[method].bind(monitor);
      const read = method === "readResource";
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

  private record(req: RegisterRequest, response: RegisterResponse, read: boolean): void {
    const struct = (read ? req.getProperties?.() : req.getObject?.()) as Parameters<
      typeof rpc.deserializeProperties
    >[0];
    const rawInputs = struct ? (rpc.deserializeProperties(struct) as Record<string, unknown>) : {};
    const outStruct = (read ? response.getProperties?.() : response.getObject?.()) as Parameters<
      typeof rpc.deserializeProperties
    >[0];
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
