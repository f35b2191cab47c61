/**
 * Access decisions as AWS makes them, by @cloud-copilot/iam-simulate: identity policies, the
 * resource's policy (a bucket policy, a key policy) and the request's context. A request the
 * simulator refuses to evaluate, or a context key it ignored, fails the test instead of passing it.
 */
import { runSimulation } from "@cloud-copilot/iam-simulate";
import type { PolicyDocument } from "../../infra/iam";

export type Decision = "Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied";

export interface AccessRequest {
  /** The principal's ARN (a role, a user, or a service principal such as backup.amazonaws.com). */
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  /** The account that owns the resource. */
  readonly resourceAccount: string;
  readonly context?: Readonly<Record<string, string | string[]>>;
}

export interface AccessPolicies {
  /** The principal's identity policies. @default none */
  readonly identity?: readonly PolicyDocument[];
  /** The resource's own policy (bucket or key policy). @default none */
  readonly resource?: PolicyDocument;
}

/** A principal's identity policy that allows everything: what a deployment role usually has. */
export const ALLOW_ALL: PolicyDocument = {
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }],
};

export async function decide(request: AccessRequest, policies: AccessPolicies): Promise<Decision> {
  const response = await runSimulation(
    {
      request: {
        principal: request.principal,
        action: request.action,
        resource: { resource: request.resource, accountId: request.resourceAccount },
        contextVariables: { ...(request.context ?? {}) },
      },
      identityPolicies: (policies.identity ?? []).map((policy, i) => ({
        name: `identity-${i}`,
        policy,
      })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(policies.resource ? { resourcePolicy: policies.resource } : {}),
    },
    {},
  );
  if (response.resultType === "error") {
    throw new Error(`the simulator refused the request: ${JSON.stringify(response.errors)}`);
  }
  if (response.resultType !== "single") {
    throw new Error(`expected one resource, the simulator matched several: ${request.resource}`);
  }
  const ignored = response.result.ignoredContextKeys ?? [];
  if (ignored.length > 0) {
    throw new Error(
      `the simulator ignored context keys ${ignored.join(", ")} of ${request.action}`,
    );
  }
  return response.overallResult as Decision;
}
