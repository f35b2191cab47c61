/**
 * Families of publicly accessible databases, warehouses and search domains, S3 public access
 * (block at bucket and account level, ACLs), and snapshots and images shared with everyone.
 */
import fc from "fast-check";
import { res } from "../fixtures";
import { family } from "./harness";

// ---- publicly accessible databases, warehouses, search domains ------------------------------

const RDS_PUBLIC = "rds-instance-disallow-public-access";
// aws.rds.Cluster has no publiclyAccessible in @pulumi/aws 7 (clusterInstance and instance do):
// an Aurora cluster is public through its instances.
const RDS_HOLDERS = ["aws:rds/instance:Instance", "aws:rds/clusterInstance:ClusterInstance"];
family({
  policy: RDS_PUBLIC,
  name: "a publicly accessible RDS instance or Aurora cluster instance, any engine",
  caught: true,
  variants: fc
    .tuple(fc.constantFrom(...RDS_HOLDERS), fc.constantFrom("postgres", "aurora-mysql", "mariadb"))
    .map(([type, engine]) => [
      res(type, "db", { engine, instanceClass: "db.r6g.large", publiclyAccessible: true }),
    ]),
});
family({
  policy: RDS_PUBLIC,
  name: "RDS instances and cluster instances that are not public, said or by default",
  caught: false,
  variants: fc
    .tuple(fc.constantFrom(...RDS_HOLDERS), fc.constantFrom<unknown>(false, undefined))
    .map(([type, flag]) => [
      res(type, "db", {
        engine: "postgres",
        instanceClass: "db.r6g.large",
        ...(flag === undefined ? {} : { publiclyAccessible: flag }),
      }),
      res("aws:rds/cluster:Cluster", "c", { engine: "aurora-postgresql" }),
    ]),
});
const REDSHIFT_PUBLIC = "redshift-cluster-disallow-public-access";
// @pulumi/aws 7 documents the cluster's flag as false by default (redshift/cluster.d.ts); the
// workgroup's page states no default, and the pack refuses only true there, as before.
const redshift = (serverless: boolean, flag: unknown) => {
  const set = flag === undefined ? {} : { publiclyAccessible: flag };
  return serverless
    ? [res("aws:redshiftserverless/workgroup:Workgroup", "wg", { namespaceName: "ns", ...set })]
    : [res("aws:redshift/cluster:Cluster", "wh", { nodeType: "ra3.xlplus", ...set })];
};
family({
  policy: REDSHIFT_PUBLIC,
  name: "a publicly accessible Redshift cluster or Redshift Serverless workgroup",
  caught: true,
  variants: fc.boolean().map((serverless) => redshift(serverless, true)),
});
family({
  policy: REDSHIFT_PUBLIC,
  name: "Redshift clusters and workgroups that say false or nothing (the provider's default is false)",
  caught: false,
  variants: fc
    .tuple(fc.boolean(), fc.constantFrom<unknown>(false, undefined))
    .map(([serverless, flag]) => redshift(serverless, flag)),
});
const SEARCH_PUBLIC = "opensearch-domain-disallow-public-access";
const DOMAINS = ["aws:opensearch/domain:Domain", "aws:elasticsearch/domain:Domain"];
family({
  policy: SEARCH_PUBLIC,
  name: "an OpenSearch or Elasticsearch domain without VPC subnets (no vpcOptions, empty, groups only)",
  caught: true,
  variants: fc
    .tuple(
      fc.constantFrom(...DOMAINS),
      fc.constantFrom<unknown>(undefined, {}, { subnetIds: [] }, { securityGroupIds: ["sg-1"] }),
    )
    .map(([type, vpc]) => [res(type, "search", vpc === undefined ? {} : { vpcOptions: vpc })]),
});
family({
  policy: SEARCH_PUBLIC,
  name: "domains in one or several VPC subnets",
  caught: false,
  variants: fc
    .tuple(
      fc.constantFrom(...DOMAINS),
      fc.subarray(["data-id", "data2-id", "data3-id"], { minLength: 1 }),
    )
    .map(([type, subnets]) => [
      res(type, "search", { vpcOptions: { subnetIds: subnets, securityGroupIds: ["sg-1"] } }),
    ]),
});

// ---- S3: public access block at bucket or account level, ACLs --------------------------------

const S3_PUBLIC = "s3-bucket-disallow-public-access";
const FLAGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"];
const BUCKET_TYPES = ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"];
const PAB = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock";
const ACCOUNT_PAB = "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock";
const blockOf = (on: readonly string[]) =>
  Object.fromEntries(FLAGS.map((f) => [f, on.includes(f)]));
