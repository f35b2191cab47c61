/**
 * `--mocks <file.yaml>`: answers a program needs that the engine cannot know offline — invokes it
 * does not answer (or answers with stand-ins) and the outputs of the stacks the program reads
 * through a StackReference. Validated with zod; every problem is one line naming the place.
 *
 *   invokes:
 *     aws:rds/getEngineVersion:getEngineVersion:   # the token, as the plan's message names it
 *       answer: { version: "16.4" }
 *     aws.ec2.getVpc:                                # or the function as the program calls it
 *       - when: { tags: { Name: shared } }           # only calls whose arguments include these
 *         answer: { id: vpc-0123456789abcdef0, cidrBlock: 10.1.0.0/16 }
 *   stackReferences:
 *     acme/network/prod:                             # the name the program gives StackReference
 *       vpcId: vpc-0123456789abcdef0
 */
import type * as Zod from "zod";
import { StackConfigFileError, readYaml, shown } from "./yaml";

export interface InvokeAnswer {
  /** Answer only calls whose arguments include these values. @default every call */
  readonly when?: Readonly<Record<string, unknown>>;
  readonly answer: Readonly<Record<string, unknown>>;
}

export interface MockFile {
  /** By invoke token (`aws:ec2/getVpc:getVpc`), the first matching answer wins. */
  readonly invokes: Readonly<Record<string, readonly InvokeAnswer[]>>;
  readonly stackReferences: Readonly<Record<string, Record<string, unknown>>>;
}

const TOKEN = /^[a-z][a-z0-9-]*:[A-Za-z0-9_/.-]+:[A-Za-z0-9_]+$/;
const DOTTED = /^([a-z][a-z0-9-]*)\.(?:([a-zA-Z0-9]+)\.)?([a-zA-Z][A-Za-z0-9]*)$/;

/** The token of an invoke named either way: `aws.ec2.getVpc` is `aws:ec2/getVpc:getVpc`. */
export function invokeToken(name: string): string | undefined {
  if (TOKEN.test(name)) return name;
  const dotted = DOTTED.exec(name);
  if (!dotted) return undefined;
  const [, pkg, mod, fn] = dotted;
  return `${pkg}:${mod ?? "index"}/${fn}:${fn}`;
}

/** The name a program calls an invoke by: `aws:ec2/getVpc:getVpc` is `aws.ec2.getVpc`. */
export function invokeName(token: string): string {
  const [pkg, mod] = token.split(":");
  const [module, fn] = (mod ?? "").split("/");
  return module === "index" || !fn ? `${pkg}.${fn ?? module}` : `${pkg}.${module}.${fn}`;
}

/**
 * The file's schema, built on first use: zod is a tenth of a second to load, and the plan's main
 * thread reaches its workers sooner without it when no --mocks file is given.
 */
function schemaOf() {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { z } = require("zod") as typeof Zod;
  const object = z.record(z.string(), z.unknown());
  const answer = z.strictObject({ when: object.optional(), answer: object });
  return z.strictObject({
    invokes: z.record(z.string(), z.union([answer, z.array(answer).min(1)])).optional(),
    stackReferences: z.record(z.string(), object).optional(),
  });
}

/** Reads and checks a mocks file. */
export function loadMockFile(file: string): MockFile {
  const doc = readYaml(file);
  const parsed = schemaOf().safeParse(doc);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue.path.map(String).join(".");
    throw new StackConfigFileError(
      `mocks file ${shown(file)}: ${where ? `${where}: ` : ""}${issue.message.replace(/\n/g, " ")} (it takes invokes: {<token>: {when?, answer}} and stackReferences: {<name>: {<output>: value}})`,
    );
  }
  const invokes: Record<string, InvokeAnswer[]> = {};
  for (const [name, given] of Object.entries(parsed.data.invokes ?? {})) {
    const token = invokeToken(name);
    if (!token)
      throw new StackConfigFileError(
        `mocks file ${shown(file)}: invokes.${name} is not an invoke: name it by its token (aws:ec2/getVpc:getVpc) or as the program calls it (aws.ec2.getVpc)`,
      );
    invokes[token] = [...(invokes[token] ?? []), ...(Array.isArray(given) ? given : [given])];
  }
  return { invokes, stackReferences: parsed.data.stackReferences ?? {} };
}

/** Whether `actual` has every value `expected` names (objects compared member by member). */
export function includes(actual: unknown, expected: unknown): boolean {
  if (expected && typeof expected === "object" && !Array.isArray(expected)) {
    if (!actual || typeof actual !== "object" || Array.isArray(actual)) return false;
    return Object.entries(expected).every(([k, v]) =>
      includes((actual as Record<string, unknown>)[k], v),
    );
  }
  if (Array.isArray(expected)) {
    return (
      Array.isArray(actual) &&
      actual.length === expected.length &&
      expected.every((v, i) => includes(actual[i], v))
    );
  }
  return actual === expected;
}
