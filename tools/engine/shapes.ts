/**
 * The state the mock engine gives each resource it creates: ids and ARNs shaped as AWS shapes
 * them, in the region of the provider that owns the resource, for a fixed account. A type not
 * listed still gets a plausible id and ARN, so any program can be evaluated.
 */

export type State = Record<string, unknown>;

/** A mocked resource's id and computed outputs, from its type, name and inputs. */
export type Shaper = (ctx: ShapeContext) => { id: string; state: State };

export interface ShapeContext {
  readonly name: string;
  readonly inputs: State;
  readonly region: string;
  readonly account: string;
  readonly partition: string;
  /** A stable hex string for this resource. */
  readonly hash: (length: number) => string;
  /** A stable UUID-shaped id for this resource (KMS keys, backup plans). */
  readonly uuid: () => string;
}

function arn(c: ShapeContext, service: string, resource: string, global = false): string {
  return `arn:${c.partition}:${service}:${global ? "" : c.region}:${c.account}:${resource}`;
}

function ec2(
  prefix: string,
  kind: string,
  extra: (c: ShapeContext, id: string) => State = () => ({}),
): Shaper {
  return (c) => {
    const id = `${prefix}-${c.hash(17)}`;
    return {
      id,
      state: { arn: arn(c, "ec2", `${kind}/${id}`), ownerId: c.account, ...extra(c, id) },
    };
  };
}

/** The physical name Pulumi's autonaming would give: the logical name plus a random suffix. */
function physicalName(c: ShapeContext, key = "name"): string {
  const given = c.inputs[key];
  return typeof given === "string" ? given : `${c.name}-${c.hash(7)}`;
}

