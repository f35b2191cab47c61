import { TRANSMISSION } from "../lib/levels";
import { stackPolicy } from "../lib/policy";
import { statements, strings } from "../lib/props";

const FS = "aws:efs/fileSystem:FileSystem";
const FS_POLICY = "aws:efs/fileSystemPolicy:FileSystemPolicy";

/** Mounts over TLS only. */
export const efsFileSystemEnforceTls = stackPolicy(
  {
    name: "efs-filesystem-enforce-tls",
    description:
      "Every EFS file system has a file system policy that denies access without TLS (aws:SecureTransport false).",
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
    const policies = resources.filter((r) => r.type === FS_POLICY);
    for (const fs of resources.filter((r) => r.type === FS)) {
      const denies = policies
        .filter((p) => p.props.fileSystemId === fs.props.id)
        .flatMap((p) => statements(p.props.policy))
        .some(
          (s) =>
            s.Effect === "Deny" &&
            strings(s.Condition?.Bool?.["aws:SecureTransport"]).includes("false"),
        );
      if (!denies) {
        report(
          `${fs.name} can be mounted without TLS: add an aws.efs.FileSystemPolicy denying access when aws:SecureTransport is "false"`,
          fs.urn,
        );
      }
    }
  },
);
