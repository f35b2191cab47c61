import { ResourceCheck, resourcePolicy } from "../lib/policy";
import { strings } from "../lib/props";

const isAll = (v: unknown) => strings(v).some((x) => x.trim().toLowerCase() === "all");

/** The RDS snapshots (and copies) whose sharedAccounts may name "all". */
const RDS_SNAPSHOT_TYPES = [
  "aws:rds/snapshot:Snapshot",
  "aws:rds/clusterSnapshot:ClusterSnapshot",
  "aws:rds/snapshotCopy:SnapshotCopy",
  "aws:rds/clusterSnapshotCopy:ClusterSnapshotCopy",
];

const sharedWithAll: ResourceCheck = (r, report) => {
  if (isAll(r.props.sharedAccounts))
    report(`${r.name} is shared with every AWS account: remove "all" from sharedAccounts`);
};

/**
 * Snapshots and images shared with "all" are public: anyone can restore a copy of the data.
 * AWS: "Share a DB snapshot" (the value all makes it public),
 * https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ShareSnapshot.html and
 * "Share an AMI with specific organizations or accounts / make public" (group all),
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/sharingamis-intro.html
 */
export const ec2SnapshotDisallowPublicSharing = resourcePolicy(
  {
    name: "ec2-snapshot-disallow-public-sharing",
    description:
      'No snapshot or image is shared publicly: RDS DB and cluster snapshots (and snapshot copies) with sharedAccounts "all", EBS snapshot create-volume permissions for "all", AMI launch permissions for group "all".',
    enforcementLevel: "mandatory",
    severity: "critical",
    hipaa: ["164.312(a)(1)", "164.312(e)(1)"],
    remediationSteps: 'Share with named accounts (or your organization) only; remove "all".',
    levelReason:
      "A public snapshot or image of a host or database is a full copy of its PHI for anyone who restores it.",
  },
  {
    // A copy of a cluster snapshot is shared as the snapshot is. AWS: "Sharing a DB cluster
    // snapshot", https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-share-snapshot.html
    ...Object.fromEntries(RDS_SNAPSHOT_TYPES.map((type) => [type, sharedWithAll])),
    "aws:ec2/snapshotCreateVolumePermission:SnapshotCreateVolumePermission": (r, report) => {
      if (isAll(r.props.accountId) || isAll(r.props.group))
        report(
          `${r.name} lets every AWS account create volumes from the snapshot: name an account instead of "all"`,
        );
    },
    "aws:ec2/amiLaunchPermission:AmiLaunchPermission": (r, report) => {
      if (isAll(r.props.group) || isAll(r.props.accountId))
        report(
          `${r.name} makes the image public: set accountId, organizationArn or organizationalUnitArn instead of group "all"`,
        );
    },
  },
);
