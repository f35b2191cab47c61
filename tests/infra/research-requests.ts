/**
 * The requests the research enclave's access tables make, against the research example's records
 * (examples/research/Pulumi.ireland.yaml: cardio01 open, onco07 closed).
 */
import type { PolicyDoc } from "../../tools/preflight/iam/simulate";
import {
  ACCOUNT,
  Recorded,
  allowedByIam,
  researchStack,
  type Expect,
  type Requester,
  type RowSpec,
} from "../access/recorded";

export const EU = "eu-west-1";
export const E = "ehealth-ireland-research-cardio01";
export const CLOSED = "ehealth-ireland-research-onco07";
export const DEPLOYER = `arn:aws:iam::${ACCOUNT}:role/pulumi-deploy`;
export const ADMIN_ROLE = `arn:aws:iam::${ACCOUNT}:role/admin`;
export const TLS = { "aws:SecureTransport": "true" };
/** An account of AWS's own (a package bucket's owner): any account but ours. */
export const AWS_ACCOUNT = "137112412989";
export const example = async () => new Recorded(await researchStack());

export const dataIn = (s: Recorded, enclave = E) => s.bucket(`${enclave}-data-in`);
export const output = (s: Recorded, enclave = E) => s.bucket(`${enclave}-output`);
export const inside = (s: Recorded) => ({ "aws:SourceVpce": s.endpointId(`${E}-s3`) });
/** Writers name the enclave key: the buckets refuse an upload that names another encryption. */
export const sseKms = (s: Recorded, enclave = E) => ({
  "s3:x-amz-server-side-encryption": "aws:kms",
  "s3:x-amz-server-side-encryption-aws-kms-key-id": s.keyArn(enclave),
});

/** A request by one of the enclave's roles, with its recorded policies, over TLS. */
export const as = (s: Recorded, role: string, context: Record<string, string> = {}) =>
  s.as(role, { ...TLS, ...context });
/** A request through the enclave's S3 endpoint, as its workloads make them. */
export const throughEndpoint = (
  s: Recorded,
  role: string,
  context: Record<string, string> = {},
) => ({
  ...as(s, role, { ...inside(s), ...context }),
  endpoint: [s.endpointPolicy(`${E}-s3`)],
});
/** A principal of the account whose IAM policies allow everything: only the resource decides. */
export const admin = (principal: string, context: Record<string, string> = {}) =>
  allowedByIam(principal, { ...TLS, ...context });
export const object = (bucket: { arn: string; policy: PolicyDoc }, key: string) => ({
  resource: `${bucket.arn}/${key}`,
  resourcePolicy: bucket.policy,
});

/** One request on an object: what the subject does, the decision, the action, the object. */
export type ObjectRow = readonly [
  does: string,
  expect: Expect,
  action: string,
  bucket: (s: Recorded) => { arn: string; policy: PolicyDoc },
  key: string,
];

/**
 * Rows on objects of the enclave's buckets, all asked by one subject (given what the request adds
 * to their context: an upload names the enclave key, which the buckets require).
 */
export const objectRows = (
  subject: string,
  who: (s: Recorded, context: Record<string, string>) => Requester,
  rows: readonly ObjectRow[],
): RowSpec<Recorded>[] =>
  rows.map(([does, expect, action, bucket, key]) => ({
    says: `${subject} ${does}`,
    expect,
    request: (s) => ({
      ...who(s, action === "s3:PutObject" ? sseKms(s) : {}),
      action,
      ...object(bucket(s), key),
    }),
  }));

/** The enclave key only through the services the role's policy names, never directly. */
export function keyUse(role: string): RowSpec<Recorded>[] {
  const request = (s: Recorded, context: Record<string, string>) => ({
    ...as(s, role, { "kms:CallerAccount": ACCOUNT, ...context }),
    action: "kms:Decrypt",
    resource: s.keyArn(E),
    resourcePolicy: s.keyPolicy(E),
  });
  return [
    {
      says: `${role.slice(E.length + 1)} decrypts with the enclave key through S3`,
      expect: "Allowed",
      request: (s) => request(s, { "kms:ViaService": `s3.${EU}.amazonaws.com` }),
    },
    {
      says: `${role.slice(E.length + 1)} decrypts with the enclave key directly`,
      expect: "Denied",
      request: (s) => request(s, {}),
    },
  ];
}
