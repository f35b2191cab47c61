/**
 * Customer-managed KMS keys. A key is customer-managed when the program creates it or names it by
 * an id, ARN or alias outside `alias/aws/`: an omitted key means the service's AWS-managed or
 * AWS-owned key, and `alias/aws/<service>` names the AWS-managed one, whose key policy the account
 * cannot change. AWS: "AWS KMS keys", https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#key-mgmt
 */

export type KeyVerdict = "customer" | "aws-managed" | "missing";

const AWS_MANAGED_ALIAS = /(^|:)alias\/aws\//i;

export function keyVerdict(value: unknown): KeyVerdict {
  if (value === undefined || value === null) return "missing";
  if (typeof value !== "string") return "customer";
  if (value.trim() === "") return "missing";
  return AWS_MANAGED_ALIAS.test(value.trim()) ? "aws-managed" : "customer";
}

/** What to tell the author when a key is not customer-managed. */
export function keyProblem(name: string, property: string, value: unknown): string | undefined {
  const verdict = keyVerdict(value);
  if (verdict === "customer") return undefined;
  return verdict === "missing"
    ? `${name} names no KMS key in ${property}, so AWS encrypts it with a key the account does not control: set ${property} to the ARN of a customer-managed KMS key`
    : `${name} names the AWS-managed key ${String(value)} in ${property}, whose key policy the account cannot change: set ${property} to the ARN of a customer-managed KMS key`;
}
