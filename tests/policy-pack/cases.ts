/**
 * One case per policy: a compliant fixture, and one mutation per way of violating the policy with
 * a fragment of the message it must produce. policies.spec.ts runs them all, and checks that every
 * policy of the pack has a case.
 */
import { PackConfig } from "../../tools/policy/run";
import { Fixture, Mutation, add, both, drop, protect, res, set } from "./fixtures";

export interface PolicyCase {
  readonly policy: string;
  readonly fixture: Fixture;
  readonly config?: PackConfig;
  readonly violations: readonly (readonly [string, Mutation, string])[];
}

const T = {
  vpc: "aws:ec2/vpc:Vpc",
  subnet: "aws:ec2/subnet:Subnet",
  igw: "aws:ec2/internetGateway:InternetGateway",
  nat: "aws:ec2/natGateway:NatGateway",
  rt: "aws:ec2/routeTable:RouteTable",
  route: "aws:ec2/route:Route",
  assoc: "aws:ec2/routeTableAssociation:RouteTableAssociation",
  sg: "aws:ec2/securityGroup:SecurityGroup",
  ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
  instance: "aws:ec2/instance:Instance",
  lt: "aws:ec2/launchTemplate:LaunchTemplate",
  asg: "aws:autoscaling/group:Group",
  lb: "aws:lb/loadBalancer:LoadBalancer",
  listener: "aws:lb/listener:Listener",
  bucket: "aws:s3/bucket:Bucket",
  sse: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  versioning: "aws:s3/bucketVersioning:BucketVersioning",
  pab: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
  logging: "aws:s3/bucketLogging:BucketLogging",
  replication: "aws:s3/bucketReplicationConfig:BucketReplicationConfig",
  db: "aws:rds/instance:Instance",
  dbSubnets: "aws:rds/subnetGroup:SubnetGroup",
  paramGroup: "aws:rds/parameterGroup:ParameterGroup",
  efs: "aws:efs/fileSystem:FileSystem",
  efsPolicy: "aws:efs/fileSystemPolicy:FileSystemPolicy",
  mount: "aws:efs/mountTarget:MountTarget",
  logGroup: "aws:cloudwatch/logGroup:LogGroup",
  trail: "aws:cloudtrail/trail:Trail",
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  attachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  key: "aws:kms/key:Key",
  table: "aws:dynamodb/table:Table",
  redshift: "aws:redshift/cluster:Cluster",
  domain: "aws:opensearch/domain:Domain",
  fn: "aws:lambda/function:Function",
  targetGroup: "aws:lb/targetGroup:TargetGroup",
  ecsService: "aws:ecs/service:Service",
} as const;

/** A three-tier network that every topology policy accepts. */
export const network: Fixture = [
  res(T.vpc, "vpc", { cidrBlock: "10.0.0.0/16" }, { outputs: { mainRouteTableId: "main-rt" } }),
  res(T.igw, "igw", { vpcId: "vpc-id" }),
  res(T.subnet, "pub", {
    vpcId: "vpc-id",
    cidrBlock: "10.0.0.0/24",
    mapPublicIpOnLaunch: false,
    tags: { Tier: "public" },
  }),
  res(T.subnet, "app", {
    vpcId: "vpc-id",
    cidrBlock: "10.0.1.0/24",
    mapPublicIpOnLaunch: false,
    tags: { Tier: "app" },
  }),
  res(T.subnet, "data", {
    vpcId: "vpc-id",
    cidrBlock: "10.0.2.0/24",
    mapPublicIpOnLaunch: false,
    tags: { Tier: "data" },
  }),
  res(T.rt, "rt-pub", { vpcId: "vpc-id", tags: { Tier: "public" } }),
  res(T.route, "route-pub", {
    routeTableId: "rt-pub-id",
    destinationCidrBlock: "0.0.0.0/0",
    gatewayId: "igw-id",
  }),
  res(T.assoc, "assoc-pub", { subnetId: "pub-id", routeTableId: "rt-pub-id" }),
  res(T.nat, "nat", { subnetId: "pub-id", allocationId: "eip" }),
  res(T.rt, "rt-app", { vpcId: "vpc-id", tags: { Tier: "app" } }),
  res(T.route, "route-app", {
    routeTableId: "rt-app-id",
    destinationCidrBlock: "0.0.0.0/0",
    natGatewayId: "nat-id",
  }),
  res(T.assoc, "assoc-app", { subnetId: "app-id", routeTableId: "rt-app-id" }),
  res(T.rt, "rt-data", { vpcId: "vpc-id", tags: { Tier: "data" } }),
  res(T.assoc, "assoc-data", { subnetId: "data-id", routeTableId: "rt-data-id" }),
];

const hardenedInstance = {
  subnetId: "app-id",
  instanceType: "m7i.large",
  iamInstanceProfile: "app-profile",
  monitoring: true,
  metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1 },
  rootBlockDevice: { encrypted: true, kmsKeyId: "phi" },
  tags: { Role: "app" },
};

const bucketName = "documents-1";
const tlsOnly = JSON.stringify({
  Version: "2012-10-17",
  Statement: [
    {
      Sid: "DenyInsecureTransport",
      Effect: "Deny",
      Principal: "*",
      Action: "s3:*",
      Resource: [`arn:aws:s3:::${bucketName}`, `arn:aws:s3:::${bucketName}/*`],
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    },
  ],
});

/** A bucket with every safeguard, and its access-log bucket. */
export const buckets: Fixture = [
  res(T.bucket, "documents", { bucket: bucketName, tags: { DataClassification: "PHI" } }),
  res(T.sse, "documents-sse", {
    bucket: bucketName,
    rules: [
      {
        applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: "phi" },
        bucketKeyEnabled: true,
      },
    ],
  }),
  res(T.versioning, "documents-versioning", {
    bucket: bucketName,
    versioningConfiguration: { status: "Enabled" },
  }),
  res(T.pab, "documents-pab", {
    bucket: bucketName,
    blockPublicAcls: true,
    blockPublicPolicy: true,
    ignorePublicAcls: true,
    restrictPublicBuckets: true,
  }),
  res(T.bucketPolicy, "documents-policy", { bucket: bucketName, policy: tlsOnly }),
  res(T.logging, "documents-logging", {
    bucket: bucketName,
    targetBucket: "access-logs-1",
    targetPrefix: "documents/",
  }),
  res(T.replication, "documents-replication", {
    bucket: bucketName,
    role: "arn:aws:iam::1:role/r",
    rules: [{ id: "all", status: "Enabled", destination: { bucket: "arn:aws:s3:::replica" } }],
  }),
  res(T.bucket, "access-logs", { bucket: "access-logs-1" }),
  res(T.sse, "access-logs-sse", {
    bucket: "access-logs-1",
    rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
  }),
  res(T.versioning, "access-logs-versioning", {
    bucket: "access-logs-1",
    versioningConfiguration: { status: "Enabled" },
  }),
  res(T.pab, "access-logs-pab", {
    bucket: "access-logs-1",
    blockPublicAcls: true,
    blockPublicPolicy: true,
    ignorePublicAcls: true,
    restrictPublicBuckets: true,
  }),
  res(T.bucketPolicy, "access-logs-policy", {
    bucket: "access-logs-1",
    policy: tlsOnly.replaceAll(bucketName, "access-logs-1"),
  }),
];

/** The documents bucket's policy as one deny of object reads, under this condition. */
const onlyReadDeny = (condition: Record<string, Record<string, string>>) =>
  set(
    "documents-policy",
    "policy",
    JSON.stringify({
      Statement: [
        {
          Effect: "Deny",
          Principal: "*",
          Action: "s3:GetObject*",
          Resource: `arn:aws:s3:::${bucketName}/*`,
          Condition: condition,
        },
      ],
    }),
  );

const goodDb = {
  engine: "postgres",
  storageEncrypted: true,
  kmsKeyId: "phi",
  backupRetentionPeriod: 35,
  deletionProtection: true,
  skipFinalSnapshot: false,
  multiAz: true,
  publiclyAccessible: false,
  manageMasterUserPassword: true,
  enabledCloudwatchLogsExports: ["postgresql", "upgrade"],
  monitoringInterval: 60,
  parameterGroupName: "pg-tls",
  dbSubnetGroupName: "db-subnets",
  vpcSecurityGroupIds: ["db-sg-id"],
};

const mfaTrust = JSON.stringify({
  Version: "2012-10-17",
  Statement: [
    {
      Effect: "Allow",
      Principal: { AWS: "arn:aws:iam::123456789012:root" },
      Action: "sts:AssumeRole",
      Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" } },
    },
  ],
});
const adminPolicy = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }],
});
const readPolicy = JSON.stringify({
  Version: "2012-10-17",
  Statement: [
    {
      Effect: "Allow",
      Action: ["logs:GetLogEvents"],
      Resource: "arn:aws:logs:*:*:log-group:/app:*",
    },
  ],
});

const ADMIN = "ec2-ingress-enforce-admin-allowlist";

