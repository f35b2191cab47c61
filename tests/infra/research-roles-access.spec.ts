/**
 * What the people and functions of an open research enclave may do, simulated against what the
 * research example records (study cardio01): the upload function, the enclave's topic and log
 * bucket, its researchers (trust and session policies), its stewards, and the IT support personas'
 * boundaries on its data.
 *
 * Not modelled: Session Manager's own checks beyond IAM (the session document's preferences).
 */
import { ACCOUNT, Recorded, table, type RowSpec } from "../access/recorded";
import {
  EU,
  E,
  ADMIN_ROLE,
  TLS,
  example,
  dataIn,
  output,
  inside,
  as,
  throughEndpoint,
  admin,
  object,
  objectRows,
  keyUse,
} from "./research-requests";

const logGroup = (s: Recorded, suffix: string) =>
  s.arn("aws:cloudwatch/logGroup:LogGroup", `${E}-${suffix}`);

const upload = (s: Recorded, context: Record<string, string>) =>
  throughEndpoint(s, `${E}-upload`, context);

table("ehealth:research:Enclave: the upload function (cardio01, research example)", example, [
  ...objectRows("the upload function", upload, [
    ["reads a new upload", "Allowed", "s3:GetObject", dataIn, "incoming/a.csv"],
    [
      "destroys the upload's version once it has moved it",
      "Allowed",
      "s3:DeleteObjectVersion",
      dataIn,
      "incoming/a.csv",
    ],
    ["writes into quarantine/", "Allowed", "s3:PutObject", dataIn, "quarantine/x.csv"],
    ["writes into incoming/", "Denied", "s3:PutObject", dataIn, "incoming/a.csv"],
    ["reads a result", "Denied", "s3:GetObject", output, "results.csv"],
  ]),
  {
    says: "the upload function writes to its own log group",
    expect: "Allowed",
    request: (s) => ({
      ...as(s, `${E}-upload`),
      action: "logs:PutLogEvents",
      resource: `${logGroup(s, "upload-logs")}:log-stream:x`,
    }),
  },
  {
    says: "the upload function writes to the enclave's flow-log group",
    expect: "Denied",
    request: (s) => ({
      ...as(s, `${E}-upload`),
      action: "logs:PutLogEvents",
      resource: `${logGroup(s, "flow-logs")}:log-stream:x`,
    }),
  },
  {
    says: "the upload function creates a log group",
    expect: "Denied",
    request: (s) => ({
      ...as(s, `${E}-upload`),
      action: "logs:CreateLogGroup",
      resource: `arn:aws:logs:${EU}:${ACCOUNT}:log-group:/aws/lambda/anything`,
    }),
  },
  ...keyUse(`${E}-upload`),
]);

const topic = (s: Recorded) => s.topic(`${E}-uploads`);
const logs = (s: Recorded) => s.bucket(`${E}-logs`);
const OTHER_ROLE = "arn:aws:iam::999988887777:role/admin";

table(
  "ehealth:research:Enclave: its topic and its log bucket (cardio01, research example)",
  example,
  [
    {
      says: "a role of the account publishes to the enclave's topic over TLS",
      expect: "Allowed",
      request: (s) => ({
        ...admin(ADMIN_ROLE),
        action: "sns:Publish",
        resource: topic(s).arn,
        resourcePolicy: topic(s).policy,
      }),
    },
    {
      says: "a role of the account publishes over plain HTTP",
      expect: "ExplicitlyDenied",
      request: (s) => ({
        ...admin(ADMIN_ROLE, { "aws:SecureTransport": "false" }),
        action: "sns:Publish",
        resource: topic(s).arn,
        resourcePolicy: topic(s).policy,
      }),
    },
    {
      says: "a role of another account publishes",
      expect: "Denied",
      request: (s) => ({
        ...admin(OTHER_ROLE),
        action: "sns:Publish",
        resource: topic(s).arn,
        resourceAccount: ACCOUNT,
        resourcePolicy: topic(s).policy,
      }),
    },
    {
      says: "EventBridge publishes to the enclave's topic",
      expect: "Denied",
      request: (s) => ({
        principal: "events.amazonaws.com",
        context: TLS,
        action: "sns:Publish",
        resource: topic(s).arn,
        resourcePolicy: topic(s).policy,
      }),
    },
    {
      says: "S3 delivers this account's access logs into the enclave's log bucket",
      expect: "Allowed",
      request: (s) => ({
        principal: "logging.s3.amazonaws.com",
        context: { ...TLS, "aws:SourceAccount": ACCOUNT, "aws:SourceArn": dataIn(s).arn },
        action: "s3:PutObject",
        ...object(logs(s), "data-in/log"),
      }),
    },
    {
      says: "S3 delivers another account's access logs into it",
      expect: "Denied",
      request: (s) => ({
        principal: "logging.s3.amazonaws.com",
        context: {
          ...TLS,
          "aws:SourceAccount": "999988887777",
          "aws:SourceArn": "arn:aws:s3:::theirs",
        },
        action: "s3:PutObject",
        ...object(logs(s), "theirs/log"),
      }),
    },
    {
      says: "CloudTrail writes into the enclave's log bucket",
      expect: "Denied",
      request: (s) => ({
        principal: "cloudtrail.amazonaws.com",
        context: { ...TLS, "aws:SourceAccount": ACCOUNT },
        action: "s3:PutObject",
        ...object(logs(s), "AWSLogs/x"),
      }),
    },
  ],
);

const researcher = (s: Recorded, context: Record<string, string> = {}) =>
  as(s, `${E}-researcher`, { "aws:MultiFactorAuthPresent": "true", ...context });
