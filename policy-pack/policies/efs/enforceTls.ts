import { TRANSMISSION } from "../lib/levels";
import { stackPolicy } from "../lib/policy";
import { actionMatchesPattern } from "../lib/actions";
import { principalsOf } from "../lib/iam";
import { PolicyStatement, obj, statements, strings } from "../lib/props";
import { ofType } from "../lib/types";

const FS = "aws:efs/fileSystem:FileSystem";
const FS_POLICY = "aws:efs/fileSystemPolicy:FileSystemPolicy";

/**
 * Whether a statement denies every principal the mount itself without TLS: a deny of
 * ClientWrite or ClientRootAccess only still lets anyone mount and read in plaintext, and a deny
 * of one principal lets the others. Condition keys compare without regard to case, and Bool takes
 * a JSON boolean as well as a string. AWS: "Encrypting data in transit" (the file system policy
 * that denies access when aws:SecureTransport is false) and "Using IAM to control file system data
 * access" (elasticfilesystem:ClientMount is what a mount needs),
 * https://docs.aws.amazon.com/efs/latest/ug/encryption-in-transit.html and
 * https://docs.aws.amazon.com/efs/latest/ug/iam-access-control-nfs-efs.html
 */
function deniesPlaintextMounts(s: PolicyStatement): boolean {
  if (s.Effect !== "Deny" || s.NotAction !== undefined) return false;
  if (!principalsOf({ ...s, Effect: "Allow", NotPrincipal: undefined }).wildcard) return false;
  if (!strings(s.Action).some((a) => actionMatchesPattern("elasticfilesystem:ClientMount", a)))
    return false;
  const operators = Object.keys(s.Condition ?? {});
  if (operators.some((op) => op !== "Bool" && op !== "BoolIfExists")) return false;
  return operators.some((op) =>
    Object.entries(obj(s.Condition?.[op]) ?? {}).some(
      ([k, v]) =>
        k.toLowerCase() === "aws:securetransport" &&
        (v === false || strings(v).some((x) => x.toLowerCase() === "false")),
    ),
  );
}

/** Mounts over TLS only. */
export const efsFileSystemEnforceTls = stackPolicy(
  {
    name: "efs-filesystem-enforce-tls",
    description:
      "Every EFS file system has a file system policy that denies every principal the mount (elasticfilesystem:ClientMount, by name or wildcard) without TLS (aws:SecureTransport false).",
    enforcementLevel: "mandatory",
    severity: "high",
    hipaa: [...TRANSMISSION],
    remediationSteps:
      'Add an aws.efs.FileSystemPolicy with { Effect: "Deny", Principal: { AWS: "*" }, Action: "*", Condition: { Bool: { "aws:SecureTransport": "false" } } } and mount with the TLS option.',
    levelReason:
      "NFS is plaintext by default: without the policy one mount without -o tls sends PHI in the clear.",
  },
  [FS, FS_POLICY],
  (resources, report) => {
    const policies = ofType(resources, FS_POLICY);
    for (const fs of ofType(resources, FS)) {
      const denies = policies
        .filter((p) => p.props.fileSystemId === fs.props.id)
        .flatMap((p) => statements(p.props.policy))
        .some(deniesPlaintextMounts);
      if (!denies) {
        report(
          `${fs.name} can be mounted without TLS: add an aws.efs.FileSystemPolicy denying access when aws:SecureTransport is "false"`,
          fs.urn,
        );
      }
    }
  },
);
