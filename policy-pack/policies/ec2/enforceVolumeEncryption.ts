import type { PolicyResource } from "@pulumi/policy";
import { keyProblem, keyVerdict } from "../lib/keys";
import { ENCRYPTION_AT_REST } from "../lib/levels";
import { stackPolicy } from "../lib/policy";
import { Props, isTrue, list, obj } from "../lib/props";
import { T, Topology } from "../lib/topology";
import { ofType } from "../lib/types";

const VOLUME = "aws:ebs/volume:Volume";
const DEFAULT_ON = "aws:ebs/encryptionByDefault:EncryptionByDefault";
const DEFAULT_KEY = "aws:ebs/defaultKmsKey:DefaultKmsKey";
const SNAPSHOT_COPY = "aws:ebs/snapshotCopy:SnapshotCopy";
const AMI_COPY = "aws:ec2/amiCopy:AmiCopy";

/**
 * The account's EBS defaults as the program declares them. With encryption by default on, every
 * new volume is encrypted whatever the request says, with the default key (aws/ebs unless a
 * DefaultKmsKey names another). AWS: "Encryption by default",
 * https://docs.aws.amazon.com/ebs/latest/userguide/encryption-by-default.html
 */
interface Defaults {
  readonly on: boolean;
  readonly key?: unknown;
}

function defaultsOf(resources: readonly PolicyResource[]): Defaults {
  const flags = ofType(resources, DEFAULT_ON);
  const on = flags.length > 0 && flags.every((f) => f.props.enabled !== false);
  const key = resources.find((r) => r.type === DEFAULT_KEY)?.props.keyArn;
  return { on, key };
}

/** One volume: its encryption flag and key as written, where they are written. */
function judge(
  d: Defaults,
  owner: string,
  where: string,
  encrypted: unknown,
  key: unknown,
  keyProperty: string | undefined,
): string | undefined {
  const explicit = isTrue(encrypted);
  if (!explicit && !d.on) {
    return `${owner} has an unencrypted volume (${where}): set ${where}.encrypted to true and ${keyProperty ?? "the account's EBS default key"} to a customer-managed key, or enable EBS encryption by default with a customer-managed DefaultKmsKey`;
  }
  if (keyProperty && keyVerdict(key) !== "missing") return keyProblem(owner, keyProperty, key);
  if (d.on && keyVerdict(d.key) === "customer") return undefined;
  return keyProperty
    ? keyProblem(owner, keyProperty, key)
    : `${owner}'s volume ${where} cannot name a key, so it takes the account's default EBS key, which is aws/ebs: declare an aws.ebs.DefaultKmsKey with a customer-managed key (and EncryptionByDefault enabled)`;
}

/** Encryption at rest for EBS, wherever a volume can be declared, honouring the account's defaults. */
export const ec2VolumeEnforceEncryption = stackPolicy(
  {
    name: "ec2-volume-enforce-encryption",
    description:
      "EBS volumes are encrypted with a customer-managed KMS key: standalone volumes, instance root and block devices, launch template and launch configuration mappings, snapshot and AMI copies; EBS encryption by default (with its DefaultKmsKey) is honoured where the program declares it, and declaring it disabled is refused.",
    enforcementLevel: "mandatory",
    severity: "high",
    hipaa: [...ENCRYPTION_AT_REST],
    remediationSteps:
      'Set encrypted ("true" in launch templates) with kmsKeyId a customer-managed key, or declare aws.ebs.EncryptionByDefault (enabled) with an aws.ebs.DefaultKmsKey naming a customer-managed key.',
    levelReason:
      "A disk that holds PHI unencrypted exposes it to anyone who gets a snapshot or the hardware; the fix costs nothing.",
  },
  [
    VOLUME,
    DEFAULT_ON,
    DEFAULT_KEY,
    SNAPSHOT_COPY,
    AMI_COPY,
    T.instance,
    T.launchTemplate,
    T.launchConfiguration,
  ],
  (resources, report) => {
    const d = defaultsOf(resources);
    const net = Topology.of(resources);
    const say = (r: PolicyResource, message: string | undefined) => {
      if (message) report(message, r.urn);
    };
    for (const f of ofType(resources, DEFAULT_ON)) {
      if (f.props.enabled === false)
        report(`${f.name} turns EBS encryption by default off: set enabled to true`, f.urn);
    }
    for (const v of ofType(resources, VOLUME))
      say(v, judge(d, v.name, "the volume", v.props.encrypted, v.props.kmsKeyId, "kmsKeyId"));
    for (const c of ofType(resources, SNAPSHOT_COPY, AMI_COPY))
      say(c, judge(d, c.name, "the copy", c.props.encrypted, c.props.kmsKeyId, "kmsKeyId"));

    for (const i of net.of(T.instance)) {
      const root = obj(i.props.rootBlockDevice);
      // Without its own root settings, an instance launched from a template takes the template's.
      if (root || !net.templateOf(i))
        say(
          i,
          judge(
            d,
            i.name,
            "rootBlockDevice",
            root?.encrypted,
            root?.kmsKeyId,
            "rootBlockDevice.kmsKeyId",
          ),
        );
      list(i.props.ebsBlockDevices).forEach((dev: Props, n) =>
        say(
          i,
          judge(
            d,
            i.name,
            `ebsBlockDevices[${n}]`,
            dev.encrypted,
            dev.kmsKeyId,
            `ebsBlockDevices[${n}].kmsKeyId`,
          ),
        ),
      );
    }
    for (const lc of net.of(T.launchConfiguration)) {
      const root = obj(lc.props.rootBlockDevice);
      say(lc, judge(d, lc.name, "rootBlockDevice", root?.encrypted, undefined, undefined));
      list(lc.props.ebsBlockDevices).forEach((dev: Props, n) =>
        say(lc, judge(d, lc.name, `ebsBlockDevices[${n}]`, dev.encrypted, undefined, undefined)),
      );
    }
    for (const lt of net.of(T.launchTemplate)) {
      const mappings = list(lt.props.blockDeviceMappings).filter((m) => obj(m.ebs));
      if (mappings.length === 0) {
        if (!d.on || keyVerdict(d.key) !== "customer")
          report(
            `${lt.name} leaves its volumes' encryption to the AMI: add blockDeviceMappings for the root device with ebs.encrypted "true" and ebs.kmsKeyId a customer-managed key (or declare EBS encryption by default with a customer-managed DefaultKmsKey)`,
            lt.urn,
          );
        continue;
      }
      mappings.forEach((m, n) => {
        const ebs = obj(m.ebs)!;
        say(
          lt,
          judge(
            d,
            lt.name,
            `blockDeviceMappings[${n}].ebs`,
            ebs.encrypted,
            ebs.kmsKeyId,
            `blockDeviceMappings[${n}].ebs.kmsKeyId`,
          ),
        );
      });
    }
  },
);
