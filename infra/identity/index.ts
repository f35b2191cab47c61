import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** The account's password rules for the few IAM passwords that may exist (break-glass, console). */
export const PASSWORD_POLICY = {
  minimumPasswordLength: 14,
  requireLowercaseCharacters: true,
  requireUppercaseCharacters: true,
  requireNumbers: true,
  requireSymbols: true,
  allowUsersToChangePassword: true,
  passwordReusePrevention: 24,
  maxPasswordAge: 90,
} as const;

export interface IdentityArgs {
  /** The PHI key: every new EBS volume in the region is encrypted with it. */
  readonly phiKeyArn: pulumi.Input<string>;
  /** Create the account-wide settings here (the primary stack). */
  readonly primary: boolean;
}

/**
 * Identity and account hygiene (164.312(a)(1), 164.312(d), 164.308(a)(5)(ii)(D)). Built so far:
 * the account password policy (primary) and EBS encryption by default with the PHI key (every
 * region). Cognito for patients and care providers and the IT support persona roles follow.
 */
export class Identity extends pulumi.ComponentResource {
  public readonly passwordPolicy?: aws.iam.AccountPasswordPolicy;

  constructor(name: string, args: IdentityArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("ehealth:identity:Identity", name, {}, opts);
    const child = { parent: this };

    // A volume created outside the platform's launch templates is still encrypted, with the PHI key.
    new aws.ebs.EncryptionByDefault(name, { enabled: true }, child);
    new aws.ebs.DefaultKmsKey(name, { keyArn: args.phiKeyArn }, child);

    if (args.primary) {
      this.passwordPolicy = new aws.iam.AccountPasswordPolicy(name, { ...PASSWORD_POLICY }, child);
    }
    this.registerOutputs({});
  }
}
