/**
 * iam-simulate (0.1.173) asks `getResourceTypesForAction(service, action, resource)` (its
 * simulation_engine/resourceTypes.js) at least twice for every simulation: once to find the keys a
 * request may carry (`allowedContextKeysForRequest`, which simulate.ts also asks) and once to pick
 * the resource type it simulates. Each answer matches the resource's ARN against every ARN pattern
 * the action documents (iam-utils' `mostSpecificMatchingResourceTypePatterns`): at 50 research
 * enclaves that matching was a sixth of the preflight's CPU time (--cpu-prof: 0.86 s of 4.7 s).
 *
 * The answer depends on its three strings and on iam-data, which is fixed for the process, so the
 * function is replaced, in the module the library's own code calls it through, by one that asks
 * the library once per (service, action, resource) and answers with that promise after. A refusal
 * (an unknown action, a wildcard-only one) is not kept: the next call asks the library again.
 * Callers read the answer and copy it before changing it (`.map`), as they do the library's own.
 */
import * as path from "node:path";
import { AnswerCache } from "../answers";

type ResourceTypes = (service: string, action: string, resource: string) => Promise<unknown[]>;

interface ResourceTypesModule {
  getResourceTypesForAction: ResourceTypes;
}

/** Past this many answers the memo starts over (bounded memory in a long test run). */
const MAX_MEMOIZED = 8192;

const MEMOIZED = Symbol("ehealth.memoized");

/** `own`, answering each (service, action, resource) from its first answer. */
export function memoizedResourceTypes(own: ResourceTypes): ResourceTypes {
  const answers = new AnswerCache<string, Promise<unknown[]>>(MAX_MEMOIZED);
  const wrapper: ResourceTypes = (service, action, resource) => {
    if (typeof service !== "string" || typeof action !== "string" || typeof resource !== "string")
      return own(service, action, resource);
    return answers.answer(`${service}\n${action}\n${resource}`, () =>
      own(service, action, resource),
    );
  };
  return Object.assign(wrapper, { [MEMOIZED]: own });
}

/** The library's own function behind a memoized one (the function itself when not memoized). */
export function ownResourceTypes(f: ResourceTypes): ResourceTypes {
  return (f as ResourceTypes & { [MEMOIZED]?: ResourceTypes })[MEMOIZED] ?? f;
}

/** The CommonJS module of iam-simulate whose function its simulation and context keys call. */
export function resourceTypesModule(): ResourceTypesModule {
  const entry = require.resolve("@cloud-copilot/iam-simulate");
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(
    path.join(path.dirname(entry), "simulation_engine", "resourceTypes.js"),
  ) as ResourceTypesModule;
}

/** Memoizes the library's resource-type lookup once per process; returns its module. */
export function memoizeResourceTypes(): ResourceTypesModule {
  const mod = resourceTypesModule();
  const own = mod.getResourceTypesForAction;
  if (typeof own === "function" && ownResourceTypes(own) === own)
    mod.getResourceTypesForAction = memoizedResourceTypes(own);
  return mod;
}
