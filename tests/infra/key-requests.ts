/**
 * The requests the keys' access tables make: callers of the account (their IAM allowing
 * everything, so that the key policy decides) and AWS services, on the keys the stacks record.
 */
import { ACCOUNT, Recorded, allowedByIam, stack } from "../access/recorded";

export const EU = "eu-west-1";
export const US = "us-west-2";
export const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
/** The request comes through this service's endpoint in this region (`kms:ViaService`). */
export const via = (service: string, region: string = EU) => ({
  "kms:ViaService": `${service}.${region}.amazonaws.com`,
});
export const ireland = async () => new Recorded(await stack("ireland"));

/** A caller of the account whose IAM policies allow everything: only the key policy can refuse. */
export const caller = (
  s: Recorded,
  principal: string,
  action: string,
  key: string,
  extra: Record<string, string | string[]> = {},
) => ({
  ...allowedByIam(principal, { "kms:CallerAccount": ACCOUNT, ...extra }),
  action,
  resource: s.keyArn(key),
  resourcePolicy: s.keyPolicy(key),
});

export const service = (
  s: Recorded,
  principal: string,
  action: string,
  key: string,
  context: Record<string, string> = {},
) => ({ principal, action, resource: s.keyArn(key), context, resourcePolicy: s.keyPolicy(key) });

export const DEPLOYER = role("pulumi-deploy");
export const APP = role("ehealth-ireland-app");
export const BACKUP = (s: Recorded) => s.role("ehealth-ireland-backup").arn;
