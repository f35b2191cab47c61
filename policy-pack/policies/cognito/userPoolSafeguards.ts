import { ACCESS } from "../lib/levels";
import { ResourceCheck, resourcePolicy } from "../lib/policy";
import { obj, strings } from "../lib/props";

/** NIST SP 800-63B allows 8; the platform's account password policy asks 14 of people with PHI access. */
export const MIN_PASSWORD_LENGTH = 14;

export const cognitoUserPoolEnforceMfa = resourcePolicy(
  {
    name: "cognito-userpool-enforce-mfa",
    description: `Cognito user pools require MFA for every user, enforce threat protection, and ask for passwords of at least ${MIN_PASSWORD_LENGTH} characters.`,
    enforcementLevel: "mandatory",
    severity: "high",
    hipaa: ["164.312(d)", "164.308(a)(5)(ii)(D)", ...ACCESS],
    remediationSteps: `Set mfaConfiguration "ON" with softwareTokenMfaConfiguration enabled, userPoolAddOns.advancedSecurityMode "ENFORCED" (userPoolTier "PLUS"), and passwordPolicy.minimumLength ${MIN_PASSWORD_LENGTH} or more.`,
    levelReason:
      "Patients and care providers reach PHI through these accounts: a password alone is not adequate person authentication, and stolen credentials are the commonest way in.",
  },
  {
    "aws:cognito/userPool:UserPool": (r, report) => {
      if (r.props.mfaConfiguration !== "ON")
        report(
          `${r.name} lets users sign in without MFA (mfaConfiguration ${JSON.stringify(r.props.mfaConfiguration ?? "OFF")}): set it to "ON"`,
        );
      if (obj(r.props.userPoolAddOns)?.advancedSecurityMode !== "ENFORCED")
        report(
          `${r.name} does not block risky sign-ins: set userPoolAddOns.advancedSecurityMode to "ENFORCED"`,
        );
      const length = obj(r.props.passwordPolicy)?.minimumLength;
      if (typeof length !== "number" || length < MIN_PASSWORD_LENGTH)
        report(
          `${r.name} accepts passwords shorter than ${MIN_PASSWORD_LENGTH} characters: set passwordPolicy.minimumLength to ${MIN_PASSWORD_LENGTH} or more`,
        );
    },
  },
);

const clientFlows: ResourceCheck = (r, report) => {
  if (strings(r.props.allowedOauthFlows).includes("implicit"))
    report(`${r.name} allows the implicit flow: use ["code"] with PKCE`);
  const flows = strings(r.props.explicitAuthFlows);
  if (flows.includes("ALLOW_USER_PASSWORD_AUTH") || flows.includes("USER_PASSWORD_AUTH"))
    report(`${r.name} accepts plaintext password authentication: use ALLOW_USER_SRP_AUTH instead`);
};

export const cognitoClientEnforceCodeFlow = resourcePolicy(
  {
    name: "cognito-client-enforce-code-flow",
    description:
      "Cognito app clients use the authorization code flow, never the implicit flow, and never send plaintext passwords (USER_PASSWORD_AUTH).",
    enforcementLevel: "mandatory",
    severity: "high",
    hipaa: ["164.312(d)", "164.312(e)(1)"],
    remediationSteps:
      'Set allowedOauthFlows to ["code"] (a public client relies on PKCE) and use ALLOW_USER_SRP_AUTH and ALLOW_REFRESH_TOKEN_AUTH in explicitAuthFlows.',
    levelReason:
      "The implicit flow puts tokens in the browser's address bar and history; password auth sends the password itself to the service.",
  },
  {
    "aws:cognito/userPoolClient:UserPoolClient": clientFlows,
    // A client another service created (OpenSearch), adopted with the same flow settings. Pulumi
    // AWS: aws.cognito.ManagedUserPoolClient,
    // https://www.pulumi.com/registry/packages/aws/api-docs/cognito/managedUserPoolClient/
    "aws:cognito/managedUserPoolClient:ManagedUserPoolClient": clientFlows,
  },
);
