/**
 * The policies a stack records, as the simulator takes them: a role's identity policies and
 * permission boundary, a key's policy, a bucket's policy, a trust policy. Read from the evaluated
 * stacks (the same records the plan and the pack see), never rebuilt from the infra's functions.
 *
 * AWS managed policies are not recorded by a program: AdministratorAccess is modelled (its
 * document is `Allow * on *`); any other managed policy a role carries is left out, and a row that
 * would depend on one says so.
 *
 * `Recorded` reads any set of records: an evaluated stack, or the resources a component registered
 * when a test built it in-process.
 */
import { expect } from "chai";
import type { ResourceRecord } from "../../tools/engine/recorder";
import { Decision, PolicyDoc, simulate, type Context } from "../../tools/preflight/iam/simulate";
import { PROJECT_DIR, type Evaluation } from "../../tools/engine";
import * as path from "node:path";
import { stack, stackWith } from "../helpers";

export const ACCOUNT = "123456789012";
export const ADMIN: PolicyDoc = {
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }],
};
/** AWS managed policies whose documents the tables model. */
const MANAGED: Readonly<Record<string, PolicyDoc>> = { AdministratorAccess: ADMIN };

let research: Promise<Evaluation> | undefined;
/** Ireland with the research example's two enclaves (examples/research/Pulumi.ireland.yaml). */
export function researchStack(): Promise<Evaluation> {
  research ??= stackWith("ireland", {
    configFile: path.join(PROJECT_DIR, "examples", "research", "Pulumi.ireland.yaml"),
  });
  return research;
}
export { stack };

const json = (v: unknown): PolicyDoc => JSON.parse(String(v)) as PolicyDoc;

export class Recorded {
  constructor(readonly evaluation: { readonly resources: readonly ResourceRecord[] }) {}

  /** The one record of a type with this name (a grant, an endpoint, a topic). */
  one(type: string, name: string): ResourceRecord {
    const found = this.evaluation.resources.filter((r) => r.type === type && r.name === name);
    if (found.length !== 1)
      throw new Error(`expected one ${type} named ${name}, found ${found.length}`);
    return found[0];
  }

  private byValue(type: string, value: unknown): ResourceRecord[] {
    return this.evaluation.resources.filter(
      (r) => r.type === type && [r.id, r.outputs.arn, r.outputs.name].includes(value as string),
    );
  }

  arn(type: string, name: string): string {
    return String(this.one(type, name).outputs.arn);
  }

  keyArn(name: string): string {
    return this.arn("aws:kms/key:Key", name);
  }

  keyPolicy(name: string): PolicyDoc {
    return json(this.one("aws:kms/key:Key", name).inputs.policy);
  }

  bucket(name: string): { arn: string; policy: PolicyDoc } {
    const bucket = this.one("aws:s3/bucket:Bucket", name);
    const policies = this.evaluation.resources.filter(
      (r) =>
        r.type === "aws:s3/bucketPolicy:BucketPolicy" && r.inputs.bucket === bucket.outputs.bucket,
    );
    expect(policies, `the policy of bucket ${name}`).to.have.length(1);
    return { arn: String(bucket.outputs.arn), policy: json(policies[0].inputs.policy) };
  }

  /** A role: its ARN, trust policy, identity policies (inline and modelled managed ones) and boundary. */
  role(name: string): {
    arn: string;
    trust: PolicyDoc;
    identity: PolicyDoc[];
    boundary?: PolicyDoc[];
  } {
    const role = this.one("aws:iam/role:Role", name);
    const arn = String(role.outputs.arn);
    const inline = this.evaluation.resources
      .filter(
        (r) =>
          r.type === "aws:iam/rolePolicy:RolePolicy" &&
          [role.id, role.outputs.name].includes(r.inputs.role as string),
      )
      .map((r) => json(r.inputs.policy));
    const managed = [
      ...((role.inputs.managedPolicyArns as string[] | undefined) ?? []),
      ...this.evaluation.resources
        .filter(
          (r) =>
            r.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment" &&
            [role.id, role.outputs.name].includes(r.inputs.role as string),
        )
        .map((r) => String(r.inputs.policyArn)),
    ]
      .map((a) => MANAGED[a.split("/").pop()!])
      .filter((p): p is PolicyDoc => !!p);
    const boundaryArn = role.inputs.permissionsBoundary;
    const boundary = boundaryArn
      ? this.byValue("aws:iam/policy:Policy", boundaryArn).map((p) => json(p.inputs.policy))
      : undefined;
    if (boundaryArn) expect(boundary, `the boundary of ${name}`).to.have.length(1);
    return {
      arn,
      trust: json(role.inputs.assumeRolePolicy),
      identity: [...inline, ...managed],
      ...(boundary ? { boundary } : {}),
    };
  }

  /** A request by one of the recorded roles: its ARN, its own policies and its boundary. */
  as(name: string, context: Context = {}): Requester {
    const r = this.role(name);
    return {
      principal: r.arn,
      identity: r.identity,
      boundary: r.boundary,
      context: { "aws:PrincipalArn": r.arn, ...context },
    };
  }