const user = (name: string) => `arn:aws:iam::${ACCOUNT}:user/${name}`;
const assume = (s: Recorded, from: string, mfa: boolean) => s.assumed(`${E}-researcher`, from, mfa);
const workstation = (s: Recorded) => s.arn("aws:ec2/instance:Instance", `${E}-workstation`);
const CHECKED = { "ssm:SessionDocumentAccessCheck": "true" };

table("ehealth:research:Enclave: its researchers (cardio01, research example)", example, [
  ...["researcher-one", "researcher-two"].map((name): RowSpec<Recorded> => ({
    says: `${name}, named by the study, assumes the researcher role with MFA`,
    expect: "Allowed",
    request: (s) => assume(s, user(name), true),
  })),
  {
    says: "a researcher named by the study assumes it without MFA",
    expect: "Denied",
    request: (s) => assume(s, user("researcher-two"), false),
  },
  {
    says: "a user the study does not name assumes it with MFA",
    expect: "Denied",
    request: (s) => assume(s, user("someone-else"), true),
  },
  {
    says: "a researcher opens a session on the workstation",
    expect: "Allowed",
    request: (s) => ({
      ...researcher(s, CHECKED),
      action: "ssm:StartSession",
      resource: workstation(s),
    }),
  },
  {
    says: "a researcher opens it through the enclave's logged session document",
    expect: "Allowed",
    request: (s) => ({
      ...researcher(s, CHECKED),
      action: "ssm:StartSession",
      resource: s.arn("aws:ssm/document:Document", `${E}-session`),
    }),
  },
  {
    says: "a researcher opens a session through Session Manager's default shell document",
    expect: "Denied",
    request: (s) => ({
      ...researcher(s, CHECKED),
      action: "ssm:StartSession",
      resource: `arn:aws:ssm:${EU}:${ACCOUNT}:document/SSM-SessionManagerRunShell`,
    }),
  },
  {
    says: "a researcher opens a session without Session Manager checking the document",
    expect: "Denied",
    request: (s) => ({
      ...researcher(s, { "ssm:SessionDocumentAccessCheck": "false" }),
      action: "ssm:StartSession",
      resource: workstation(s),
    }),
  },
  {
    says: "a researcher opens a session on an app-tier instance",
    expect: "Denied",
    request: (s) => ({
      ...researcher(s, CHECKED),
      action: "ssm:StartSession",
      resource: `arn:aws:ec2:${EU}:${ACCOUNT}:instance/i-0app`,
    }),
  },
  {
    says: "a researcher pushes an SSH key to the workstation (the enclave has no bastion)",
    expect: "Denied",
    request: (s) => ({
      ...researcher(s, { "ec2:osuser": "researcher" }),
      action: "ec2-instance-connect:SendSSHPublicKey",
      resource: workstation(s),
    }),
  },
  {
    says: "a researcher's own policies read an object of a bucket that admits the account",
    expect: "Denied",
    request: (s) => ({
      ...researcher(s),
      action: "s3:GetObject",
      resource: "arn:aws:s3:::any-bucket/x",
      resourceAccount: ACCOUNT,
    }),
  },
  {
    says: "a researcher reads a result from outside the workstation",
    expect: "Denied",
    request: (s) => ({
      ...researcher(s),
      action: "s3:GetObject",
      ...object(output(s), "results.csv"),
    }),
  },
]);

const steward = (s: Recorded, context: Record<string, string>) =>
  as(s, `${E}-steward`, { "aws:MultiFactorAuthPresent": "true", ...context });

table("ehealth:research:Enclave: its stewards (cardio01, research example)", example, [
  ...objectRows("a steward", steward, [
    [
      "uploads into incoming/ under the enclave key",
      "Allowed",
      "s3:PutObject",
      dataIn,
      "incoming/x.csv",
    ],
    ["uploads into quarantine/", "Denied", "s3:PutObject", dataIn, "quarantine/x.csv"],
    ["reviews a quarantined upload", "Allowed", "s3:GetObject", dataIn, "quarantine/x.csv"],
    ["collects a result from output", "Allowed", "s3:GetObject", output, "results.csv"],
    ["writes into output", "Denied", "s3:PutObject", output, "x.csv"],
  ]),
  {
    says: "a steward reads the upload index",
    expect: "Allowed",
    request: (s) => ({
      ...steward(s, {}),
      action: "dynamodb:Query",
      resource: s.arn("aws:dynamodb/table:Table", `${E}-index`),
    }),
  },
  ...keyUse(`${E}-steward`),
]);

/** Each IT support persona's session, its identity allowing everything: its boundary decides. */
const persona = (s: Recorded, role: string, context: Record<string, string> = {}) => ({
  ...admin(s.role(role).arn, { "aws:MultiFactorAuthPresent": "true", ...context }),
  boundary: s.role(role).boundary,
});

table("ehealth:research:Enclave: the IT support personas (cardio01, research example)", example, [
  ...["support", "dba", "sysadmin"].map((name): RowSpec<Recorded> => ({
    says: `the ${name} persona, allowed everything by IAM, reads enclave data through its endpoint`,
    expect: "ExplicitlyDenied",
    request: (s) => ({
      ...persona(s, `ehealth-ireland-${name}`, inside(s)),
      endpoint: [s.endpointPolicy(`${E}-s3`)],
      action: "s3:GetObject",
      ...object(dataIn(s), "incoming/a.csv"),
    }),
  })),
  {
    says: "break-glass reads enclave data from outside its endpoint",
    expect: "ExplicitlyDenied",
    request: (s) => ({
      ...persona(s, "ehealth-ireland-break-glass"),
      action: "s3:GetObject",
      ...object(dataIn(s), "incoming/a.csv"),
    }),
  },
]);
