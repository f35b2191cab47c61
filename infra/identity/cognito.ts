/**
 * Sign-in for patients and care providers: a Cognito user pool that demands TOTP MFA, enforces
 * threat protection, keeps 14-character passwords, and issues short-lived tokens to a public web
 * client through the authorization code flow with PKCE (164.312(d), 164.312(a)(2)(iii)).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export const USER_GROUPS = {
  "care-providers": "Clinicians and staff: every patient's data, messages with hospitals",
  patients: "Patients: their own records, results, appointments and visits",
} as const;

/** Token lifetimes: access and ID tokens for a short visit, a refresh for one working day. */
export const TOKEN_VALIDITY = { accessMinutes: 15, idMinutes: 15, refreshHours: 12 } as const;

export const USER_POOL_PASSWORD_POLICY = {
  minimumLength: 14,
  requireLowercase: true,
  requireUppercase: true,
  requireNumbers: true,
  requireSymbols: true,
  temporaryPasswordValidityDays: 3,
  passwordHistorySize: 24,
} as const;

export interface UserPoolArgs {
  /** The application's URL (`https://portal.example.org`): the only redirect targets. */
  readonly appUrl: string;
  readonly accountId: string;
  readonly protect: boolean;
}

export interface PortalSignIn {
  readonly pool: aws.cognito.UserPool;
  readonly client: aws.cognito.UserPoolClient;
  readonly domain: aws.cognito.UserPoolDomain;
}

/** A hosted domain prefix may not name AWS (Cognito refuses `aws`, `amazon` and `cognito`). */
export function domainPrefix(name: string, accountId: string): string {
  const prefix = `${name}-auth-${accountId}`.toLowerCase();
  if (/aws|amazon|cognito/.test(prefix) || prefix.length > 63) {
    throw new Error(
      `the Cognito domain prefix "${prefix}" is refused by Cognito (no aws, amazon or cognito, at most 63 characters): change ehealth:projectTag`,
    );
  }
  return prefix;
}

export function portalSignIn(
  parent: pulumi.Resource,
  name: string,
  args: UserPoolArgs,
): PortalSignIn {
  const child = { parent };
  // Patients' sign-in identities are kept: deleting the pool would lock every patient out.
  const pool = new aws.cognito.UserPool(
    name,
    {
      name,
      userPoolTier: "PLUS",
      usernameAttributes: ["email"],
      autoVerifiedAttributes: ["email"],
      userAttributeUpdateSettings: { attributesRequireVerificationBeforeUpdates: ["email"] },
      mfaConfiguration: "ON",
      softwareTokenMfaConfiguration: { enabled: true },
      userPoolAddOns: { advancedSecurityMode: "ENFORCED" },
      passwordPolicy: { ...USER_POOL_PASSWORD_POLICY },
      // Accounts are created by the practice (invitations), not by whoever finds the sign-up page.
      adminCreateUserConfig: { allowAdminCreateUserOnly: true },
      accountRecoverySetting: { recoveryMechanisms: [{ name: "verified_email", priority: 1 }] },
      deviceConfiguration: {
        challengeRequiredOnNewDevice: true,
        deviceOnlyRememberedOnUserPrompt: true,
      },
      deletionProtection: "ACTIVE",
      tags: { Name: name },
    },
    { parent, protect: args.protect, retainOnDelete: args.protect },
  );
  Object.entries(USER_GROUPS).forEach(
    ([group, description], precedence) =>
      new aws.cognito.UserGroup(
        `${name}-${group}`,
        { name: group, userPoolId: pool.id, description, precedence },
        child,
      ),
  );
  const client = new aws.cognito.UserPoolClient(
    `${name}-web`,
    {
      name: `${name}-web`,
      userPoolId: pool.id,
      // A browser cannot keep a secret: a public client, and PKCE protects the code exchange.
      generateSecret: false,
      allowedOauthFlowsUserPoolClient: true,
      allowedOauthFlows: ["code"],
      allowedOauthScopes: ["openid", "email", "profile"],
      supportedIdentityProviders: ["COGNITO"],
      callbackUrls: [`${args.appUrl}/auth/callback`],
      logoutUrls: [`${args.appUrl}/`],
      explicitAuthFlows: ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
      preventUserExistenceErrors: "ENABLED",
      enableTokenRevocation: true,
      accessTokenValidity: TOKEN_VALIDITY.accessMinutes,
      idTokenValidity: TOKEN_VALIDITY.idMinutes,
      refreshTokenValidity: TOKEN_VALIDITY.refreshHours,
      tokenValidityUnits: { accessToken: "minutes", idToken: "minutes", refreshToken: "hours" },
    },
    child,
  );
  const domain = new aws.cognito.UserPoolDomain(
    name,
    { domain: domainPrefix(name, args.accountId), userPoolId: pool.id },
    child,
  );
  return { pool, client, domain };
}
