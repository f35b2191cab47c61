/** IAM policy document types shared by the components' pure policy builders. */

export type Principal =
  "*" | { readonly AWS?: string | string[]; readonly Service?: string | string[] };

export type Conditions = Readonly<Record<string, Readonly<Record<string, string | string[]>>>>;

export interface Statement {
  readonly Sid?: string;
  readonly Effect: "Allow" | "Deny";
  readonly Principal?: Principal;
  readonly Action?: string | string[];
  /** Every action but these (a Deny with NotAction refuses all the others). */
  readonly NotAction?: string | string[];
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

/**
 * The trust policy of a role that only an AWS service may assume; with an account, only for that
 * account's resources (aws:SourceAccount, against the confused deputy).
 */
export function serviceTrust(
  service: string,
  sourceAccount?: string,
  conditions: Conditions = {},
): string {
  return JSON.stringify(
    policyDocument([
      {
        Effect: "Allow",
        Principal: { Service: service },
        Action: "sts:AssumeRole",
        ...(sourceAccount || Object.keys(conditions).length
          ? {
              Condition: {
                ...conditions,
                ...(sourceAccount
                  ? {
                      StringEquals: {
                        ...conditions.StringEquals,
                        "aws:SourceAccount": sourceAccount,
                      },
                    }
                  : {}),
              },
            }
          : {}),
      },
    ]),
  );
}
