/**
 * Building blocks for policy tests: resources as the engine records them, with predictable ids
 * (`<name>-id`) and ARNs so fixtures can refer to each other, and mutations that change one thing.
 */
import { ResourceRecord } from "../../tools/engine";

export interface ResourceOptions {
  readonly protect?: boolean;
  readonly stack?: string;
  readonly provider?: string;
  readonly outputs?: Record<string, unknown>;
}

export function res(
  type: string,
  name: string,
  inputs: Record<string, unknown>,
  options: ResourceOptions = {},
): ResourceRecord {
  const stack = options.stack ?? "test";
  return {
    urn: `urn:pulumi:${stack}::fixture::${type}::${name}`,
    id: `${name}-id`,
    type,
    name,
    custom: true,
    parent: null,
    provider: options.provider ?? null,
    protect: options.protect ?? false,
    retainOnDelete: false,
    read: false,
    dependencies: [],
    propertyDependencies: {},
    ignoreChanges: [],
    inputs,
    outputs: {
      ...inputs,
      id: `${name}-id`,
      arn: `arn:aws:test:eu-west-1:123456789012:${name}`,
      ...options.outputs,
    },
    secretInputs: [],
  };
}

export type Fixture = readonly ResourceRecord[];
export type Mutation = (fixture: Fixture) => ResourceRecord[];

function setPath(
  target: Record<string, unknown>,
  path: string,
  value: unknown,
): Record<string, unknown> {
  const copy = structuredClone(target);
  const keys = path.split(".");
  let node: Record<string, unknown> = copy;
  for (const key of keys.slice(0, -1)) {
    node[key] = typeof node[key] === "object" && node[key] !== null ? node[key] : {};
    node = node[key] as Record<string, unknown>;
  }
  const last = keys[keys.length - 1];
  if (value === undefined) delete node[last];
  else node[last] = value;
  return copy;
}

/** Sets (or, with undefined, removes) one input of one resource; outputs follow the inputs. */
export function set(name: string, path: string, value: unknown): Mutation {
  return (fixture) => {
    if (!fixture.some((r) => r.name === name))
      throw new Error(`no resource ${name} in the fixture`);
    return fixture.map((r) =>
      r.name === name
        ? { ...r, inputs: setPath(r.inputs, path, value), outputs: setPath(r.outputs, path, value) }
        : r,
    );
  };
}

export function drop(name: string): Mutation {
  return (fixture) => {
    if (!fixture.some((r) => r.name === name))
      throw new Error(`no resource ${name} in the fixture`);
    return fixture.filter((r) => r.name !== name);
  };
}

export function add(...resources: ResourceRecord[]): Mutation {
  return (fixture) => [...fixture, ...resources];
}

export function protect(name: string, value: boolean): Mutation {
  return (fixture) => fixture.map((r) => (r.name === name ? { ...r, protect: value } : r));
}

export function both(...mutations: Mutation[]): Mutation {
  return (fixture) => mutations.reduce<ResourceRecord[]>((acc, m) => m(acc), [...fixture]);
}