family({
  policy: S3_PUBLIC,
  name: "a bucket whose effective block (bucket and account together) leaves a flag off, or whose block names another bucket",
  caught: true,
  variants: fc
    .tuple(
      fc.constantFrom(...BUCKET_TYPES),
      fc.constantFrom(...FLAGS),
      fc.constantFrom("bucket", "account", "split", "other bucket"),
      fc.boolean(),
    )
    .map(([type, off, where, byId]) => {
      const on = FLAGS.filter((f) => f !== off);
      const bucket = res(type, "docs", { bucket: "docs-1" });
      const name = byId ? "docs-id" : "docs-1";
      if (where === "bucket") return [bucket, res(PAB, "pab", { bucket: name, ...blockOf(on) })];
      if (where === "account") return [bucket, res(ACCOUNT_PAB, "acct", blockOf(on))];
      if (where === "other bucket")
        return [bucket, res(PAB, "pab", { bucket: "other-1", ...blockOf(FLAGS) })];
      return [
        bucket,
        res(ACCOUNT_PAB, "acct", blockOf(on.slice(0, 2))),
        res(PAB, "pab", { bucket: name, ...blockOf(on.slice(2)) }),
      ];
    }),
});
family({
  policy: S3_PUBLIC,
  name: "a bucket fully blocked by its own block (by name or id), the account's, or the two together",
  caught: false,
  variants: fc
    .tuple(
      fc.constantFrom(...BUCKET_TYPES),
      fc.constantFrom("bucket", "account", "split"),
      fc.boolean(),
      fc.subarray(FLAGS),
    )
    .map(([type, where, byId, atAccount]) => {
      const bucket = res(type, "docs", { bucket: "docs-1" });
      const name = byId ? "docs-id" : "docs-1";
      if (where === "bucket") return [bucket, res(PAB, "pab", { bucket: name, ...blockOf(FLAGS) })];
      if (where === "account") return [bucket, res(ACCOUNT_PAB, "acct", blockOf(FLAGS))];
      // S3 applies the most restrictive combination of the account's and the bucket's settings.
      return [
        bucket,
        res(ACCOUNT_PAB, "acct", blockOf(atAccount)),
        res(PAB, "pab", { bucket: name, ...blockOf(FLAGS.filter((f) => !atAccount.includes(f))) }),
      ];
    }),
});
family({
  policy: S3_PUBLIC,
  name: "a fully blocked bucket with a public canned ACL or a grant to AllUsers or AuthenticatedUsers, on the bucket or an aws.s3.BucketAcl",
  caught: true,
  variants: fc
    .tuple(
      fc.constantFrom("public-read", "public-read-write", "authenticated-read"),
      fc.constantFrom("AllUsers", "AuthenticatedUsers"),
      fc.constantFrom("bucket", "BucketAcl", "grant"),
    )
    .map(([acl, group, where]) => [
      res("aws:s3/bucket:Bucket", "docs", {
        bucket: "docs-1",
        ...(where === "bucket" ? { acl } : {}),
      }),
      res(PAB, "pab", { bucket: "docs-1", ...blockOf(FLAGS) }),
      ...(where === "BucketAcl"
        ? [res("aws:s3/bucketAcl:BucketAcl", "acl", { bucket: "docs-1", acl })]
        : []),
      ...(where === "grant"
        ? [
            res("aws:s3/bucketAcl:BucketAcl", "acl", {
              bucket: "docs-1",
              accessControlPolicy: {
                owner: { id: "owner" },
                grants: [
                  {
                    permission: "READ",
                    grantee: {
                      type: "Group",
                      uri: `http://acs.amazonaws.com/groups/global/${group}`,
                    },
                  },
                ],
              },
            }),
          ]
        : []),
    ]),
});

// ---- snapshots and images shared with everyone ----------------------------------------------

const SHARING = "ec2-snapshot-disallow-public-sharing";
const RDS_SNAPSHOTS = [
  "aws:rds/snapshot:Snapshot",
  "aws:rds/clusterSnapshot:ClusterSnapshot",
  "aws:rds/snapshotCopy:SnapshotCopy",
  "aws:rds/clusterSnapshotCopy:ClusterSnapshotCopy",
];
family({
  policy: SHARING,
  name: 'DB and cluster snapshots and their copies shared with "all" among accounts; EBS create-volume permission and AMI launch permission for "all"',
  caught: true,
  variants: fc
    .tuple(
      fc.constantFrom(...RDS_SNAPSHOTS, "ebs", "ami"),
      fc.subarray(["111122223333", "444455556666"]),
      fc.nat(2),
    )
    .map(([type, accounts, at]) => {
      if (type === "ebs")
        // The provider's only argument for the grantee is accountId.
        return [
          res("aws:ec2/snapshotCreateVolumePermission:SnapshotCreateVolumePermission", "share", {
            snapshotId: "snap-1",
            accountId: "all",
          }),
        ];
      if (type === "ami")
        return [
          res("aws:ec2/amiLaunchPermission:AmiLaunchPermission", "share", {
            imageId: "ami-1",
            group: "all",
          }),
        ];
      const shared = [...accounts];
      shared.splice(at % (shared.length + 1), 0, "all");
      return [res(type, "snap", { sharedAccounts: shared })];
    }),
});
family({
  policy: SHARING,
  name: "snapshots and images shared with named accounts, an organization or an OU, or not at all",
  caught: false,
  variants: fc
    .tuple(
      fc.constantFrom(...RDS_SNAPSHOTS, "ebs", "ami"),
      fc.subarray(["111122223333", "444455556666"]),
      fc.nat(2),
    )
    .map(([type, accounts, n]) => {
      if (type === "ebs")
        return [
          res("aws:ec2/snapshotCreateVolumePermission:SnapshotCreateVolumePermission", "share", {
            snapshotId: "snap-1",
            accountId: "111122223333",
          }),
        ];
      if (type === "ami")
        return [
          res(
            "aws:ec2/amiLaunchPermission:AmiLaunchPermission",
            "share",
            [
              { imageId: "ami-1", accountId: "111122223333" },
              {
                imageId: "ami-1",
                organizationArn: "arn:aws:organizations::111122223333:organization/o-abc123",
              },
              {
                imageId: "ami-1",
                organizationalUnitArn:
                  "arn:aws:organizations::111122223333:ou/o-abc123/ou-ab12-cdef",
              },
            ][n],
          ),
        ];
      return [res(type, "snap", accounts.length ? { sharedAccounts: accounts } : {})];
    }),
});
