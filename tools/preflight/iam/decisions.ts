/**
 * A simulation whose decision simulate.ts will not read: iam-simulate's `runSimulation` validates
 * the request and lists the context keys it ignores, then decides (its core engine's `authorize`).
 * A request with a key the library mishandles (a `kms:EncryptionContext:<key>`, a key typed by
 * another service) is run twice by simulate.ts: once for the validation and the ignored keys, and
 * again, with the keys the library dropped, by `runUnsafeSimulation`, whose decision is the answer.
 * The first run's decision was thrown away, and deciding is most of a simulation (--cpu-prof of the
 * preflight at 50 research enclaves: `authorize` 1.6 s of `runSimulation`'s 1.7 s; about 950 of the
 * 2,450 simulations there carry an encryption context).
 *
 * The library's `authorize` is replaced, in the module its two engines call it through, by one that
 * answers a request marked by `withoutDecision` with a placeholder and hands every other request to
 * the library's own function. The mark travels in the one setting `runSimulation` passes to
 * `authorize` untouched (`additionalSettings.s3.blockPublicAccess`, read by nothing before it): a
 * value no caller gives, so no unmarked request is answered by the placeholder, and simulate.ts
 * removes it before any run whose decision it reads.
 */
import * as path from "node:path";
import type { Simulation } from "@cloud-copilot/iam-simulate";

interface AuthorizeArgs {
  readonly serviceSettings?: { readonly s3?: { readonly blockPublicAccess?: unknown } };
}

type Authorize = (args: AuthorizeArgs) => unknown;

interface CoreEngineModule {
  authorize: Authorize;
}

/** The mark: an object of this module's, never a setting's value (a boolean). */
const UNDECIDED = Object.freeze({ decision: "not read" });

/** What a marked request's `authorize` answers (the engine reads only its `result`). */
const PLACEHOLDER = Object.freeze({ result: "ImplicitlyDenied", skipped: true });

const WRAPPED = Symbol("ehealth.skipsMarked");

/** `own`, except for a request `withoutDecision` marked. */
export function skippingMarked(own: Authorize): Authorize {
  const wrapper: Authorize = (args) =>
    args?.serviceSettings?.s3?.blockPublicAccess === UNDECIDED ? PLACEHOLDER : own(args);
  return Object.assign(wrapper, { [WRAPPED]: own });
}

/** The library's own function behind a wrapper (the function itself when not wrapped). */
export function ownAuthorize(f: Authorize): Authorize {
  return (f as Authorize & { [WRAPPED]?: Authorize })[WRAPPED] ?? f;
}

/** The CommonJS module of iam-simulate's core engine, whose `authorize` its engines call. */
export function coreEngineModule(): CoreEngineModule {
  const entry = require.resolve("@cloud-copilot/iam-simulate");
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(
    path.join(path.dirname(entry), "core_engine", "CoreSimulatorEngine.js"),
  ) as CoreEngineModule;
}

/** Wraps the library's `authorize` once per process; returns its module. */
export function skipMarkedDecisions(): CoreEngineModule {
  const mod = coreEngineModule();
  const own = mod.authorize;
  if (typeof own === "function" && ownAuthorize(own) === own) mod.authorize = skippingMarked(own);
  return mod;
}

/**
 * The simulation, marked: `runSimulation` validates it and lists the keys it ignores as it would,
 * and its decision is a placeholder. Only for a simulation that sets no s3 settings of its own.
 */
export function withoutDecision(simulation: Simulation): Simulation {
  return {
    ...simulation,
    additionalSettings: { s3: { blockPublicAccess: UNDECIDED as unknown as boolean } },
  };
}
