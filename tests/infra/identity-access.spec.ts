/**
 * What the IT support personas may do, simulated against the roles, boundaries and trust policies
 * the ireland stack records: who may assume each persona (named people, with MFA), what the
 * sysadmin runs, and what no persona can do whatever its identity policy says (silence the audit
 * record).
 *
 * Not modelled: AWS managed policies other than AdministratorAccess (the personas carry none but
 * break-glass's AdministratorAccess); tag values of live instances, given here as request context.
 */
import * as path from "node:path";
import { PERSONA_NAMES } from "../../stacks/config";
import { PROJECT_DIR, loadProjectFile, loadStackConfig } from "../../tools/engine";
import { ACCOUNT, ADMIN, Recorded, stack, table, type RowSpec } from "../access/recorded";

const EU = "eu-west-1";
const ireland = async () => new Recorded(await stack("ireland"));
const ROLE: Readonly<Record<(typeof PERSONA_NAMES)[number], string>> = {
  support: "ehealth-ireland-support",
  dba: "ehealth-ireland-dba",
  sysadmin: "ehealth-ireland-sysadmin",
  breakGlass: "ehealth-ireland-break-glass",
};

/** The people ireland's stack file names for each persona (account-relative, as configured). */
function named(persona: (typeof PERSONA_NAMES)[number]): string {
  const config = loadStackConfig(
    path.join(PROJECT_DIR, "Pulumi.ireland.yaml"),
    loadProjectFile(PROJECT_DIR),
  );
  const people = JSON.parse(config["ehealth:personas"]) as Record<string, string[]>;
  return `arn:aws:iam::${ACCOUNT}:${people[persona][0]}`;
}

table(
  "ehealth:identity:Identity: who assumes the personas (ireland, as recorded)",
  ireland,
  PERSONA_NAMES.flatMap((persona): RowSpec<Recorded>[] => [
    {
      says: `the person named for ${persona} assumes it with MFA`,
      expect: "Allowed",
      request: (s) => s.assumed(ROLE[persona], named(persona), true),
    },
    {
      says: `the person named for ${persona} assumes it without MFA`,
      expect: "Denied",
      request: (s) => s.assumed(ROLE[persona], named(persona), false),
    },
    {
      says: `a user of the account not named for ${persona} assumes it with MFA`,
      expect: "Denied",
      request: (s) => s.assumed(ROLE[persona], `arn:aws:iam::${ACCOUNT}:user/someone-else`, true),
    },
  ]),
);

/** A request in a persona's session: its recorded identity policies and boundary, with MFA. */
const session = (
  s: Recorded,
  persona: (typeof PERSONA_NAMES)[number],
  context: Record<string, string> = {},
) =>
  s.as(ROLE[persona], {
    "aws:SecureTransport": "true",
    "aws:MultiFactorAuthPresent": "true",
    ...context,
  });
const instance = `arn:aws:ec2:${EU}:${ACCOUNT}:instance/i-0abc`;
const ssh = (s: Recorded, tags: Record<string, string>, user: string) => ({
  ...session(s, "sysadmin", { ...tags, "ec2:osuser": user }),
  action: "ec2-instance-connect:SendSSHPublicKey",
  resource: instance,
});