  /**
   * An IAM principal, its own IAM allowing it, assumes a recorded role: the role's trust policy
   * decides, with MFA (five minutes old) or without.
   */
  assumed(name: string, from: string, mfa: boolean): Omit<Row, "says" | "expect"> {
    const role = this.role(name);
    return {
      ...allowedByIam(from, {
        "aws:MultiFactorAuthPresent": String(mfa),
        ...(mfa ? { "aws:MultiFactorAuthAge": "300" } : {}),
      }),
      action: "sts:AssumeRole",
      resource: role.arn,
      resourcePolicy: role.trust,
    };
  }

  /** The id of the S3 gateway endpoint of a VPC component (an enclave's network). */
  endpointId(name: string): string {
    return String(this.one("aws:ec2/vpcEndpoint:VpcEndpoint", name).id);
  }

  /** A VPC endpoint's policy, as a request through it is judged (`aws:SourceVpce` is its id). */
  endpointPolicy(name: string): PolicyDoc {
    return json(this.one("aws:ec2/vpcEndpoint:VpcEndpoint", name).inputs.policy);
  }

  /** A topic: its ARN and its policy. */
  topic(name: string): { arn: string; policy: PolicyDoc } {
    const topic = this.one("aws:sns/topic:Topic", name);
    const policies = this.evaluation.resources.filter(
      (r) => r.type === "aws:sns/topicPolicy:TopicPolicy" && r.inputs.arn === topic.outputs.arn,
    );
    expect(policies, `the policy of topic ${name}`).to.have.length(1);
    return { arn: String(topic.outputs.arn), policy: json(policies[0].inputs.policy) };
  }
}

/** Who makes a request, with what policies of their own, what they send, and through which endpoint. */
export type Requester = Pick<Row, "principal" | "identity" | "boundary" | "context" | "endpoint">;

/** A principal whose IAM policies allow everything: only the resource's policy can refuse it. */
export function allowedByIam(principal: string, context: Context = {}): Requester {
  return { principal, identity: [ADMIN], context: { "aws:PrincipalArn": principal, ...context } };
}

/**
 * The decision a row expects: "Denied" accepts either denial; "ExplicitlyDenied" (a deny statement
 * matched) and "ImplicitlyDenied" (nothing allowed it) say which.
 */
export type Expect = "Allowed" | "Denied" | "ExplicitlyDenied" | "ImplicitlyDenied";

/** One simulated request and the decision AWS should make. */
export interface Row {
  readonly says: string;
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  /** The account that owns the resource. @default the account in the resource's or principal's ARN */
  readonly resourceAccount?: string;
  readonly context?: Context;
  readonly identity?: readonly PolicyDoc[];
  readonly resourcePolicy?: PolicyDoc;
  readonly boundary?: readonly PolicyDoc[];
  /** The policies of the VPC endpoint the request travels through. */
  readonly endpoint?: readonly PolicyDoc[];
  readonly expect: Expect;
}

/** Runs a row: the decision, and no context key the action does not take (a typo would pass silently). */
export async function decide(row: Row): Promise<Decision> {
  const result = await simulate({
    principal: row.principal,
    action: row.action,
    resource: row.resource,
    resourceAccount: row.resourceAccount,
    context: row.context,
    identityPolicies: row.identity,
    resourcePolicy: row.resourcePolicy,
    permissionBoundaries: row.boundary,
    vpcEndpointPolicies: row.endpoint,
  });
  expect(
    result.ignoredContextKeys,
    `${row.says}: context keys ${row.action} does not take`,
  ).to.deep.equal([]);
  return result.decision;
}

/**
 * The request with the policies under test replaced by ones that allow the principal everything
 * (and no endpoint or boundary in the way): a denial that survives this comes from the request.
 */
export function opened(row: Row): Row {
  const iam = row.principal.startsWith("arn:");
  return {
    ...row,
    identity: iam ? [ADMIN] : [],
    boundary: undefined,
    endpoint: undefined,
    resourcePolicy: {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: iam ? { AWS: row.principal } : { Service: row.principal },
          Action: "*",
          Resource: "*",
        },
      ],
    },
  };
}

/** The decision as the row states it: exact when the row names the kind of denial. */
export function judged(decision: Decision, expected: Expect = "Denied"): Expect {
  if (expected === "ExplicitlyDenied" || expected === "ImplicitlyDenied") return decision;
  return decision === "Allowed" ? "Allowed" : "Denied";
}

/** A row as the table declares it: the sentence and the decision, and how to build the request. */
export interface RowSpec<T> {
  readonly says: string;
  readonly expect: Expect;
  readonly request: (from: T) => Omit<Row, "says" | "expect">;
}

/** Registers one mocha test per row, each a request simulated against the recorded policies. */
export function table<T>(
  title: string,
  source: () => Promise<T>,
  rows: readonly RowSpec<T>[],
): void {
  describe(title, () => {
    let from: T;
    before(async () => {
      from = await source();
    });
    for (const row of rows) {
      it(`${row.says} → ${row.expect}`, async () => {
        const request = { ...row.request(from), says: row.says, expect: row.expect };
        expect(
          judged(await decide(request), row.expect),
          `${row.says} (${request.action} on ${request.resource})`,
        ).to.equal(row.expect);
        if (row.expect !== "Allowed") {
          // A denial must come from the recorded policies, not from the request: with them
          // replaced by policies that allow this principal everything, the same request is allowed.
          expect(
            judged(await decide(opened(request))),
            `${row.says}: denied even when every policy allows it, so the row cannot fail`,
          ).to.equal("Allowed");
        }
      });
    }
  });
}
