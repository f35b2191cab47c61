/**
 * Pulumi mocks with realistic state: resources shaped as AWS shapes them (shapes.ts) and data
 * sources answered deterministically (invokes.ts), in the region of the provider that owns each
 * resource or makes each call, for a fixed account. Answers from a --mocks file come first; an
 * invoke nobody answers stops the program with one line naming it and the way to answer it.
 */
import type * as pulumi from "@pulumi/pulumi";
import { REGIONS, isAllowedRegion } from "../../stacks/regions";
import { ANSWERS, InvokeContext, State, hex, uuidOf } from "./invokes";
import { InvokeAnswer, includes, invokeName } from "./mock-file";
import { SHAPERS, ShapeContext } from "./shapes";

/** The account every mocked resource belongs to (an AWS documentation example id). */
export const MOCK_ACCOUNT_ID = "123456789012";

export interface MockOptions {
  /** The region of the default provider (the stack's `aws:region`). */
  readonly region: string;
  readonly accountId?: string;
  readonly partition?: string;
  /** Override the AZs `getAvailabilityZones` answers, per region (to test scarce accounts). */
  readonly availabilityZones?: Readonly<Record<string, readonly string[]>>;
  /** The outputs of the stacks the program reads with a StackReference, by reference name. */
  readonly stackReferences?: Readonly<Record<string, Record<string, unknown>>>;
  /** Answers from a --mocks file, by invoke token; they win over the engine's own. */
  readonly invokes?: Readonly<Record<string, readonly InvokeAnswer[]>>;
}

/** The SDK reports a failed invoke by the error's `details`, as gRPC errors carry it. */
export class UnansweredInvokeError extends Error {
  readonly details: string;
  constructor(token: string) {
    super(
      `the offline plan has no answer for the invoke ${token} (${invokeName(token)}): give one in a YAML file passed with --mocks, under invokes: ${token}: answer: {...}`,
    );
    this.details = this.message;
  }
}

/** An invoke whose arguments the engine refuses as the provider would; `details` as above. */
class InvokeFailedError extends Error {
  readonly details: string;
  constructor(message: string) {
    super(message);
    this.details = message;
  }
}

export class PlatformMocks implements pulumi.runtime.Mocks {
  readonly account: string;
  readonly partition: string;
  /** Region per provider reference (`urn::id`), learned as providers are created. */
  private readonly providerRegions = new Map<string, string>();

  constructor(private readonly options: MockOptions) {
    this.account = options.accountId ?? MOCK_ACCOUNT_ID;
    this.partition = options.partition ?? "aws";
  }

  private zonesOf(region: string): string[] {
    const override = this.options.availabilityZones?.[region];
    if (override) return [...override];
    if (isAllowedRegion(region)) return [...REGIONS[region].azs];
    return ["a", "b", "c"].map((s) => `${region}${s}`);
  }

  private regionOf(providerRef: string | undefined): string {
    return (providerRef && this.providerRegions.get(providerRef)) || this.options.region;
  }

  newResource(args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult {
    const inputs = (args.inputs ?? {}) as State;
    if (args.type === "pulumi:pulumi:StackReference") {
      const name = String(inputs.name ?? args.name);
      const outputs = this.options.stackReferences?.[name];
      if (!outputs) {
        throw new Error(
          `the offline plan has no outputs for the stack reference "${name}": give them in a YAML file passed with --mocks, under stackReferences: ${name}: {<output>: value}`,
        );
      }
      return { id: name, state: { name, outputs, secretOutputNames: [] } };
    }
    if (args.type.startsWith("pulumi:providers:")) {
      const id = `${args.name}-provider-${hex(args.name, 8)}`;
      return { id, state: inputs };
    }
    const seed = `${args.type}::${args.name}`;
    const ctx: ShapeContext = {
      name: args.name,
      inputs,
      region: typeof inputs.region === "string" ? inputs.region : this.regionOf(args.provider),
      account: this.account,
      partition: this.partition,
      hash: (length) => hex(seed, length),
      uuid: () => uuidOf(seed),
    };
    const shaper = SHAPERS[args.type];
    if (shaper) {
      const { id, state } = shaper(ctx);
      const finalId = args.id || id;
      return { id: finalId, state: { ...inputs, ...state, id: finalId } };
    }
    // An unknown type still gets a plausible id and ARN, so any program can be evaluated.
    const [pkg, mod] = args.type.split(":");
    const service = (mod ?? "resource").split("/")[0];
    const id = args.id || `${args.name}-${hex(seed, 8)}`;
    return {
      id,
      state: {
        arn: `arn:${this.partition}:${service === "index" ? pkg : service}:${ctx.region}:${this.account}:${id}`,
        ...inputs,
        id,
      },
    };
  }

  /** Called by the recorder when a provider is registered, so its region answers its calls. */
  learnProvider(ref: string, inputs: State): void {
    if (typeof inputs.region === "string") this.providerRegions.set(ref, inputs.region);
  }

  call(args: pulumi.runtime.MockCallArgs): pulumi.runtime.MockCallResult {
    const inputs = (args.inputs ?? {}) as State;
    const context: InvokeContext = {
      region: typeof inputs.region === "string" ? inputs.region : this.regionOf(args.provider),
      account: this.account,
      partition: this.partition,
      zones: (region) => this.zonesOf(region),
    };
    const given = this.options.invokes?.[args.token]?.find(
      (a) => a.when === undefined || includes(inputs, a.when),
    );
    const builtIn = ANSWERS[args.token];
    if (!given && !builtIn) throw new UnansweredInvokeError(args.token);
    let answer: State = {};
    if (builtIn) {
      try {
        answer = builtIn(inputs, context);
      } catch (err) {
        // A refusal stands unless the mocks file answers the call itself.
        if (!given) throw new InvokeFailedError((err as Error).message);
      }
    }
    return given ? { ...answer, ...given.answer } : answer;
  }
}
