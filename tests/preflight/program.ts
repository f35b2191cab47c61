/**
 * Small programs for the preflight's rule tests: records shaped as the mock engine shapes them
 * (ids, ARNs, autonames), without running Pulumi, so each case says exactly what it declares.
 */
import { PlatformMocks } from "../../tools/engine/mocks";
import type { ResourceRecord } from "../../tools/engine/recorder";
import { preflight } from "../../tools/preflight";
import { rules } from "../../tools/preflight/rules";
import type { DeployFinding } from "../../tools/preflight/types";

export const ACCOUNT = "123456789012";

export interface AddOptions {
  readonly dependsOn?: readonly ResourceRecord[];
  readonly protect?: boolean;
  readonly retainOnDelete?: boolean;
}

export class Program {
  readonly resources: ResourceRecord[] = [];
  private readonly mocks: PlatformMocks;

  constructor(
    readonly stack = "test",
    readonly region = "eu-west-1",
  ) {
    this.mocks = new PlatformMocks({ region });
  }

  add(
    type: string,
    name: string,
    inputs: Record<string, unknown> = {},
    opts: AddOptions = {},
  ): ResourceRecord {
    const { id, state } = this.mocks.newResource({
      type,
      name,
      inputs,
      provider: "",
      id: "",
      custom: true,
    } as Parameters<PlatformMocks["newResource"]>[0]);
    const record: ResourceRecord = {
      urn: `urn:pulumi:${this.stack}::test::${type}::${name}`,
      id: id ?? null,
      type,
      name,
      custom: true,
      parent: null,
      provider: null,
      protect: opts.protect ?? false,
      retainOnDelete: opts.retainOnDelete ?? false,
      read: false,
      dependencies: (opts.dependsOn ?? []).map((d) => d.urn),
      propertyDependencies: {},
      ignoreChanges: [],
      inputs,
      outputs: state as Record<string, unknown>,
      secretInputs: [],
    };
    this.resources.push(record);
    return record;
  }

  arn(r: ResourceRecord): string {
    return String(r.outputs.arn);
  }
}

/** The findings of one rule on the programs (one account). */
export async function findings(ruleId: string, ...programs: Program[]): Promise<DeployFinding[]> {
  const rule = rules.find((r) => r.id === ruleId);
  if (!rule) throw new Error(`no rule ${ruleId}`);
  const result = await preflight(
    programs.map((p) => ({ stack: p.stack, region: p.region, resources: p.resources })),
    [rule],
  );
  return result.stacks.flatMap((s) => s.deploy);
}

export const doc = (...Statement: Record<string, unknown>[]) =>
  JSON.stringify({ Version: "2012-10-17", Statement });
export const ROOT = `arn:aws:iam::${ACCOUNT}:root`;
/** A key policy statement: the account's IAM decides, for every KMS action. */
export const rootAll = {
  Sid: "Account",
  Effect: "Allow",
  Principal: { AWS: ROOT },
  Action: "kms:*",
  Resource: "*",
};
/** The account may use the key only through one service. */
export const rootVia = (service: string, region = "eu-west-1") => ({
  Sid: "Via",
  Effect: "Allow",
  Principal: { AWS: ROOT },
  Action: "kms:*",
  Resource: "*",
  Condition: { StringEquals: { "kms:ViaService": `${service}.${region}.amazonaws.com` } },
});
export const keyAdmin = {
  Sid: "Admin",
  Effect: "Allow",
  Principal: { AWS: ROOT },
  Action: ["kms:Describe*", "kms:Put*", "kms:Enable*", "kms:Disable*"],
  Resource: "*",
};
