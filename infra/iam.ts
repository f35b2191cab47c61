/** IAM policy document types shared by the components' pure policy builders. */

export type Principal =
  "*" | { readonly AWS?: string | string[]; readonly Service?: string | string[] };

export type Conditions = Readonly<Record<string, Readonly<Record<string, string | string[]>>>>;

export interface Statement {
  readonly Sid?: string;
  readonly Effect: "Allow" | "Deny";
  readonly Principal?: Principal;
  readonly Action: string | string[];
  readonly Resource?: string | string[];
  readonly Condition?: Conditions;
}

export interface PolicyDocument {
  readonly Version: "2012-10-17";
  readonly Statement: Statement[];
}

export function policyDocument(statements: Statement[]): PolicyDocument {
  return { Version: "2012-10-17", Statement: statements };
}

/** The ARN of an account's root principal, which delegates to the account's IAM policies. */
export function accountRoot(partition: string, accountId: string): string {
  return `arn:${partition}:iam::${accountId}:root`;
}
