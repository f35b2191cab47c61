/**
 * What the runner hands a policy, shaped as the CrossGuard engine shapes it: props behind
 * `unknownCheckingProxy` where a value is unknown until apply, the resource options, the provider,
 * and for stack policies the inputs overlaid with the outputs and links to the other resources.
 * Each is built when first read: a run reads few options, and no policy reads links.
 */
import type { PolicyResource, PolicyResourceOptions } from "@pulumi/policy";
import type { ExemptedFinding } from "../../policy-pack/policies/lib/exemptions";
import type { ResourceRecord } from "../engine";

/*
 * @pulumi/policy's proxy.js, where the package defines `unknownCheckingProxy`, `UnknownValueError`
 * and the engine's sentinels for values unknown until apply (its typings declare none of them; its
 * index re-exports the first two, the same objects). Read from here, not the index: the index also
 * loads the gRPC policy server and its protobuf code, which a run never uses (about 70 ms of CPU
 * in each evaluation worker, timed module by module).
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const proxyModule = require("@pulumi/policy/proxy") as Record<string, unknown> &
  Pick<typeof import("@pulumi/policy"), "unknownCheckingProxy" | "UnknownValueError">;

export const unknownCheckingProxy = proxyModule.unknownCheckingProxy;
export const UnknownValueError = proxyModule.UnknownValueError;

/** The sentinels; `unknownCheckingProxy` throws when a policy reads one. */
const UNKNOWN_SENTINELS: ReadonlySet<unknown> = new Set(
  [
    "unknownBooleanValue",
    "unknownNumberValue",
    "unknownStringValue",
    "unknownArrayValue",
    "unknownAssetValue",
    "unknownArchiveValue",
    "unknownObjectValue",
  ].map((name) => {
    const value = proxyModule[name];
    if (typeof value !== "string") throw new Error(`@pulumi/policy/proxy has no ${name}`);
    return value;
  }),
);

/** The sentinels' one length (they are UUIDs): other strings need no hashing to be ruled out. */
const SENTINEL_LENGTH = (() => {
  const lengths = new Set([...UNKNOWN_SENTINELS].map((s) => (s as string).length));
  if (lengths.size !== 1) throw new Error("@pulumi/policy/proxy's sentinels differ in length");
  return [...lengths][0];
})();

/** Whether one value is a sentinel, or an object or array that holds one. */
function isOrHoldsUnknown(value: unknown): boolean {
  if (typeof value === "string")
    return value.length === SENTINEL_LENGTH && UNKNOWN_SENTINELS.has(value);
  return value !== null && typeof value === "object" && holdsUnknown(value);
}

/**
 * True when a sentinel for an unknown value is anywhere in the value. Strings and other primitives
 * (most of a record) are judged in the loop, without a call each.
 */
export function holdsUnknown(value: object): boolean {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (isOrHoldsUnknown(value[i])) return true;
    return false;
  }
  for (const key in value) {
    const child = (value as Record<string, unknown>)[key];
    if (typeof child === "string") {
      if (child.length === SENTINEL_LENGTH && UNKNOWN_SENTINELS.has(child)) return true;
    } else if (child !== null && typeof child === "object" && holdsUnknown(child)) return true;
  }
  return false;
}

/**
 * The props a policy reads, as the engine hands them over: behind `unknownCheckingProxy`, which
 * throws an UnknownValueError where a policy reads an unknown value and otherwise returns what
 * the object holds. Records of a program that ran to completion hold no unknown value, so for them
 * the proxy can never throw and the plain object reads the same; it is used then, since a proxy
 * on every property read (and a new proxy for every nested object read) was a third of a pass.
 */
export function propsFor(value: Record<string, unknown>): Record<string, unknown> {
  return isOrHoldsUnknown(value) ? (unknownCheckingProxy(value) as Record<string, unknown>) : value;
}

/** What `notApplicable` throws: the policy does not judge this resource. */
export class NotApplicable extends Error {}

export const EMPTY_TAGS: ReadonlyMap<string, string> = new Map();

/**
 * What a run gives each policy besides the resource: its config, the clock and its exemptions
 * (methods: ResourceArgs calls them on the extras).
 */
export interface PolicyExtras {
  getConfig<T>(): T;
  readonly now: Date | undefined;
  reportExempted(f: ExemptedFinding): void;
}

function options(r: ResourceRecord): PolicyResourceOptions {
  return {
    protect: r.protect,
    ignoreChanges: [...r.ignoreChanges],
    aliases: [],
    additionalSecretOutputs: [],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    parent: r.parent ?? undefined,
  };
}

export type ProviderResource = PolicyResource["provider"];

/**
 * `{ ...inputs, ...outputs }`. When the outputs already hold every input, first and in the inputs'
 * order (as the mocks return them for most resources), that object has the outputs' keys in the
 * outputs' order and the outputs' values: the outputs themselves are returned then, uncopied
 * (policies only read props).
 */