table("ehealth:identity:Identity: the sysadmin persona (ireland, as recorded)", ireland, [
  {
    says: "the sysadmin reboots an app-tier instance",
    expect: "Allowed",
    request: (s) => ({
      ...session(s, "sysadmin", { "aws:ResourceTag/Tier": "app" }),
      action: "ec2:RebootInstances",
      resource: instance,
    }),
  },
  {
    says: "the sysadmin reboots a research workstation",
    expect: "Denied",
    request: (s) => ({
      ...session(s, "sysadmin", { "aws:ResourceTag/Tier": "research" }),
      action: "ec2:RebootInstances",
      resource: instance,
    }),
  },
  {
    says: "the sysadmin opens a session on an app-tier instance",
    expect: "Allowed",
    request: (s) => ({
      ...session(s, "sysadmin", { "ssm:resourceTag/Tier": "app" }),
      action: "ssm:StartSession",
      resource: instance,
    }),
  },
  {
    says: "the sysadmin opens a session through Session Manager's shell document",
    expect: "Allowed",
    request: (s) => ({
      ...session(s, "sysadmin"),
      action: "ssm:StartSession",
      resource: `arn:aws:ssm:${EU}:${ACCOUNT}:document/SSM-SessionManagerRunShell`,
    }),
  },
  {
    says: "the sysadmin opens a session on a research workstation",
    expect: "Denied",
    request: (s) => ({
      ...session(s, "sysadmin", { "ssm:resourceTag/Tier": "research" }),
      action: "ssm:StartSession",
      resource: instance,
    }),
  },
  {
    says: "the sysadmin pushes a one-minute SSH key for ec2-user to the bastion",
    expect: "Allowed",
    request: (s) => ssh(s, { "aws:ResourceTag/Role": "bastion" }, "ec2-user"),
  },
  {
    says: "the sysadmin pushes a one-minute SSH key for ec2-user to an app-tier instance",
    expect: "Allowed",
    request: (s) => ssh(s, { "aws:ResourceTag/Tier": "app" }, "ec2-user"),
  },
  {
    says: "the sysadmin pushes an SSH key for root to an app-tier instance",
    expect: "Denied",
    request: (s) => ssh(s, { "aws:ResourceTag/Tier": "app" }, "root"),
  },
  {
    says: "the sysadmin pushes an SSH key to a research workstation",
    expect: "Denied",
    request: (s) => ssh(s, { "aws:ResourceTag/Tier": "research" }, "ec2-user"),
  },
  {
    says: "the sysadmin changes a role's policy",
    expect: "Denied",
    request: (s) => ({
      ...session(s, "sysadmin"),
      action: "iam:PutRolePolicy",
      resource: `arn:aws:iam::${ACCOUNT}:role/ehealth-ireland-app`,
    }),
  },
  {
    says: "the sysadmin reads a patient document",
    expect: "Denied",
    request: (s) => ({
      ...session(s, "sysadmin"),
      action: "s3:GetObject",
      resource: `${s.bucket("ehealth-ireland-uploads").arn}/patients/p-1/visit.pdf`,
      resourcePolicy: s.bucket("ehealth-ireland-uploads").policy,
    }),
  },
  {
    says: "the sysadmin decrypts with the PHI key through EC2",
    expect: "Denied",
    request: (s) => ({
      ...session(s, "sysadmin", {
        "kms:ViaService": `ec2.${EU}.amazonaws.com`,
        "kms:CallerAccount": ACCOUNT,
      }),
      action: "kms:Decrypt",
      resource: s.keyArn("ehealth-ireland-phi"),
      resourcePolicy: s.keyPolicy("ehealth-ireland-phi"),
    }),
  },
]);

/** Silencing the audit record, on its resources as AWS names them (mock ARNs are not all real). */
const SILENCING: readonly { what: string; action: string; resource: (s: Recorded) => string }[] = [
  {
    what: "stops the trail",
    action: "cloudtrail:StopLogging",
    resource: (s) =>
      `arn:aws:cloudtrail:${EU}:${ACCOUNT}:trail/${String(s.one("aws:cloudtrail/trail:Trail", "ehealth-ireland").id)}`,
  },
  {
    what: "deletes the trail's log group",
    action: "logs:DeleteLogGroup",
    resource: (s) => s.arn("aws:cloudwatch/logGroup:LogGroup", "ehealth-ireland-trail"),
  },
  {
    what: "schedules the logs key's deletion",
    action: "kms:ScheduleKeyDeletion",
    resource: (s) => s.keyArn("ehealth-ireland-logs"),
  },
];

table(
  "ehealth:identity:Identity: no persona silences the audit record, whatever its policy says (ireland, as recorded)",
  ireland,
  PERSONA_NAMES.flatMap((persona): RowSpec<Recorded>[] => [
    {
      says: `the ${persona} boundary leaves reading the fleet to the identity policy`,
      expect: "Allowed",
      request: (s) => ({
        ...session(s, persona),
        identity: [ADMIN],
        action: "ec2:DescribeInstances",
        resource: "*",
      }),
    },
    ...SILENCING.map(({ what, action, resource }): RowSpec<Recorded> => ({
      says: `the ${persona} persona, allowed everything by IAM, ${what}`,
      expect: "ExplicitlyDenied",
      request: (s) => ({
        ...session(s, persona),
        identity: [ADMIN],
        action,
        resource: resource(s),
      }),
    })),
  ]),
);

table("ehealth:identity:Identity: break-glass (ireland, as recorded)", ireland, [
  {
    says: "break-glass, with its AdministratorAccess and boundary, reads a patient document over TLS",
    expect: "Allowed",
    request: (s) => ({
      ...session(s, "breakGlass"),
      action: "s3:GetObject",
      resource: `${s.bucket("ehealth-ireland-uploads").arn}/patients/p-1/visit.pdf`,
      resourcePolicy: s.bucket("ehealth-ireland-uploads").policy,
    }),
  },
]);
