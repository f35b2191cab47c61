import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PERSONA_NAMES, PersonaName } from "../../stacks/config";
import { ServiceProviders, stackCreates } from "../organization";
import { portalSignIn } from "./cognito";
import {
  PERSONA_DESCRIPTIONS,
  PERSONA_SESSION_SECONDS,
  PersonaContext,
  personaBoundary,
  personaPolicy,
  personaTrust,
  principalArns,
} from "./personas";

export { TOKEN_VALIDITY, USER_GROUPS, USER_POOL_PASSWORD_POLICY, domainPrefix } from "./cognito";
export * from "./personas";

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

/** The IAM role name of a persona: fixed, so the break-glass alarm can name it before it exists. */
export function personaRoleName(prefix: string, persona: PersonaName): string {
  return `${prefix}-${persona.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

export interface IdentityArgs {
  readonly partition: string;
  readonly accountId: string;
  /** The PHI key: every new EBS volume in the region is encrypted with it. */
  readonly phiKeyArn: pulumi.Input<string>;
  /** Create the account-wide settings and the IT support roles here (the primary stack). */
  readonly primary: boolean;
  /** The application's URL: the sign-in client redirects only there. */
  readonly appUrl: string;
  /** Who may assume each persona; a persona with no one is not created. */
  readonly personas: Readonly<Record<PersonaName, readonly string[]>>;
  /** The document buckets of both regions, out of every persona's reach but break-glass. */
  readonly phiBucketArns: pulumi.Input<string[]>;
  /** Protect and retain the user pool. @default true */
  readonly protect?: boolean;
  /**
   * Who provides EBS encryption by default and the account password policy: those the organization
   * provides are not created here. @default every one "stack"
   */
  readonly organizationServices?: Partial<ServiceProviders>;
}

/**
 * Identity and account hygiene (164.312(a)(1), 164.312(d), 164.308(a)(5)(ii)(D)): the Cognito
 * sign-in for patients and care providers (every region); EBS encryption by default with the PHI
 * key (every region); in the primary, the account password policy and the IT support persona roles.
 * EBS encryption by default and the password policy are left out where the organization provides
 * them (`organizationServices`).
 */
export class Identity extends pulumi.ComponentResource {
  public readonly passwordPolicy?: aws.iam.AccountPasswordPolicy;
  public readonly userPool: aws.cognito.UserPool;
  public readonly webClient: aws.cognito.UserPoolClient;
  public readonly authDomain: aws.cognito.UserPoolDomain;
  public readonly personaRoles: Partial<Record<PersonaName, aws.iam.Role>> = {};

  constructor(name: string, args: IdentityArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("ehealth:identity:Identity", name, {}, opts);
    const child = { parent: this };

    // A volume created outside the platform's launch templates is still encrypted, with the PHI key.
    if (stackCreates(args.organizationServices, "ebsDefaultEncryption")) {
      new aws.ebs.EncryptionByDefault(name, { enabled: true }, child);
      new aws.ebs.DefaultKmsKey(name, { keyArn: args.phiKeyArn }, child);
    }

    const signIn = portalSignIn(this, name, {
      appUrl: args.appUrl,
      accountId: args.accountId,
      protect: args.protect ?? true,
    });
    this.userPool = signIn.pool;
    this.webClient = signIn.client;
    this.authDomain = signIn.domain;

    if (args.primary) {
      if (stackCreates(args.organizationServices, "passwordPolicy")) {
        this.passwordPolicy = new aws.iam.AccountPasswordPolicy(
          name,
          { ...PASSWORD_POLICY },
          child,
        );
      }
      for (const persona of PERSONA_NAMES) {
        if (args.personas[persona].length === 0) continue;
        this.personaRoles[persona] = this.personaRole(name, persona, args);
      }
    }
    this.registerOutputs({ userPoolId: this.userPool.id, webClientId: this.webClient.id });
  }

  private personaRole(name: string, persona: PersonaName, args: IdentityArgs): aws.iam.Role {
    const child = { parent: this };
    const roleName = personaRoleName(name, persona);
    const ctx = pulumi
      .output(args.phiBucketArns)
      .apply((arns): PersonaContext => ({ ...args, phiBucketArns: arns }));
    const boundary = new aws.iam.Policy(
      `${roleName}-boundary`,
      {
        name: `${roleName}-boundary`,
        description: `Permission boundary of the ${persona} persona`,
        policy: ctx.apply((c) => JSON.stringify(personaBoundary(persona, c))),
        tags: { Name: `${roleName}-boundary` },
      },
      child,
    );
    const role = new aws.iam.Role(
      roleName,
      {
        name: roleName,
        description: PERSONA_DESCRIPTIONS[persona],
        assumeRolePolicy: JSON.stringify(
          personaTrust(principalArns(args.personas[persona], args), args),
        ),
        maxSessionDuration: PERSONA_SESSION_SECONDS,
        permissionsBoundary: boundary.arn,
        tags: {
          Name: roleName,
          Persona: persona,
          ...(persona === "breakGlass" ? { BreakGlass: "true" } : {}),
        },
      },
      child,
    );
    if (persona === "breakGlass") {
      new aws.iam.RolePolicyAttachment(
        roleName,
        { role: role.name, policyArn: `arn:${args.partition}:iam::aws:policy/AdministratorAccess` },
        child,
      );
    } else {
      new aws.iam.RolePolicy(
        roleName,
        { role: role.id, policy: ctx.apply((c) => JSON.stringify(personaPolicy(persona, c))) },
        child,
      );
    }
    return role;
  }
}