function overlaid(
  inputs: Record<string, unknown>,
  outputs: Record<string, unknown>,
): Record<string, unknown> {
  const inputKeys = Object.keys(inputs);
  // The outputs' keys in order (records are plain objects: for-in lists what Object.keys does),
  // compared with the inputs' without a second array.
  let i = 0;
  for (const key in outputs) {
    if (i === inputKeys.length || key !== inputKeys[i]) break;
    i++;
  }
  return i === inputKeys.length ? outputs : { ...inputs, ...outputs };
}

/**
 * One custom resource of a run: what both the resource and the stack loops read of it. Its options
 * and its stack view are built when first read: policies read options seldom (only `protect`), and
 * a run without stack policies needs no view.
 */
export class RunResource {
  private builtOpts: PolicyResourceOptions | undefined;
  /** The resource's props for resource policies: its inputs, behind the proxy if one is unknown. */
  readonly props: Record<string, unknown>;

  constructor(
    readonly record: ResourceRecord,
    readonly provider: ProviderResource,
    readonly inputsUnknown: boolean,
  ) {
    this.props = inputsUnknown
      ? (unknownCheckingProxy(record.inputs) as Record<string, unknown>)
      : record.inputs;
  }

  get opts(): PolicyResourceOptions {
    return (this.builtOpts ??= options(this.record));
  }
}

/**
 * The arguments of resource policies' calls on one resource, as the engine builds them, with the
 * runner's extras (`now`, `reportExempted`). A class whose fields are read through from the
 * resource and the extras of the policy being called: one object a resource, whose `extras` the
 * runner moves to each policy before calling it (checks are synchronous and keep nothing of their
 * arguments past their return), and the options built only if read.
 */
export class ResourceArgs {
  constructor(
    private readonly resource: RunResource,
    public extras: PolicyExtras,
  ) {}

  get type(): string {
    return this.resource.record.type;
  }

  get props(): Record<string, unknown> {
    return this.resource.props;
  }

  get urn(): string {
    return this.resource.record.urn;
  }

  get name(): string {
    return this.resource.record.name;
  }

  get provider(): ProviderResource {
    return this.resource.provider;
  }

  get opts(): PolicyResourceOptions {
    return this.resource.opts;
  }

  get stackTags(): ReadonlyMap<string, string> {
    return EMPTY_TAGS;
  }

  get now(): Date | undefined {
    return this.extras.now;
  }

  getConfig<T>(): T {
    return this.extras.getConfig<T>();
  }

  reportExempted(f: ExemptedFinding): void {
    this.extras.reportExempted(f);
  }

  isType(): boolean {
    return false;
  }

  asType(): undefined {
    return undefined;
  }

  notApplicable(reason?: string): never {
    return notApplicable(reason);
  }
}

/**
 * A resource as a stack policy sees it (the engine's PolicyResource for AnalyzeStack): props are
 * the inputs overlaid with the outputs, behind the proxy if either holds an unknown value; parent
 * and dependencies link to the other resources of the stack. Props, options and links are built
 * on first read: most stack policies read the props of a few types only, and none reads links.
 */
export class StackResource {
  private merged: Record<string, unknown> | undefined;
  private linkedDependencies: PolicyResource[] | undefined;
  private linkedPropertyDependencies: Record<string, PolicyResource[]> | undefined;
  readonly type: string;
  readonly urn: string;
  readonly name: string;
  readonly provider: ProviderResource;

  constructor(
    private readonly resource: RunResource,
    private readonly linked: ReadonlyMap<string, PolicyResource>,
  ) {
    const r = resource.record;
    this.type = r.type;
    this.urn = r.urn;
    this.name = r.name;
    this.provider = resource.provider;
  }

  get props(): Record<string, unknown> {
    if (this.merged === undefined) {
      const r = this.resource.record;
      const merged = overlaid(r.inputs, r.outputs);
      // Merged props can hold an unknown value only where their inputs or outputs do.
      this.merged =
        this.resource.inputsUnknown || holdsUnknown(r.outputs) ? propsFor(merged) : merged;
    }
    return this.merged;
  }

  get opts(): PolicyResourceOptions {
    return this.resource.opts;
  }

  get parent(): PolicyResource | undefined {
    const parent = this.resource.record.parent;
    return parent ? this.linked.get(parent) : undefined;
  }

  get dependencies(): PolicyResource[] {
    return (this.linkedDependencies ??= this.resolve(this.resource.record.dependencies));
  }

  get propertyDependencies(): Record<string, PolicyResource[]> {
    if (this.linkedPropertyDependencies === undefined) {
      const out: Record<string, PolicyResource[]> = {};
      const deps = this.resource.record.propertyDependencies;
      for (const k of Object.keys(deps)) out[k] = this.resolve(deps[k]);
      this.linkedPropertyDependencies = out;
    }
    return this.linkedPropertyDependencies;
  }

  isType(): boolean {
    return false;
  }

  asType(): undefined {
    return undefined;
  }

  private resolve(urns: readonly string[]): PolicyResource[] {
    const out: PolicyResource[] = [];
    for (const urn of urns) {
      const d = this.linked.get(urn);
      if (d !== undefined) out.push(d);
    }
    return out;
  }
}

export function notApplicable(reason?: string): never {
  throw new NotApplicable(reason);
}