export const CASES: readonly PolicyCase[] = [
  {
    policy: ADMIN,
    fixture: [
      res(T.ingress, "https", {
        securityGroupId: "sg-1",
        ipProtocol: "tcp",
        fromPort: 443,
        toPort: 443,
        cidrIpv4: "10.0.0.0/16",
      }),
    ],
    violations: [
      [
        "SSH from anywhere",
        both(
          set("https", "fromPort", 22),
          set("https", "toPort", 22),
          set("https", "cidrIpv4", "0.0.0.0/0"),
        ),
        "SSH (22) from 0.0.0.0/0",
      ],
      [
        "RDP inside a port range",
        both(set("https", "fromPort", 3000), set("https", "toPort", 4000)),
        "RDP (3389) from 10.0.0.0/16",
      ],
      ["all protocols", set("https", "ipProtocol", "-1"), "outside the allowed admin CIDRs"],
      [
        "inline SSH on a security group",
        add(
          res(T.sg, "inline", {
            ingress: [{ protocol: "tcp", fromPort: 22, toPort: 22, ipv6CidrBlocks: ["::/0"] }],
          }),
        ),
        "SSH (22) from ::/0",
      ],
    ],
  },
  {
    policy: "ec2-ingress-disallow-internet",
    fixture: [
      res(T.sg, "alb-sg", {
        ingress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }],
      }),
      res(T.lb, "alb", { internal: false, securityGroups: ["alb-sg-id"] }),
      res(T.ingress, "app-from-alb", {
        securityGroupId: "app-sg",
        ipProtocol: "tcp",
        fromPort: 8080,
        toPort: 8080,
        referencedSecurityGroupId: "alb-sg-id",
      }),
      // Tasks behind an internet-facing NLB that preserves client addresses and has no security
      // group: AWS has their group admit the clients, on the target port only.
      ...network,
      res(T.lb, "nlb", { loadBalancerType: "network", subnets: ["pub-id"] }),
      res(T.targetGroup, "tasks-tg", {
        port: 8443,
        protocol: "TLS",
        targetType: "ip",
        preserveClientIp: "true",
      }),
      res(T.listener, "nlb-tls", {
        loadBalancerArn: "arn:aws:test:eu-west-1:123456789012:nlb",
        port: 443,
        protocol: "TLS",
        defaultActions: [
          { type: "forward", targetGroupArn: "arn:aws:test:eu-west-1:123456789012:tasks-tg" },
        ],
      }),
      res(T.sg, "tasks-sg", {
        ingress: [{ protocol: "tcp", fromPort: 8443, toPort: 8443, cidrBlocks: ["0.0.0.0/0"] }],
      }),
      res(T.ecsService, "tasks", {
        networkConfiguration: { subnets: ["app-id"], securityGroups: ["tasks-sg-id"] },
        loadBalancers: [
          {
            targetGroupArn: "arn:aws:test:eu-west-1:123456789012:tasks-tg",
            containerName: "api",
            containerPort: 8443,
          },
        ],
      }),
    ],
    violations: [
      [
        "a web port on a group with no load balancer",
        drop("alb"),
        "only an internet-facing load balancer's security group may admit the internet",
      ],
      ["an internal load balancer", set("alb", "internal", true), "0.0.0.0/0"],
      [
        "a load balancer's group that is also an instance's",
        add(res(T.instance, "web", { subnetId: "pub-id", vpcSecurityGroupIds: ["alb-sg-id"] })),
        "alb-sg admits tcp port 443 from 0.0.0.0/0",
      ],
      [
        "NLB targets in a public subnet",
        set("tasks", "networkConfiguration.subnets", ["pub-id"]),
        "tasks-sg admits tcp port 8443 from 0.0.0.0/0",
      ],
      [
        "NLB targets that do not see client addresses (IP targets over TLS by default)",
        set("tasks-tg", "preserveClientIp", undefined),
        "tasks-sg admits tcp port 8443",
      ],
      [
        "NLB targets whose group admits more than the target port",
        set("tasks-sg", "ingress", [
          { protocol: "tcp", fromPort: 8443, toPort: 8444, cidrBlocks: ["0.0.0.0/0"] },
        ]),
        "tasks-sg admits tcp ports 8443-8444",
      ],
      [
        "NLB targets behind a load balancer with its own security group",
        set("nlb", "securityGroups", ["alb-sg-id"]),
        "tasks-sg admits tcp port 8443",
      ],
      [
        "NLB targets behind an internal load balancer",
        set("nlb", "internal", true),
        "tasks-sg admits tcp port 8443",
      ],
      [
        "another port from the internet",
        add(
          res(T.ingress, "db-open", {
            securityGroupId: "db-sg",
            ipProtocol: "tcp",
            fromPort: 5432,
            toPort: 5432,
            cidrIpv4: "0.0.0.0/0",
          }),
        ),
        "port 5432 from 0.0.0.0/0",
      ],
    ],
  },
  {
    policy: "ec2-ingress-disallow-public-subnet-to-data",
    fixture: [
      ...network,
      res(T.db, "db", goodDb),
      res(T.ingress, "db-from-app", {
        securityGroupId: "db-sg-id",
        ipProtocol: "tcp",
        fromPort: 5432,
        toPort: 5432,
        cidrIpv4: "10.0.1.0/24",
      }),
    ],
    violations: [
      [
        "the public subnet's CIDR",
        set("db-from-app", "cidrIpv4", "10.0.0.0/24"),
        "lets the public subnet pub (10.0.0.0/24) reach a data store",
      ],
      [
        "the whole VPC, public subnet included",
        set("db-from-app", "cidrIpv4", "10.0.0.0/16"),
        "public subnet pub",
      ],
    ],
  },
  {
    policy: "ec2-subnet-disallow-public-in-private",
    fixture: [
      ...network,
      res(T.instance, "web", { ...hardenedInstance }),
      res(T.instance, "bastion", {
        ...hardenedInstance,
        subnetId: "pub-id",
        associatePublicIpAddress: true,
        tags: { Role: "bastion" },
      }),
      res(T.dbSubnets, "db-subnets", { subnetIds: ["data-id"] }),
      res(T.mount, "mount", { fileSystemId: "fs", subnetId: "app-id" }),
      res(T.asg, "asg", { vpcZoneIdentifiers: ["app-id"], launchTemplate: { id: "lt-id" } }),
      res(T.lt, "lt", { networkInterfaces: [{ associatePublicIpAddress: "false" }] }),
    ],
    violations: [
      [
        "a public IP in a subnet whose main table a MainRouteTableAssociation swapped to a private one",
        both(
          drop("assoc-pub"),
          set("bastion", "tags", { Role: "app" }),
          set("bastion", "associatePublicIpAddress", true),
          add(
            res("aws:ec2/mainRouteTableAssociation:MainRouteTableAssociation", "main-swap", {
              vpcId: "vpc-id",
              routeTableId: "rt-app-id",
            }),
          ),
        ),
        "bastion gets a public IP in the private subnet pub",
      ],
      [
        "a public IP in a private subnet",
        set("web", "associatePublicIpAddress", true),
        "gets a public IP in the private subnet app",
      ],
      [
        "an application instance in a public subnet",
        set("web", "subnetId", "pub-id"),
        "runs in the public subnet pub",
      ],
      [
        "a database subnet group with a public subnet",
        set("db-subnets", "subnetIds", ["data-id", "pub-id"]),
        "a database subnet group, includes the public subnet pub",
      ],
      [
        "an EFS mount target in a public subnet",
        set("mount", "subnetId", "pub-id"),
        "EFS mount target",
      ],
      [
        "an Auto Scaling group in a public subnet",
        set("asg", "vpcZoneIdentifiers", ["pub-id"]),
        "launches instances in the public subnet",
      ],
      [
        "a launch template with public IPs in private subnets",
        set("lt", "networkInterfaces", [{ associatePublicIpAddress: "true" }]),
        "public IPs in the private subnet",
      ],
      [
        "an Elastic IP on a private instance",
        add(res("aws:ec2/eip:Eip", "eip", { instance: "web-id", domain: "vpc" })),
        "in the private subnet app, a public address",
      ],
      [
        "a subnet made private by the main table",
        both(drop("assoc-pub"), set("bastion", "associatePublicIpAddress", true)),
        "gets a public IP in the private subnet pub",
      ],
    ],
  },
  {
    policy: "ec2-subnet-disallow-public-ip-on-launch",
    fixture: [res(T.subnet, "pub", { cidrBlock: "10.0.0.0/24", mapPublicIpOnLaunch: false })],
    violations: [
      [
        "a subnet that maps public IPs",
        set("pub", "mapPublicIpOnLaunch", true),
        "set mapPublicIpOnLaunch to false",
      ],
    ],
  },
  {
    policy: "ec2-routetable-disallow-internet-in-data-tier",
    fixture: network,
    violations: [
      [
        "a NAT route on the data table",
        add(
          res(T.route, "route-data", {
            routeTableId: "rt-data-id",
            destinationCidrBlock: "0.0.0.0/0",
            natGatewayId: "nat-id",
          }),
        ),
        "a data-tier route table, sends 0.0.0.0/0 to nat-id",
      ],
      [
        "an internet route on a table used by a data subnet",
        set("assoc-data", "routeTableId", "rt-pub-id"),
        "sends 0.0.0.0/0 to igw-id",
      ],
      [
        "a NAT route on a table tagged TIER=Data (any case)",
        both(set("rt-app", "tags", { TIER: "Data" })),
        "rt-app, a data-tier route table, sends 0.0.0.0/0 to nat-id",
      ],
      [
        "an IPv6 route to an egress-only internet gateway on the data table",
        add(
          res(T.route, "route-data-v6", {
            routeTableId: "rt-data-id",
            destinationIpv6CidrBlock: "::/0",
            egressOnlyGatewayId: "eigw-id",
          }),
        ),
        "a data-tier route table, sends ::/0 to eigw-id",
      ],
    ],
  },
  {
    policy: "rds-instance-disallow-public-access",
    fixture: [res(T.db, "db", goodDb)],
    violations: [
      ["a public database", set("db", "publiclyAccessible", true), "is publicly accessible"],
    ],
  },
  {
    policy: "redshift-cluster-disallow-public-access",
    fixture: [res(T.redshift, "wh", { publiclyAccessible: false, encrypted: true })],
    violations: [
      [
        "a public Redshift Serverless workgroup",
        add(res("aws:redshiftserverless/workgroup:Workgroup", "wg", { publiclyAccessible: true })),
        "wg is publicly accessible",
      ],
      ["a public cluster", set("wh", "publiclyAccessible", true), "wh is publicly accessible"],
    ],
  },
  {
    policy: "opensearch-domain-disallow-public-access",
    fixture: [res(T.domain, "search", { vpcOptions: { subnetIds: ["data-id"] } })],
    violations: [["no VPC", set("search", "vpcOptions", undefined), "has a public endpoint"]],
  },
  {
    policy: "s3-bucket-disallow-public-access",
    fixture: buckets,
    violations: [
      ["no public access block", drop("documents-pab"), "has no public access block"],
      [
        "one flag off",
        set("documents-pab", "restrictPublicBuckets", false),
        "leaves restrictPublicBuckets off",
      ],
      ["a public ACL", set("documents", "acl", "public-read"), "has the public-read ACL"],
    ],
  },
  {
    policy: "s3-bucket-enforce-encryption",
    fixture: buckets,
    violations: [
      [
        "SSE-S3 on a PHI bucket that also receives access logs",
        both(
          set("documents-logging", "targetBucket", bucketName),
          set("documents-sse", "rules", [
            { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
          ]),
        ),
        "documents is encrypted with AES256",
      ],
      ["default encryption only", drop("documents-sse"), "only S3's default encryption"],
      [
        "SSE-S3 on a data bucket",
        set("documents-sse", "rules", [
          { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
        ]),
        "is encrypted with AES256",
      ],
      [
        "SSE-S3 on a log bucket that no longer receives logs",
        drop("documents-logging"),
        "access-logs is encrypted with AES256",
      ],
    ],
  },
  {
    policy: "ec2-volume-enforce-encryption",
    fixture: [
      res(T.instance, "app", {
        ...hardenedInstance,
        ebsBlockDevices: [{ deviceName: "/dev/sdf", encrypted: true, kmsKeyId: "phi" }],
      }),
      res(T.lt, "lt", {
        blockDeviceMappings: [
          { deviceName: "/dev/xvda", ebs: { encrypted: "true", kmsKeyId: "phi" } },
        ],
      }),
      res("aws:ebs/volume:Volume", "vol", { encrypted: true, kmsKeyId: "phi", size: 10 }),
    ],
    violations: [
      [
        "an unencrypted root volume",
        set("app", "rootBlockDevice.encrypted", false),
        "has an unencrypted volume (rootBlockDevice)",
      ],
      [
        "an unencrypted data volume",
        set("app", "ebsBlockDevices", [{ deviceName: "/dev/sdf" }]),
        "ebsBlockDevices[0].encrypted",
      ],
      [
        "an unencrypted launch template mapping",
        set("lt", "blockDeviceMappings", [
          { deviceName: "/dev/xvda", ebs: { encrypted: "false" } },
        ]),
        "has an unencrypted volume (blockDeviceMappings[0].ebs)",
      ],
      [
        "a launch template leaving it to the AMI",
        set("lt", "blockDeviceMappings", undefined),
        "leaves its volumes' encryption to the AMI",
      ],
      ["an unencrypted volume", set("vol", "encrypted", false), "vol has an unencrypted volume"],
    ],
  },
  {
    policy: "rds-storage-enforce-encryption",
    fixture: [
      res(T.db, "db", goodDb),
      res("aws:rds/cluster:Cluster", "aurora", { storageEncrypted: true, kmsKeyId: "phi" }),
    ],
    violations: [
      [
        "an unencrypted instance",
        set("db", "storageEncrypted", false),
        "db stores data unencrypted",
      ],
      [
        "an unencrypted cluster",
        set("aurora", "storageEncrypted", undefined),
        "aurora stores data unencrypted",
      ],
    ],
  },
  {
    policy: "efs-filesystem-enforce-encryption",
    fixture: [res(T.efs, "fs", { encrypted: true, kmsKeyId: "phi" })],
    violations: [["unencrypted", set("fs", "encrypted", undefined), "fs is unencrypted"]],
  },
  {
    policy: "elasticache-cluster-enforce-encryption",
    fixture: [
      res("aws:elasticache/replicationGroup:ReplicationGroup", "cache", {
        engine: "valkey",
        atRestEncryptionEnabled: "true",
        kmsKeyId: "phi",
        transitEncryptionEnabled: true,
      }),
      res("aws:elasticache/cluster:Cluster", "member", {
        engine: "valkey",
        replicationGroupId: "cache-id",
      }),
    ],
    violations: [
      [
        "no encryption at rest",
        set("cache", "atRestEncryptionEnabled", false),
        "is unencrypted at rest",
      ],
      [
        "no encryption in transit",
        set("cache", "transitEncryptionEnabled", undefined),
        "accepts plaintext connections",
      ],
      [
        'transitEncryptionMode "preferred"',
        set("cache", "transitEncryptionMode", "preferred"),
        'still accepts plaintext connections (transitEncryptionMode "preferred")',
      ],
      [
        "Memcached",
        add(res("aws:elasticache/cluster:Cluster", "memcached", { engine: "memcached" })),
        "uses the Memcached engine",
      ],
      [
        "a standalone Redis cluster",
        set("member", "replicationGroupId", undefined),
        "standalone cache cluster",
      ],
    ],
  },
  {
    policy: "dynamodb-table-enforce-encryption",
    fixture: [res(T.table, "index", { serverSideEncryption: { enabled: true, kmsKeyArn: "phi" } })],
    violations: [
      [
        "the AWS-owned key",
        set("index", "serverSideEncryption", undefined),
        "uses DynamoDB's AWS-owned key",
      ],
      [
        "the AWS-managed key",
        set("index", "serverSideEncryption.kmsKeyArn", undefined),
        "serverSideEncryption.kmsKeyArn",
      ],
    ],
  },
  {
    policy: "sns-topic-enforce-encryption",
    fixture: [res("aws:sns/topic:Topic", "alarms", { kmsMasterKeyId: "logs" })],
    violations: [["no key", set("alarms", "kmsMasterKeyId", undefined), "set kmsMasterKeyId"]],
  },
  {
    policy: "sqs-queue-enforce-encryption",
    fixture: [res("aws:sqs/queue:Queue", "dlq", { kmsMasterKeyId: "phi" })],
    violations: [
      [
        "SSE-SQS only",
        both(set("dlq", "kmsMasterKeyId", undefined), set("dlq", "sqsManagedSseEnabled", true)),
        "set kmsMasterKeyId",
      ],
    ],
  },
  {
    policy: "cloudwatch-loggroup-enforce-encryption",
    fixture: [res(T.logGroup, "logs", { kmsKeyId: "logs", retentionInDays: 365 })],
    violations: [
      [
        "no key",
        set("logs", "kmsKeyId", ""),
        "names no KMS key in kmsKeyId, so AWS encrypts it with a key the account does not control: set kmsKeyId to the ARN of a customer-managed KMS key",
      ],
    ],
  },
  {
    policy: "secretsmanager-secret-enforce-encryption",
    fixture: [res("aws:secretsmanager/secret:Secret", "secret", { kmsKeyId: "phi" })],
    violations: [
      ["no key", set("secret", "kmsKeyId", undefined), "secret names no KMS key in kmsKeyId"],
      [
        "the AWS-managed key",
        set("secret", "kmsKeyId", "alias/aws/secretsmanager"),
        "names the AWS-managed key alias/aws/secretsmanager",
      ],
    ],
  },
  {
    policy: "cloudtrail-trail-enforce-encryption",
    fixture: [res(T.trail, "trail", { kmsKeyId: "logs" })],
    violations: [["SSE-S3 only", set("trail", "kmsKeyId", undefined), "trail names no KMS key"]],
  },
  {
    policy: "backup-vault-enforce-encryption",
    fixture: [res("aws:backup/vault:Vault", "vault", { kmsKeyArn: "backups" })],
    violations: [
      ["the default key", set("vault", "kmsKeyArn", undefined), "vault names no KMS key"],
      [
        "the aws/backup alias",
        set("vault", "kmsKeyArn", "arn:aws:kms:eu-west-1:123456789012:alias/aws/backup"),
        "names the AWS-managed key",
      ],
    ],
  },
  {
    policy: "kinesis-stream-enforce-encryption",
    fixture: [
      res("aws:kinesis/stream:Stream", "stream", { encryptionType: "KMS", kmsKeyId: "phi" }),
      res("aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream", "hose", {
        serverSideEncryption: { enabled: true, keyType: "CUSTOMER_MANAGED_CMK", keyArn: "phi" },
      }),
    ],
    violations: [
      ["an unencrypted stream", set("stream", "encryptionType", "NONE"), "stream is unencrypted"],
      [
        "an unencrypted delivery stream",
        set("hose", "serverSideEncryption", undefined),
        "hose is unencrypted",
      ],
    ],
  },
  {
    policy: "opensearch-domain-enforce-encryption",
    fixture: [
      res(T.domain, "search", {
        encryptAtRest: { enabled: true, kmsKeyId: "phi" },
        nodeToNodeEncryption: { enabled: true },
        domainEndpointOptions: {
          enforceHttps: true,
          tlsSecurityPolicy: "Policy-Min-TLS-1-2-PFS-2023-10",
        },
      }),
    ],
    violations: [
      ["at rest", set("search", "encryptAtRest.enabled", false), "unencrypted at rest"],
      [
        "between nodes",
        set("search", "nodeToNodeEncryption", undefined),
        "between nodes in plaintext",
      ],
      [
        "at the endpoint",
        set("search", "domainEndpointOptions.enforceHttps", false),
        "accepts plain HTTP",
      ],
      [
        "a TLS policy that accepts TLS 1.0",
        set("search", "domainEndpointOptions.tlsSecurityPolicy", "Policy-Min-TLS-1-0-2019-07"),
        "accepts TLS below 1.2",
      ],
    ],
  },
  {
    policy: "redshift-cluster-enforce-encryption",
    fixture: [
      res(T.redshift, "wh", { encrypted: true, kmsKeyId: "phi", publiclyAccessible: false }),
    ],
    violations: [["unencrypted", set("wh", "encrypted", undefined), "wh is unencrypted"]],
  },
  {
    policy: "cognito-userpool-enforce-mfa",
    fixture: [
      res("aws:cognito/userPool:UserPool", "pool", {
        mfaConfiguration: "ON",
        userPoolAddOns: { advancedSecurityMode: "ENFORCED" },
        passwordPolicy: { minimumLength: 14 },
      }),
    ],
    violations: [
      ["optional MFA", set("pool", "mfaConfiguration", "OPTIONAL"), 'set it to "ON"'],
      [
        "threat protection audit-only",
        set("pool", "userPoolAddOns", { advancedSecurityMode: "AUDIT" }),
        "advancedSecurityMode",
      ],
      ["short passwords", set("pool", "passwordPolicy", { minimumLength: 8 }), "shorter than 14"],
    ],
  },
  {
    policy: "cognito-client-enforce-code-flow",
    fixture: [
      res("aws:cognito/userPoolClient:UserPoolClient", "web", {
        allowedOauthFlows: ["code"],
        explicitAuthFlows: ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
      }),
    ],
    violations: [
      ["implicit flow", set("web", "allowedOauthFlows", ["code", "implicit"]), "implicit flow"],
      [
        "password auth",
        set("web", "explicitAuthFlows", ["ALLOW_USER_PASSWORD_AUTH"]),
        "plaintext password",
      ],
      [
        "a managed client (one OpenSearch created) with the implicit flow",
        add(
          res("aws:cognito/managedUserPoolClient:ManagedUserPoolClient", "search", {
            userPoolId: "pool-id",
            allowedOauthFlows: ["implicit"],
          }),
        ),
        "search allows the implicit flow",
      ],
    ],
  },
  {
    policy: "lambda-function-enforce-environment-encryption",
    fixture: [
      res(T.fn, "fn", { environment: { variables: { TABLE: "index" } }, kmsKeyArn: "phi" }),
    ],
    violations: [
      ["the default key", set("fn", "kmsKeyArn", undefined), "fn names no KMS key in kmsKeyArn"],
    ],
  },
  {
    policy: "elb-listener-enforce-https",
    fixture: [
      res(T.listener, "https", {
        protocol: "HTTPS",
        port: 443,
        sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
        certificateArn: "arn:aws:acm:eu-west-1:1:certificate/x",
      }),
      res(T.listener, "http", {
        protocol: "HTTP",
        port: 80,
        defaultActions: [
          {
            type: "redirect",
            redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" },
          },
        ],
      }),
      res("aws:elb/loadBalancer:LoadBalancer", "classic", {
        listeners: [
          {
            lbProtocol: "https",
            lbPort: 443,
            instancePort: 8080,
            instanceProtocol: "http",
            sslCertificateId: "arn:aws:acm:eu-west-1:1:certificate/x",
          },
        ],
      }),
    ],
    violations: [
      [
        "an old TLS policy",
        set("https", "sslPolicy", "ELBSecurityPolicy-2016-08"),
        "negotiates ELBSecurityPolicy-2016-08",
      ],
      ["the default TLS policy", set("https", "sslPolicy", undefined), "the default policy"],
      [
        "a certificate from outside ACM",
        set("https", "certificateArn", "arn:aws:iam::1:server-certificate/x"),
        "not from ACM",
      ],
      [
        "an HTTP listener that forwards",
        set("http", "defaultActions", [{ type: "forward", targetGroupArn: "tg" }]),
        "serves plain HTTP",
      ],
      [
        "a classic HTTP listener",
        set("classic", "listeners", [
          { lbProtocol: "http", lbPort: 80, instancePort: 8080, instanceProtocol: "http" },
        ]),
        'listeners[0].lbProtocol to "https"',
      ],
    ],
  },
  {
    policy: "elb-loadbalancer-enable-drop-invalid-headers",
    fixture: [res(T.lb, "alb", { loadBalancerType: "application", dropInvalidHeaderFields: true })],
    violations: [
      [
        "headers kept",
        set("alb", "dropInvalidHeaderFields", undefined),
        "set dropInvalidHeaderFields to true",
      ],
    ],
  },
  {
    policy: "s3-bucket-enforce-tls",
    fixture: buckets,
    violations: [
      ["no bucket policy", drop("documents-policy"), "accepts requests without TLS"],
      [
        "a policy without the deny",
        set(
          "documents-policy",
          "policy",
          JSON.stringify({
            Statement: [
              {
                Effect: "Allow",
                Principal: { AWS: "arn:aws:iam::1:root" },
                Action: "s3:GetObject",
                Resource: "*",
              },
            ],
          }),
        ),
        "accepts requests without TLS",
      ],
    ],
  },
  {
    policy: "s3-bucket-enforce-enclave-isolation",
    fixture: both(
      set("documents", "tags", { DataClassification: "PHI", Enclave: "cardio01" }),
      set(
        "documents-policy",
        "policy",
        JSON.stringify({
          Statement: [
            ...(JSON.parse(tlsOnly) as { Statement: unknown[] }).Statement,
            {
              Sid: "DenyOutsideTheEnclave",
              Effect: "Deny",
              Principal: "*",
              Action: ["s3:GetObject*", "s3:PutObject*"],
              Resource: [`arn:aws:s3:::${bucketName}`, `arn:aws:s3:::${bucketName}/*`],
              Condition: {
                StringNotEquals: { "aws:SourceVpce": "vpce-1" },
                ArnNotEquals: { "aws:PrincipalArn": "arn:aws:iam::1:role/steward" },
              },
            },
          ],
        }),
      ),
    )(buckets),
    violations: [
      ["only the TLS deny", set("documents-policy", "policy", tlsOnly), "from outside it"],
      ["no bucket policy at all", drop("documents-policy"), "research enclave cardio01"],
      [
        "a deny that refuses the enclave's own endpoint instead of every other way in",
        onlyReadDeny({ StringEquals: { "aws:SourceVpce": "vpce-1" } }),
        "from outside it",
      ],
      [
        "a deny that another condition weakens",
        onlyReadDeny({ StringNotEquals: { "aws:SourceIp": "203.0.113.0/24" } }),
        "from outside it",
      ],
    ],
  },
  {
    policy: "rds-parametergroup-enforce-tls",
    fixture: [
      res(T.db, "db", goodDb),
      res(T.paramGroup, "pg", {
        name: "pg-tls",
        family: "postgres16",
        parameters: [{ name: "rds.force_ssl", value: "1" }],
      }),
    ],
    violations: [
      [
        "the default parameter group",
        set("db", "parameterGroupName", undefined),
        "rds.force_ssl = 1",
      ],
      [
        "a group that does not force TLS",
        set("pg", "parameters", [{ name: "log_connections", value: "1" }]),
        "accepts unencrypted connections",
      ],
    ],
  },
  {
    policy: "efs-filesystem-enforce-tls",
    fixture: [
      res(T.efs, "fs", { encrypted: true }),
      res(T.efsPolicy, "fs-policy", {
        fileSystemId: "fs-id",
        policy: JSON.stringify({
          Statement: [
            {
              Effect: "Deny",
              Principal: { AWS: "*" },
              Action: "*",
              Condition: { Bool: { "aws:SecureTransport": "false" } },
            },
          ],
        }),
      }),
    ],
    violations: [
      ["no file system policy", drop("fs-policy"), "can be mounted without TLS"],
      [
        "a deny of writes only, which leaves plaintext mounts and reads",
        set(
          "fs-policy",
          "policy",
          JSON.stringify({
            Statement: [
              {
                Effect: "Deny",
                Principal: { AWS: "*" },
                Action: "elasticfilesystem:ClientWrite",
                Condition: { Bool: { "aws:SecureTransport": "false" } },
              },
            ],
          }),
        ),
        "can be mounted without TLS",
      ],
    ],
  },
  {
    policy: "redshift-parametergroup-enforce-tls",
    fixture: [
      res(T.redshift, "wh", { clusterParameterGroupName: "tls" }),
      res("aws:redshift/parameterGroup:ParameterGroup", "tls", {
        name: "tls",
        parameters: [{ name: "require_ssl", value: "true" }],
      }),
    ],
    violations: [
      ["the default group", set("wh", "clusterParameterGroupName", undefined), "require_ssl"],
      [
        'a Serverless workgroup with require_ssl "false"',
        add(
          res("aws:redshiftserverless/workgroup:Workgroup", "wg", {
            namespaceName: "ns",
            configParameters: [{ parameterKey: "require_ssl", parameterValue: "false" }],
          }),
        ),
        "wg accepts plaintext connections",
      ],
    ],
  },
  {
    policy: "cloudtrail-trail-enforce-integrity",
    fixture: [
      res(T.trail, "trail", {
        isMultiRegionTrail: true,
        includeGlobalServiceEvents: true,
        enableLogFileValidation: true,
        cloudWatchLogsGroupArn: "arn:aws:logs:eu-west-1:1:log-group:trail:*",
        kmsKeyId: "logs",
      }),
    ],
    violations: [
      ["one region", set("trail", "isMultiRegionTrail", false), "records one region only"],
      ["no global events", set("trail", "includeGlobalServiceEvents", false), "misses IAM"],
      [
        "no validation",
        set("trail", "enableLogFileValidation", undefined),
        "cannot prove its logs unaltered",
      ],
      [
        "no CloudWatch delivery",
        set("trail", "cloudWatchLogsGroupArn", undefined),
        "does not deliver to CloudWatch Logs",
      ],
    ],
  },
  {
    policy: "cloudtrail-trail-missing-in-primary",
    fixture: [res(T.trail, "trail", { isMultiRegionTrail: true }, { stack: "ireland" })],
    config: { "cloudtrail-trail-missing-in-primary": { stacks: { primary: true } } },
    violations: [
      [
        "no trail in the primary",
        both(drop("trail"), add(res(T.key, "k", {}, { stack: "ireland" }))),
        "stack ireland does not enable a multi-region CloudTrail trail that is logging",
      ],
      [
        "a single-region trail",
        set("trail", "isMultiRegionTrail", false),
        "does not enable a multi-region",
      ],
    ],
  },
  {
    policy: "ec2-vpc-enable-flow-logs",
    fixture: [
      res(T.vpc, "vpc", { cidrBlock: "10.0.0.0/16" }),
      res("aws:ec2/flowLog:FlowLog", "fl", { vpcId: "vpc-id", trafficType: "ALL" }),
    ],
    violations: [
      ["no flow log", drop("fl"), "vpc has no flow log"],
      ["rejected traffic only", set("fl", "trafficType", "REJECT"), "logs only REJECT traffic"],
    ],
  },
  {
    policy: "s3-bucket-enable-access-logs",
    fixture: buckets,
    violations: [["no logging", drop("documents-logging"), "documents keeps no access logs"]],
  },
  {
    policy: "elb-loadbalancer-enable-access-logs",
    fixture: [res(T.lb, "alb", { accessLogs: { enabled: true, bucket: "alb-logs" } })],
    violations: [
      ["none", set("alb", "accessLogs", undefined), "keeps no access logs"],
      ["disabled", set("alb", "accessLogs.enabled", false), "keeps no access logs"],
      [
        "a bucket without enabled (it defaults to false)",
        set("alb", "accessLogs.enabled", undefined),
        "keeps no access logs",
      ],
    ],
  },
  {
    policy: "rds-instance-enable-log-exports",
    fixture: [res(T.db, "db", goodDb)],
    violations: [
      ["no exports", set("db", "enabledCloudwatchLogsExports", []), '["postgresql", "upgrade"]'],
    ],
  },
  {
    policy: "wafv2-webacl-enable-logging",
    fixture: [
      res("aws:wafv2/webAcl:WebAcl", "acl", {}),
      res("aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration", "acl-logs", {
        resourceArn: "arn:aws:test:eu-west-1:123456789012:acl",
      }),
    ],
    violations: [["no logging", drop("acl-logs"), "acl logs nothing"]],
  },
  {
    policy: "wafv2-loadbalancer-enable-webacl",
    fixture: [
      res(T.lb, "alb", { internal: false }),
      res("aws:wafv2/webAclAssociation:WebAclAssociation", "alb-waf", {
        resourceArn: "arn:aws:test:eu-west-1:123456789012:alb",
        webAclArn: "acl",
      }),
    ],
    violations: [["no web ACL", drop("alb-waf"), "faces the internet without a web ACL"]],
  },
  {
    policy: "cloudwatch-loggroup-configure-retention",
    fixture: [res(T.logGroup, "logs", { kmsKeyId: "logs", retentionInDays: 400 })],
    violations: [["90 days", set("logs", "retentionInDays", 90), "keeps logs 90 days"]],
  },
  {
    policy: "cloudwatch-alarm-enable-actions",
    fixture: [res("aws:cloudwatch/metricAlarm:MetricAlarm", "alarm", { alarmActions: ["topic"] })],
    violations: [
      ["no action", set("alarm", "alarmActions", []), "notifies nobody"],
      ["actions disabled", set("alarm", "actionsEnabled", false), "notifies nobody"],
    ],
  },
  {
    policy: "opensearch-domain-enable-error-logs",
    fixture: [
      res(T.domain, "search", {
        logPublishingOptions: [
          { logType: "ES_APPLICATION_LOGS", cloudwatchLogGroupArn: "x", enabled: true },
        ],
      }),
    ],
    violations: [["none", set("search", "logPublishingOptions", []), "ES_APPLICATION_LOGS"]],
  },
  {
    policy: "guardduty-detector-enable-in-region",
    fixture: [res("aws:guardduty/detector:Detector", "gd", { enable: true })],
    violations: [
      ["no detector", both(drop("gd"), add(res(T.key, "k", {}))), "does not enable GuardDuty"],
      ["a disabled detector", set("gd", "enable", false), "does not enable GuardDuty"],
    ],
  },
  {
    policy: "securityhub-account-enable-in-region",
    fixture: [res("aws:securityhub/account:Account", "hub", {})],
    violations: [
      ["none", both(drop("hub"), add(res(T.key, "k", {}))), "does not enable Security Hub"],
    ],
  },
  {
    policy: "config-recorder-enable-in-region",
    fixture: [res("aws:cfg/recorder:Recorder", "rec", {})],
    violations: [["none", both(drop("rec"), add(res(T.key, "k", {}))), "AWS Config recorder"]],
  },
  {
    policy: "rds-instance-enforce-backups",
    fixture: [res(T.db, "db", goodDb)],
    violations: [
      ["no backups", set("db", "backupRetentionPeriod", 0), "keeps 0 day(s) of automated backups"],
      ["too few", set("db", "backupRetentionPeriod", 3), "at least 7"],
      [
        "no deletion protection",
        set("db", "deletionProtection", false),
        "set deletionProtection to true",
      ],
      ["no final snapshot", set("db", "skipFinalSnapshot", true), "without a final snapshot"],
    ],
  },
  {
    policy: "rds-instance-configure-operations",
    fixture: [res(T.db, "db", goodDb)],
    violations: [
      [
        "a cluster confined to one AZ",
        add(res("aws:rds/cluster:Cluster", "aurora", { availabilityZones: ["eu-west-1a"] })),
        "aurora is confined to the AZ eu-west-1a",
      ],
      ["single AZ", set("db", "multiAz", false), "runs in one AZ"],
      ["no minor upgrades", set("db", "autoMinorVersionUpgrade", false), "skips security patches"],
      ["no enhanced monitoring", set("db", "monitoringInterval", 0), "no enhanced monitoring"],
    ],
  },
  {
    policy: "s3-bucket-enable-versioning",
    fixture: buckets,
    violations: [
      ["none", drop("documents-versioning"), "documents is not versioned"],
      [
        "suspended",
        set("documents-versioning", "versioningConfiguration.status", "Suspended"),
        "documents is not versioned",
      ],
    ],
  },
  {
    policy: "s3-bucket-enable-replication",
    fixture: buckets,
    violations: [
      [
        "a PHI bucket without replication",
        drop("documents-replication"),
        "holds PHI with no copy in another region",
      ],
      [
        "a replication rule that is disabled",
        set("documents-replication", "rules", [{ id: "all", status: "Disabled" }]),
        "no replication configuration with an enabled rule",
      ],
    ],
  },
  {
    policy: "dynamodb-table-enable-pitr",
    fixture: [
      res(T.table, "index", {
        pointInTimeRecovery: { enabled: true },
        deletionProtectionEnabled: true,
      }),
    ],
    violations: [
      ["no PITR", set("index", "pointInTimeRecovery", undefined), "point in time"],
      [
        "no deletion protection",
        set("index", "deletionProtectionEnabled", false),
        "deletionProtectionEnabled",
      ],
    ],
  },
  {
    policy: "dynamodb-table-configure-capacity",
    fixture: [res(T.table, "index", { name: "index", billingMode: "PAY_PER_REQUEST" })],
    violations: [
      [
        "fixed provisioned capacity",
        set("index", "billingMode", "PROVISIONED"),
        "fixed provisioned capacity",
      ],
    ],
  },
  {
    policy: "autoscaling-group-configure-resilience",
    fixture: [
      res(T.asg, "asg", {
        vpcZoneIdentifiers: ["a", "b", "c"],
        targetGroupArns: ["tg"],
        healthCheckType: "ELB",
      }),
    ],
    violations: [
      ["one AZ", set("asg", "vpcZoneIdentifiers", ["a"]), "runs in 1 AZ"],
      [
        "EC2 health checks behind a load balancer",
        set("asg", "healthCheckType", "EC2"),
        'healthCheckType to "ELB"',
      ],
    ],
  },
  {
    policy: "backup-resource-enable-plan-selection",
    fixture: [
      res(T.db, "db", { ...goodDb, tags: { Backup: "daily" } }),
      res(
        T.efs,
        "fs",
        { encrypted: true },
        { outputs: { arn: "arn:aws:elasticfilesystem:eu-west-1:1:file-system/fs" } },
      ),
      res("aws:backup/selection:Selection", "sel", {
        selectionTags: [{ type: "STRINGEQUALS", key: "Backup", value: "daily" }],
        resources: ["arn:aws:elasticfilesystem:eu-west-1:1:file-system/fs"],
      }),
    ],
    violations: [
      ["an untagged database", set("db", "tags", {}), "db is in no AWS Backup plan"],
      ["no selection at all", drop("sel"), "is in no AWS Backup plan"],
    ],
  },
  {
    policy: "elasticache-replicationgroup-enable-backups",
    fixture: [
      res("aws:elasticache/replicationGroup:ReplicationGroup", "cache", {
        snapshotRetentionLimit: 7,
        automaticFailoverEnabled: true,
      }),
    ],
    violations: [
      ["no snapshots", set("cache", "snapshotRetentionLimit", 0), "keeps no snapshots"],
      ["no failover", set("cache", "automaticFailoverEnabled", false), "does not fail over"],
    ],
  },
  {
    policy: "elb-loadbalancer-enable-deletion-protection",
    fixture: [res(T.lb, "alb", { enableDeletionProtection: true })],
    violations: [
      [
        "unprotected",
        set("alb", "enableDeletionProtection", undefined),
        "can be deleted by mistake",
      ],
    ],
  },
  {
    policy: "redshift-cluster-configure-operations",
    fixture: [res(T.redshift, "wh", { enhancedVpcRouting: true })],
    violations: [
      [
        "no snapshots",
        set("wh", "automatedSnapshotRetentionPeriod", 0),
        "keeps no automated snapshots",
      ],
      ["no upgrades", set("wh", "allowVersionUpgrade", false), "skips version upgrades"],
      ["public routing", set("wh", "enhancedVpcRouting", false), "outside the VPC"],
    ],
  },
  {
    policy: "iam-policy-disallow-admin-wildcard",
    fixture: [
      res(T.role, "break-glass", {
        name: "break-glass",
        assumeRolePolicy: mfaTrust,
        tags: { BreakGlass: "true" },
      }),
      res(T.attachment, "break-glass-admin", {
        role: "break-glass",
        policyArn: "arn:aws:iam::aws:policy/AdministratorAccess",
      }),
      res(T.role, "support", { name: "support", assumeRolePolicy: mfaTrust }),
      res(T.rolePolicy, "support-read", { role: "support", policy: readPolicy }),
    ],
    violations: [
      [
        "* on * for an everyday role",
        set("support-read", "policy", adminPolicy),
        "support-read allows every action on *",
      ],
      [
        "AdministratorAccess on an everyday role",
        set("break-glass-admin", "role", "support"),
        "gives support administrator rights",
      ],
      [
        "a break-glass role without MFA",
        set(
          "break-glass",
          "assumeRolePolicy",
          JSON.stringify({
            Statement: [
              {
                Effect: "Allow",
                Principal: { AWS: "arn:aws:iam::1:root" },
                Action: "sts:AssumeRole",
              },
            ],
          }),
        ),
        "administrator rights",
      ],
      [
        "an inline * on *",
        set("support", "inlinePolicies", [{ name: "all", policy: adminPolicy }]),
        "inline policy that allows every action on *",
      ],
    ],
  },
  {
    policy: "iam-policy-disallow-service-wildcards",
    fixture: [res(T.rolePolicy, "read", { role: "r", policy: readPolicy })],
    violations: [
      [
        "s3:*",
        set(
          "read",
          "policy",
          JSON.stringify({ Statement: [{ Effect: "Allow", Action: ["s3:*"], Resource: "*" }] }),
        ),
        "allows s3:*",
      ],
    ],
  },
  {
    policy: "iam-user-disallow-credentials",
    fixture: [res("aws:iam/user:User", "alice", { name: "alice" })],
    violations: [
      [
        "a console password",
        add(res("aws:iam/userLoginProfile:UserLoginProfile", "alice-login", { user: "alice" })),
        "gives an IAM user a console password",
      ],
      [
        "membership of a group that grants data access",
        add(
          res("aws:iam/group:Group", "readers", { name: "readers" }),
          res("aws:iam/groupPolicyAttachment:GroupPolicyAttachment", "readers-s3", {
            group: "readers",
            policyArn: "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
          }),
          res("aws:iam/userGroupMembership:UserGroupMembership", "alice-groups", {
            user: "alice",
            groups: ["readers"],
          }),
        ),
        "puts the IAM user alice in readers, which grants access",
      ],
      [
        "an inline user policy",
        add(
          res("aws:iam/userPolicy:UserPolicy", "alice-s3", { user: "alice", policy: readPolicy }),
        ),
        "gives an IAM user an inline policy",
      ],
      [
        "an attached user policy",
        add(
          res("aws:iam/userPolicyAttachment:UserPolicyAttachment", "alice-ro", {
            user: "alice",
            policyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess",
          }),
        ),
        "attaches a policy to an IAM user",
      ],
      [
        "an access key",
        add(res("aws:iam/accessKey:AccessKey", "alice-key", { user: "alice" })),
        "long-lived access key",
      ],
      [
        "a service-specific credential",
        add(
          res("aws:iam/serviceSpecificCredential:ServiceSpecificCredential", "alice-git", {
            serviceName: "codecommit.amazonaws.com",
            userName: "alice",
          }),
        ),
        "long-lived service-specific credential",
      ],
    ],
  },
  {
    policy: "iam-role-enforce-mfa",
    fixture: [
      res(T.role, "support", { assumeRolePolicy: mfaTrust }),
      res(T.role, "flow-logs", {
        assumeRolePolicy: JSON.stringify({
          Statement: [
            {
              Effect: "Allow",
              Principal: { Service: "vpc-flow-logs.amazonaws.com" },
              Action: "sts:AssumeRole",
            },
          ],
        }),
      }),
      // One named role of every account of the organization: role-to-role, no person.
      res(T.role, "org-auditor", {
        assumeRolePolicy: JSON.stringify({
          Statement: [
            {
              Effect: "Allow",
              Principal: { AWS: "*" },
              Action: "sts:AssumeRole",
              Condition: {
                StringEquals: { "aws:PrincipalOrgID": "o-a1b2c3d4e5" },
                ArnLike: { "aws:PrincipalArn": "arn:aws:iam::*:role/OrgAuditor" },
              },
            },
          ],
        }),
      }),
    ],
    violations: [
      [
        "an organization-wide trust whose principal ARN may be a user",
        set(
          "org-auditor",
          "assumeRolePolicy",
          JSON.stringify({
            Statement: [
              {
                Effect: "Allow",
                Principal: { AWS: "*" },
                Action: "sts:AssumeRole",
                Condition: {
                  StringEquals: { "aws:PrincipalOrgID": "o-a1b2c3d4e5" },
                  ArnLike: { "aws:PrincipalArn": "arn:aws:iam::*:*/OrgAuditor" },
                },
              },
            ],
          }),
        ),
        "org-auditor can be assumed by * without MFA",
      ],
      [
        "a human role without MFA",
        set(
          "support",
          "assumeRolePolicy",
          JSON.stringify({
            Statement: [
              {
                Effect: "Allow",
                Principal: { AWS: "arn:aws:iam::123456789012:root" },
                Action: "sts:AssumeRole",
              },
            ],
          }),
        ),
        "without MFA",
      ],
    ],
  },
  {
    policy: "iam-resourcepolicy-disallow-wildcard-principal",
    fixture: [
      res("aws:lambda/permission:Permission", "invoke", {
        function: "fn",
        action: "lambda:InvokeFunction",
        principal: "s3.amazonaws.com",
        sourceArn: "arn:aws:s3:::documents-1",
      }),
      res(T.bucketPolicy, "bp", { bucket: bucketName, policy: tlsOnly }),
      res("aws:sns/topicPolicy:TopicPolicy", "tp", {
        arn: "topic",
        policy: JSON.stringify({
          Statement: [
            {
              Effect: "Allow",
              Principal: { AWS: "*" },
              Action: "sns:Publish",
              Condition: { StringEquals: { "aws:SourceAccount": "1" } },
            },
          ],
        }),
      }),
      res("aws:lambda/permission:Permission", "perm", {
        principal: "s3.amazonaws.com",
        sourceArn: "arn:aws:s3:::x",
        action: "lambda:InvokeFunction",
        function: "fn",
      }),
    ],
    violations: [
      [
        "a service principal's permission without its source",
        set("invoke", "sourceArn", undefined),
        "in any account,",
      ],
      [
        "a public grant",
        set(
          "tp",
          "policy",
          JSON.stringify({
            Statement: [{ Effect: "Allow", Principal: "*", Action: "sns:Publish" }],
          }),
        ),
        'lets anyone (Principal "*")',
      ],
      [
        "a public Lambda permission",
        both(set("perm", "principal", "*"), set("perm", "sourceArn", undefined)),
        "lets anyone invoke the function",
      ],
      [
        "a public function URL",
        add(
          res("aws:lambda/functionUrl:FunctionUrl", "url", {
            authorizationType: "NONE",
            functionName: "fn",
          }),
        ),
        "unauthenticated URL",
      ],
    ],
  },
  {
    policy: "kms-key-enable-rotation",
    fixture: [
      res(T.key, "phi", { enableKeyRotation: true }),
      res(T.key, "signing", { customerMasterKeySpec: "RSA_2048", keyUsage: "SIGN_VERIFY" }),
    ],
    violations: [
      [
        "a symmetric key without rotation",
        set("phi", "enableKeyRotation", false),
        "phi never rotates",
      ],
    ],
  },
  {
    policy: "secretsmanager-secret-enable-rotation",
    fixture: [
      res("aws:secretsmanager/secret:Secret", "secret", {}),
      res("aws:secretsmanager/secretRotation:SecretRotation", "rot", { secretId: "secret-id" }),
    ],
    violations: [["no rotation", drop("rot"), "secret never rotates"]],
  },
  {
    policy: "ec2-instance-enforce-imdsv2",
    fixture: [
      res(T.instance, "app", hardenedInstance),
      res(T.lt, "lt", { name: "app-lt", metadataOptions: { httpTokens: "required" } }),
      // Launched from the template by name, with no options of its own: the template's apply.
      res(T.instance, "from-template", { launchTemplate: { name: "app-lt" } }),
    ],
    violations: [
      [
        "an instance whose template leaves tokens optional",
        set("lt", "metadataOptions.httpTokens", "optional"),
        "from-template allows IMDSv1 (nor does its launch template lt require tokens)",
      ],
      [
        "an instance that overrides its template's tokens",
        set("from-template", "metadataOptions", { httpTokens: "optional" }),
        "from-template allows IMDSv1",
      ],
      [
        "an instance without options whose account defaults leave tokens optional",
        both(
          set("from-template", "launchTemplate", undefined),
          add(
            res("aws:ec2/instanceMetadataDefaults:InstanceMetadataDefaults", "imds", {
              httpTokens: "no-preference",
            }),
          ),
        ),
        "from-template allows IMDSv1",
      ],
      [
        "IMDSv1 on an instance",
        set("app", "metadataOptions", undefined),
        'httpTokens to "required"',
      ],
      [
        "IMDSv1 optional on a template",
        set("lt", "metadataOptions.httpTokens", "optional"),
        "allows IMDSv1",
      ],
    ],
  },
  {
    policy: "ec2-instance-enforce-vpc-placement",
    fixture: [
      res(T.instance, "app", hardenedInstance),
      // Placed through its primary network interface, and through its launch template.
      res(T.instance, "via-eni", { primaryNetworkInterface: { networkInterfaceId: "eni-id" } }),
      res(T.lt, "lt", { name: "app-lt", networkInterfaces: [{ subnetId: "app-id" }] }),
      res(T.instance, "via-template", { launchTemplate: { id: "lt-id" } }),
    ],
    violations: [
      ["no subnet", set("app", "subnetId", undefined), "launch in the default VPC"],
      [
        "a launch template without a subnet",
        set("lt", "networkInterfaces", [{ deviceIndex: 0 }]),
        "via-template names no subnet (nor does its launch template lt)",
      ],
    ],
  },
  {
    policy: "ec2-instance-disallow-burstable-dedicated",
    fixture: [res(T.instance, "workstation", { ...hardenedInstance, tenancy: "dedicated" })],
    violations: [
      ["a T type", set("workstation", "instanceType", "t3.large"), "burstable type t3.large"],
      [
        "a T type on an instance whose launch template asks for dedicated tenancy",
        add(
          res(T.lt, "ws-lt", { placement: { tenancy: "dedicated" } }),
          res(T.instance, "from-template", {
            subnetId: "app-id",
            instanceType: "t3.medium",
            launchTemplate: { id: "ws-lt-id" },
          }),
        ),
        "from-template asks for dedicated tenancy with the burstable type t3.medium",
      ],
      [
        "a T type in a VPC of dedicated instance tenancy",
        add(
          res(T.vpc, "dedicated-vpc", { cidrBlock: "10.8.0.0/16", instanceTenancy: "dedicated" }),
          res(T.subnet, "dedicated-app", { vpcId: "dedicated-vpc-id", cidrBlock: "10.8.1.0/24" }),
          res(T.instance, "in-dedicated-vpc", {
            subnetId: "dedicated-app-id",
            instanceType: "t3.small",
          }),
        ),
        "in-dedicated-vpc asks for dedicated tenancy with the burstable type t3.small",
      ],
    ],
  },
  {
    policy: "ec2-instance-missing-profile",
    fixture: [
      res(T.instance, "app", hardenedInstance),
      res(T.lt, "lt", { iamInstanceProfile: { name: "p" } }),
      res(T.instance, "from-template", { launchTemplate: { id: "lt-id" } }),
    ],
    violations: [
      [
        "an instance without a profile",
        set("app", "iamInstanceProfile", undefined),
        "has no instance profile",
      ],
      [
        "a template without a profile",
        set("lt", "iamInstanceProfile", undefined),
        "launches instances without a profile",
      ],
    ],
  },
  {
    policy: "ec2-instance-configure-monitoring",
    fixture: [
      res(T.instance, "app", hardenedInstance),
      res(T.lt, "lt", { monitoring: { enabled: true } }),
      // Type and monitoring come from the template: nothing to say about the instance itself.
      res(T.instance, "from-template", { launchTemplate: { id: "lt-id" } }),
    ],
    violations: [
      ["basic monitoring", set("app", "monitoring", false), "every five minutes"],
      ["an older type", set("app", "instanceType", "m4.large"), "set ebsOptimized to true"],
      [
        "a template without detailed monitoring",
        set("lt", "monitoring", undefined),
        "without detailed monitoring",
      ],
    ],
  },
  {
    policy: "lambda-function-configure-isolation",
    fixture: [
      res(T.fn, "fn", {
        vpcConfig: { subnetIds: ["app-id"], securityGroupIds: ["sg"] },
        deadLetterConfig: { targetArn: "dlq" },
        reservedConcurrentExecutions: 5,
      }),
    ],
    violations: [
      ["outside a VPC", set("fn", "vpcConfig", undefined), "runs outside any VPC"],
      ["no dead-letter queue", set("fn", "deadLetterConfig", undefined), "loses failed events"],
      [
        "no reserved concurrency",
        set("fn", "reservedConcurrentExecutions", undefined),
        "reservedConcurrentExecutions",
      ],
    ],
  },
  {
    policy: "ec2-vpc-enforce-closed-default-security-group",
    fixture: [
      res(T.vpc, "vpc", { cidrBlock: "10.0.0.0/16" }),
      res("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", "dsg", { vpcId: "vpc-id" }),
    ],
    violations: [
      ["not adopted", drop("dsg"), "keeps AWS's allow rules"],
      [
        "with rules",
        set("dsg", "egress", [
          { protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] },
        ]),
        "dsg has rules",
      ],
      [
        "a rule attached apart to the default group",
        add(
          res("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "open", {
            securityGroupId: "dsg-id",
            ipProtocol: "-1",
            cidrIpv4: "0.0.0.0/0",
          }),
        ),
        "open adds a rule to a VPC's default security group",
      ],
    ],
  },
  {
    policy: "pulumi-resource-enforce-protect",
    fixture: [
      res(T.db, "db", { ...goodDb, tags: { Environment: "prod" } }, { protect: true }),
      res(T.key, "dev-key", { tags: { Environment: "dev" } }),
    ],
    violations: [
      [
        "an unprotected prod database",
        protect("db", false),
        "holds production data without protect",
      ],
      [
        "a resource tagged Environment prod in any case",
        add(res(T.table, "t", { tags: { environment: "PROD" } }, { stack: "ireland" })),
        "t holds production data",
      ],
    ],
  },
  {
    policy: "secrets-input-disallow-literal-credentials",
    fixture: [res(T.fn, "fn", { environment: { variables: { TABLE: "index" } } })],
    violations: [
      [
        "an access key id",
        set("fn", "environment.variables.KEY", "AKIAIOSFODNN7EXAMPLE"),
        "an AWS access key id",
      ],
      [
        "a private key",
        set("fn", "environment.variables.PEM", "-----BEGIN RSA PRIVATE KEY-----\nMII"),
        "a private key",
      ],
      [
        "an AWS secret access key under a harmless name",
        set("fn", "tags.Note", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
        "an AWS secret access key",
      ],
      [
        "a password in user data",
        add(
          res(T.instance, "vm", {
            subnetId: "app-id",
            userData: '#!/bin/bash\nexport DB_PASSWORD="hunter2hunter2"\n',
          }),
        ),
        "userData: DB_PASSWORD",
      ],
      [
        "a random-looking value under a harmless name in user data",
        add(
          res(T.instance, "vm2", {
            subnetId: "app-id",
            userData: '#!/bin/bash\nexport UPSTREAM="q7Rk2VmXp9LsT4wZb8NcYh3JdFg6Ae0U"\n',
          }),
        ),
        "userData: UPSTREAM (a high-entropy value)",
      ],
    ],
  },
  {
    policy: "rds-instance-enforce-managed-password",
    fixture: [res(T.db, "db", goodDb)],
    violations: [
      [
        "a literal password",
        both(
          set("db", "manageMasterUserPassword", undefined),
          set("db", "password", "Password123!"),
        ),
        "sets its master password in the program",
      ],
      [
        "no managed password",
        set("db", "manageMasterUserPassword", undefined),
        "has no managed master password",
      ],
    ],
  },
  {
    policy: "tagging-resource-enforce-phi-eligible-service",
    fixture: [res(T.table, "index", { tags: { DataClassification: "PHI" } })],
    violations: [
      [
        "PHI in a non-eligible service",
        add(res("aws:lightsail/instance:Instance", "box", { tags: { DataClassification: "PHI" } })),
        "lightsail is not a HIPAA-eligible service",
      ],
      [
        "PHI tagged in lower case",
        add(res("aws:lightsail/instance:Instance", "box", { tags: { dataclassification: "phi" } })),
        "lightsail is not a HIPAA-eligible service",
      ],
    ],
  },
  {
    policy: "ec2-ingress-disallow-internet-service-ports",
    fixture: [
      res(T.ingress, "db-from-app", {
        securityGroupId: "db-sg",
        ipProtocol: "tcp",
        fromPort: 5432,
        toPort: 5432,
        referencedSecurityGroupId: "app-sg",
      }),
    ],
    violations: [
      [
        "PostgreSQL from the two halves of the internet",
        both(
          set("db-from-app", "cidrIpv4", "0.0.0.0/1"),
          add(
            res(T.ingress, "db-upper", {
              securityGroupId: "db-sg",
              ipProtocol: "tcp",
              fromPort: 5000,
              toPort: 6000,
              cidrIpv4: "128.0.0.0/1",
            }),
          ),
        ),
        "port 5432 to the internet",
      ],
      [
        "PostgreSQL from a broad public block",
        set("db-from-app", "cidrIpv4", "8.0.0.0/7"),
        "through cidrIpv4 8.0.0.0/7",
      ],
    ],
  },
  {
    policy: "ec2-snapshot-disallow-public-sharing",
    fixture: [
      res("aws:rds/snapshot:Snapshot", "snap", { sharedAccounts: ["111122223333"] }),
      res("aws:ec2/amiLaunchPermission:AmiLaunchPermission", "ami", {
        imageId: "ami-1",
        accountId: "111122223333",
      }),
    ],
    violations: [
      [
        "a public DB snapshot",
        set("snap", "sharedAccounts", ["all"]),
        "snap is shared with every AWS account",
      ],
      ["a public AMI", set("ami", "group", "all"), "ami makes the image public"],
      [
        "a public copy of a cluster snapshot",
        add(
          res("aws:rds/clusterSnapshotCopy:ClusterSnapshotCopy", "copy", {
            sourceDbClusterSnapshotIdentifier:
              "arn:aws:rds:eu-west-1:123456789012:cluster-snapshot:s",
            targetDbClusterSnapshotIdentifier: "copy",
            sharedAccounts: ["111122223333", "all"],
          }),
        ),
        "copy is shared with every AWS account",
      ],
    ],
  },
  {
    policy: "rds-proxy-enforce-tls",
    fixture: [res("aws:rds/proxy:Proxy", "proxy", { requireTls: true })],
    violations: [["no TLS", set("proxy", "requireTls", undefined), "proxy accepts plaintext"]],
  },
  {
    policy: "cloudfront-distribution-enforce-tls",
    fixture: [
      res("aws:cloudfront/distribution:Distribution", "cdn", {
        defaultCacheBehavior: { viewerProtocolPolicy: "redirect-to-https" },
        viewerCertificate: {
          acmCertificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/x",
          minimumProtocolVersion: "TLSv1.2_2021",
        },
        origins: [
          {
            originId: "app",
            customOriginConfig: {
              originProtocolPolicy: "https-only",
              originSslProtocols: ["TLSv1.2"],
            },
          },
        ],
      }),
    ],
    violations: [
      [
        "viewers over HTTP",
        set("cdn", "defaultCacheBehavior.viewerProtocolPolicy", "allow-all"),
        "serves viewers over plain HTTP",
      ],
      [
        "the default certificate",
        set("cdn", "viewerCertificate", { cloudfrontDefaultCertificate: true }),
        "accepts viewers on TLS 1.0",
      ],
      [
        "an HTTP origin",
        set("cdn", "origins", [
          { originId: "app", customOriginConfig: { originProtocolPolicy: "http-only" } },
        ]),
        "reaches origin app over plain HTTP",
      ],
    ],
  },
  {
    policy: "ecs-taskdefinition-enforce-transit-encryption",
    fixture: [
      res("aws:ecs/taskDefinition:TaskDefinition", "task", {
        volumes: [
          {
            name: "files",
            efsVolumeConfiguration: { fileSystemId: "fs-1", transitEncryption: "ENABLED" },
          },
        ],
      }),
    ],
    violations: [
      [
        "EFS without TLS",
        set("task", "volumes", [
          { name: "files", efsVolumeConfiguration: { fileSystemId: "fs-1" } },
        ]),
        "mounts EFS without TLS",
      ],
    ],
  },
  {
    policy: "iam-role-enforce-trust-conditions",
    fixture: [
      res(T.role, "deploy", {
        assumeRolePolicy: JSON.stringify({
          Statement: [
            {
              Effect: "Allow",
              Principal: {
                Federated:
                  "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com",
              },
              Action: "sts:AssumeRoleWithWebIdentity",
              Condition: {
                StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" },
                StringLike: {
                  "token.actions.githubusercontent.com:sub":
                    "repo:acme/ehealth:ref:refs/heads/main",
                },
              },
            },
          ],
        }),
      }),
    ],
    violations: [
      [
        "any repository",
        set(
          "deploy",
          "assumeRolePolicy",
          JSON.stringify({
            Statement: [
              {
                Effect: "Allow",
                Principal: {
                  Federated:
                    "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com",
                },
                Action: "sts:AssumeRoleWithWebIdentity",
                Condition: {
                  StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" },
                  StringLike: { "token.actions.githubusercontent.com:sub": "repo:acme/*" },
                },
              },
            ],
          }),
        ),
        "trusts GitHub Actions workflows of any repository",
      ],
      [
        "anyone",
        set(
          "deploy",
          "assumeRolePolicy",
          JSON.stringify({
            Statement: [
              {
                Effect: "Allow",
                Principal: { AWS: "*" },
                Action: "sts:AssumeRole",
                Condition: { StringEquals: { "aws:PrincipalAccount": "" } },
              },
            ],
          }),
        ),
        "deploy can be assumed by anyone",
      ],
    ],
  },
  {
    policy: "kms-key-disallow-lockout-bypass",
    fixture: [res(T.key, "key", { enableKeyRotation: true })],
    violations: [
      [
        "the bypass",
        set("key", "bypassPolicyLockoutSafetyCheck", true),
        "skips KMS's lockout safety check",
      ],
      [
        "the bypass on a multi-Region replica key",
        add(
          res("aws:kms/replicaKey:ReplicaKey", "replica", {
            primaryKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/mrk-1",
            bypassPolicyLockoutSafetyCheck: true,
          }),
        ),
        "replica skips KMS's lockout safety check",
      ],
    ],
  },
  {
    policy: "efs-filesystem-configure-resilience",
    fixture: [res(T.efs, "fs", { encrypted: true, kmsKeyId: "phi" })],
    violations: [["One Zone", set("fs", "availabilityZoneName", "eu-west-1a"), "fs is One Zone"]],
  },
];