export const SHAPERS: Record<string, Shaper> = {
  "aws:ec2/vpc:Vpc": ec2("vpc", "vpc", (c) => ({
    defaultNetworkAclId: `acl-${c.hash(17)}`,
    defaultSecurityGroupId: `sg-${c.hash(17)}`,
    defaultRouteTableId: `rtb-${c.hash(17)}`,
    mainRouteTableId: `rtb-${c.hash(17)}`,
    dhcpOptionsId: `dopt-${c.hash(17)}`,
  })),
  "aws:ec2/subnet:Subnet": ec2("subnet", "subnet"),
  "aws:ec2/routeTable:RouteTable": ec2("rtb", "route-table"),
  "aws:ec2/routeTableAssociation:RouteTableAssociation": ec2("rtbassoc", "route-table-association"),
  "aws:ec2/route:Route": (c) => ({ id: `r-${c.hash(17)}`, state: {} }),
  "aws:ec2/internetGateway:InternetGateway": ec2("igw", "internet-gateway"),
  "aws:ec2/natGateway:NatGateway": ec2("nat", "natgateway", (c) => ({
    privateIp: "10.255.0.10",
    networkInterfaceId: `eni-${c.hash(17)}`,
  })),
  "aws:ec2/eip:Eip": ec2("eipalloc", "elastic-ip", (c) => ({
    allocationId: `eipalloc-${c.hash(17)}`,
    publicIp: `203.0.113.${parseInt(c.hash(2), 16) % 250}`,
  })),
  "aws:ec2/networkAcl:NetworkAcl": ec2("acl", "network-acl"),
  "aws:ec2/defaultNetworkAcl:DefaultNetworkAcl": (c) => ({
    id: String(c.inputs.defaultNetworkAclId),
    state: {
      arn: arn(c, "ec2", `network-acl/${String(c.inputs.defaultNetworkAclId)}`),
      ownerId: c.account,
    },
  }),
  "aws:ec2/securityGroup:SecurityGroup": ec2("sg", "security-group", (c) => ({
    name: physicalName(c),
  })),
  "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": ec2("sg", "security-group", () => ({
    name: "default",
  })),
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": ec2(
    "sgr",
    "security-group-rule",
    (_c, id) => ({
      securityGroupRuleId: id,
    }),
  ),
  "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": ec2(
    "sgr",
    "security-group-rule",
    (_c, id) => ({
      securityGroupRuleId: id,
    }),
  ),
  "aws:ec2/vpcEndpoint:VpcEndpoint": ec2("vpce", "vpc-endpoint", (c) => ({
    dnsEntries: [
      {
        dnsName: `vpce-${c.hash(17)}.${c.region}.vpce.amazonaws.com`,
        hostedZoneId: "Z7HUB22UULQXV",
      },
    ],
    prefixListId: `pl-${c.hash(8)}`,
  })),
  "aws:ec2/flowLog:FlowLog": ec2("fl", "vpc-flow-log"),
  "aws:kms/key:Key": (c) => {
    const id = c.uuid();
    return { id, state: { keyId: id, arn: arn(c, "kms", `key/${id}`) } };
  },
  "aws:kms/alias:Alias": (c) => {
    const name = String(c.inputs.name);
    return {
      id: name,
      state: {
        arn: arn(c, "kms", name),
        targetKeyArn: arn(c, "kms", `key/${String(c.inputs.targetKeyId)}`),
      },
    };
  },
  "aws:cloudwatch/logGroup:LogGroup": (c) => {
    const name = physicalName(c);
    return { id: name, state: { name, arn: arn(c, "logs", `log-group:${name}`) } };
  },
  "aws:iam/role:Role": (c) => {
    const name = physicalName(c);
    return {
      id: name,
      state: {
        name,
        arn: arn(c, "iam", `role/${name}`, true),
        uniqueId: `AROA${c.hash(17).toUpperCase()}`,
      },
    };
  },
  "aws:iam/user:User": (c) => {
    const name = physicalName(c);
    return {
      id: name,
      state: {
        name,
        arn: arn(c, "iam", `user/${name}`, true),
        uniqueId: `AIDA${c.hash(17).toUpperCase()}`,
      },
    };
  },
  "aws:s3/bucket:Bucket": (c) => bucket(c),
  "aws:s3/bucketV2:BucketV2": (c) => bucket(c),
  "aws:ec2/instance:Instance": ec2("i", "instance", (c) => ({
    privateIp: "10.0.0.10",
    primaryNetworkInterfaceId: `eni-${c.hash(17)}`,
    ...(c.inputs.associatePublicIpAddress === true ? { publicIp: "198.51.100.10" } : {}),
  })),
  "aws:rds/subnetGroup:SubnetGroup": (c) => {
    const name = physicalName(c);
    return { id: name, state: { name, arn: arn(c, "rds", `subgrp:${name}`) } };
  },
  "aws:elasticache/subnetGroup:SubnetGroup": (c) => {
    const name = physicalName(c);
    return { id: name, state: { name, arn: arn(c, "elasticache", `subnetgroup:${name}`) } };
  },
  "aws:rds/parameterGroup:ParameterGroup": (c) => {
    const name = physicalName(c);
    return { id: name, state: { name, arn: arn(c, "rds", `pg:${name}`) } };
  },
  "aws:rds/instance:Instance": (c) => {
    const identifier = physicalName(c, "identifier");
    const address = `${identifier}.${c.hash(12)}.${c.region}.rds.amazonaws.com`;
    return {
      id: identifier,
      state: {
        identifier,
        arn: arn(c, "rds", `db:${identifier}`),
        address,
        endpoint: `${address}:5432`,
        resourceId: `db-${c.hash(26).toUpperCase()}`,
      },
    };
  },
  "aws:efs/fileSystem:FileSystem": (c) => {
    const id = `fs-${c.hash(17)}`;
    return {
      id,
      state: {
        arn: arn(c, "elasticfilesystem", `file-system/${id}`),
        dnsName: `${id}.efs.${c.region}.amazonaws.com`,
      },
    };
  },
  "aws:dynamodb/table:Table": (c) => {
    const name = physicalName(c);
    return { id: name, state: { name, arn: arn(c, "dynamodb", `table/${name}`), streamArn: "" } };
  },
  "aws:backup/vault:Vault": (c) => {
    const name = physicalName(c);
    return {
      id: name,
      state: { name, arn: arn(c, "backup", `backup-vault:${name}`), recoveryPoints: 0 },
    };
  },
  "aws:backup/plan:Plan": (c) => {
    const id = c.uuid();
    return { id, state: { arn: arn(c, "backup", `backup-plan:${id}`), version: c.hash(16) } };
  },
  "aws:acm/certificate:Certificate": (c) => {
    const domain = String(c.inputs.domainName ?? `${c.name}.example.org`);
    return {
      id: arn(c, "acm", `certificate/${c.uuid()}`),
      state: {
        arn: arn(c, "acm", `certificate/${c.uuid()}`),
        domainValidationOptions: [
          {
            domainName: domain,
            resourceRecordName: `_${c.hash(32)}.${domain}.`,
            resourceRecordType: "CNAME",
            resourceRecordValue: `_${c.hash(32).split("").reverse().join("")}.acm-validations.aws.`,
          },
        ],
        status: "ISSUED",
      },
    };
  },
  "aws:lb/loadBalancer:LoadBalancer": (c) => {
    const name = physicalName(c);
    const suffix = `app/${name}/${c.hash(16)}`;
    return {
      id: arn(c, "elasticloadbalancing", `loadbalancer/${suffix}`),
      state: {
        name,
        arn: arn(c, "elasticloadbalancing", `loadbalancer/${suffix}`),
        arnSuffix: suffix,
        dnsName: `${name}-${c.hash(10)}.${c.region}.elb.amazonaws.com`,
        zoneId: ALB_ZONE_IDS[c.region] ?? "Z0000000000000",
      },
    };
  },
  "aws:lb/targetGroup:TargetGroup": (c) => {
    const name = physicalName(c);
    const suffix = `targetgroup/${name}/${c.hash(16)}`;
    return {
      id: arn(c, "elasticloadbalancing", suffix),
      state: { name, arn: arn(c, "elasticloadbalancing", suffix), arnSuffix: suffix },
    };
  },
  "aws:lb/listener:Listener": (c) => {
    const id = arn(c, "elasticloadbalancing", `listener/app/${c.name}/${c.hash(16)}`);
    return { id, state: { arn: id } };
  },
  "aws:wafv2/webAcl:WebAcl": (c) => {
    const name = physicalName(c);
    const id = c.uuid();
    return {
      id,
      state: { name, arn: arn(c, "wafv2", `regional/webacl/${name}/${id}`), capacity: 700 },
    };
  },
  "aws:ec2/launchTemplate:LaunchTemplate": ec2("lt", "launch-template", () => ({
    latestVersion: 1,
    defaultVersion: 1,
  })),
  "aws:autoscaling/group:Group": (c) => {
    const name = physicalName(c);
    return {
      id: name,
      state: {
        name,
        arn: arn(c, "autoscaling", `autoScalingGroup:${c.uuid()}:autoScalingGroupName/${name}`),
      },
    };
  },
  "aws:iam/instanceProfile:InstanceProfile": (c) => {
    const name = physicalName(c);
    return { id: name, state: { name, arn: arn(c, "iam", `instance-profile/${name}`, true) } };
  },
  "aws:iam/serviceLinkedRole:ServiceLinkedRole": (c) => {
    const service = String(c.inputs.awsServiceName ?? "service.amazonaws.com");
    const base =
      service === "autoscaling.amazonaws.com" ? "AWSServiceRoleForAutoScaling" : "AWSServiceRole";
    const name = c.inputs.customSuffix ? `${base}_${String(c.inputs.customSuffix)}` : base;
    return {
      id: arn(c, "iam", `role/aws-service-role/${service}/${name}`, true),
      state: { name, arn: arn(c, "iam", `role/aws-service-role/${service}/${name}`, true) },
    };
  },
  "aws:route53/healthCheck:HealthCheck": (c) => ({ id: c.uuid(), state: {} }),
  "aws:route53/record:Record": (c) => {
    const name = String(c.inputs.name ?? c.name);
    return {
      id: `Z${c.hash(13).toUpperCase()}_${name}_${String(c.inputs.type ?? "A")}`,
      state: { fqdn: name },
    };
  },
  "aws:lambda/function:Function": (c) => {
    const name = physicalName(c);
    const functionArn = arn(c, "lambda", `function:${name}`);
    return {
      id: name,
      state: {
        name,
        arn: functionArn,
        qualifiedArn: `${functionArn}:$LATEST`,
        invokeArn: `arn:${c.partition}:apigateway:${c.region}:lambda:path/2015-03-31/functions/${functionArn}/invocations`,
        version: "$LATEST",
      },
    };
  },
  "aws:sqs/queue:Queue": (c) => {
    const name = physicalName(c);
    const url = `https://sqs.${c.region}.amazonaws.com/${c.account}/${name}`;
    return { id: url, state: { name, url, arn: arn(c, "sqs", name) } };
  },
  "aws:sns/topic:Topic": (c) => {
    const name = physicalName(c);
    const topicArn = arn(c, "sns", name);
    return { id: topicArn, state: { name, arn: topicArn } };
  },
  "aws:ebs/volume:Volume": ec2("vol", "volume"),
  "aws:ssm/document:Document": (c) => {
    const name = physicalName(c);
    return { id: name, state: { name, arn: arn(c, "ssm", `document/${name}`) } };
  },
  "aws:iam/rolePolicy:RolePolicy": (c) => {
    const name = physicalName(c);
    return { id: `${String(c.inputs.role)}:${name}`, state: { name } };
  },
};

function bucket(c: ShapeContext): { id: string; state: State } {
  // Bucket names are global and lowercase: autonaming appends a suffix to the logical name.
  const name =
    typeof c.inputs.bucket === "string" ? c.inputs.bucket : `${c.name.toLowerCase()}-${c.hash(7)}`;
  return {
    id: name,
    state: {
      bucket: name,
      arn: `arn:${c.partition}:s3:::${name}`,
      bucketDomainName: `${name}.s3.amazonaws.com`,
      bucketRegionalDomainName: `${name}.s3.${c.region}.amazonaws.com`,
      region: c.region,
    },
  };
}

/** The hosted zone of Application Load Balancers per region (for alias records). */
const ALB_ZONE_IDS: Record<string, string> = {
  "eu-west-1": "Z32O12XQLNTSW2",
  "eu-west-2": "ZHURV8PSTC4K8",
  "eu-central-1": "Z215JYRZR1TBD5",
  "us-east-1": "Z35SXDOTRQ7X7K",
  "us-east-2": "Z3AADJGX6KTTL2",
  "us-west-1": "Z368ELLRRE2KJ0",
  "us-west-2": "Z1H1FL5HABSF5",
  "ca-central-1": "ZQSVJUPU6J1EY",
};
