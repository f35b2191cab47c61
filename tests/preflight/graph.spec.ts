import { expect } from "chai";
import fc from "fast-check";
import { ProgramGraph } from "../../tools/preflight/graph";
import { arnFits, policyProblems } from "../../tools/preflight/rules/iam";
import { naclGaps } from "../../tools/preflight/rules/convergence";
import { settingsOf } from "../../tools/preflight/rules/buckets";
import { selectedResources } from "../../tools/preflight/rules/kms";
import { ACCOUNT, Program, doc, findings } from "./program";

const ordered = async (rule: string, build: (p: Program, wait: boolean) => void) => {
  const racing = new Program();
  build(racing, false);
  const waiting = new Program();
  build(waiting, true);
  return { racing: await findings(rule, racing), waiting: await findings(rule, waiting) };
};

describe("preflight: ordering", () => {
  it("order-trail-after-bucket-and-role-policies: the trail waits for the bucket policy and the log role's policy", async () => {
    const { racing, waiting } = await ordered(
      "order-trail-after-bucket-and-role-policies",
      (p, wait) => {
        const b = p.add("aws:s3/bucket:Bucket", "archive", { bucket: "archive" });
        const bp = p.add("aws:s3/bucketPolicy:BucketPolicy", "archive", {
          bucket: b.id,
          policy: doc(),
        });
        const role = p.add("aws:iam/role:Role", "trail", { name: "trail" });
        const rp = p.add("aws:iam/rolePolicy:RolePolicy", "trail", {
          role: role.id,
          policy: doc(),
        });
        p.add(
          "aws:cloudtrail/trail:Trail",
          "trail",
          { s3BucketName: b.id, cloudWatchLogsRoleArn: p.arn(role) },
          { dependsOn: wait ? [bp, rp] : [b, role] },
        );
      },
    );
    expect(racing).to.have.length(2);
    expect(waiting).to.deep.equal([]);
  });

  it("order-config-recorder-channel-rules: channel after recorder, status after channel, rules after recorder", async () => {
    const { racing, waiting } = await ordered("order-config-recorder-channel-rules", (p, wait) => {
      const rec = p.add("aws:cfg/recorder:Recorder", "rec", { name: "rec" });
      const ch = p.add(
        "aws:cfg/deliveryChannel:DeliveryChannel",
        "ch",
        { name: "ch" },
        { dependsOn: wait ? [rec] : [] },
      );
      const st = p.add(
        "aws:cfg/recorderStatus:RecorderStatus",
        "st",
        { name: "rec" },
        { dependsOn: wait ? [ch] : [] },
      );
      p.add("aws:cfg/rule:Rule", "rule", { name: "rule" }, { dependsOn: wait ? [st] : [] });
    });
    expect(racing).to.have.length(3);
    expect(waiting).to.deep.equal([]);
  });

  it("order-replication-after-versioning: replication waits for the source's versioning", async () => {
    const { racing, waiting } = await ordered("order-replication-after-versioning", (p, wait) => {
      const b = p.add("aws:s3/bucket:Bucket", "docs", { bucket: "docs" });
      const v = p.add("aws:s3/bucketVersioning:BucketVersioning", "docs", {
        bucket: b.id,
        versioningConfiguration: { status: "Enabled" },
      });
      p.add(
        "aws:s3/bucketReplicationConfig:BucketReplicationConfig",
        "docs",
        { bucket: b.id, rules: [] },
        { dependsOn: wait ? [v] : [b] },
      );
    });
    expect(racing).to.have.length(1);
    expect(waiting).to.deep.equal([]);
  });

  it("order-https-listener-after-certificate-validation: a listener takes an issued certificate", async () => {
    const { racing, waiting } = await ordered(
      "order-https-listener-after-certificate-validation",
      (p, wait) => {
        const cert = p.add("aws:acm/certificate:Certificate", "cert", {
          domainName: "app.example.org",
          validationMethod: "DNS",
        });
        const v = p.add(
          "aws:acm/certificateValidation:CertificateValidation",
          "cert",
          { certificateArn: p.arn(cert) },
          { dependsOn: [cert] },
        );
        p.add(
          "aws:lb/listener:Listener",
          "https",
          { protocol: "HTTPS", certificateArn: p.arn(cert) },
          { dependsOn: wait ? [v] : [cert] },
        );
      },
    );
    expect(racing).to.have.length(1);
    expect(waiting).to.deep.equal([]);
  });

  it("order-bucket-notification-after-permission: S3 validates a Lambda destination's permission when the notification is put", async () => {
    const { racing, waiting } = await ordered(
      "order-bucket-notification-after-permission",
      (p, wait) => {
        const fn = p.add("aws:lambda/function:Function", "fn", { name: "fn" });
        p.add("aws:iam/role:Role", "fn", { name: "fn" });
        const b = p.add("aws:s3/bucket:Bucket", "in", { bucket: "in" });
        const perm = wait
          ? p.add("aws:lambda/permission:Permission", "fn", {
              function: "fn",
              principal: "s3.amazonaws.com",
              sourceArn: p.arn(b),
            })
          : undefined;
        p.add(
          "aws:s3/bucketNotification:BucketNotification",
          "in",
          { bucket: b.id, lambdaFunctions: [{ lambdaFunctionArn: p.arn(fn) }] },
          { dependsOn: perm ? [perm] : [] },
        );
      },
    );
    expect(racing).to.have.length(1);
    expect(racing[0].message).to.include("no aws.lambda.Permission");
    expect(waiting).to.deep.equal([]);
  });

  it("order-securityhub-standards-after-account: a subscription waits for Security Hub", async () => {
    const { racing, waiting } = await ordered(
      "order-securityhub-standards-after-account",
      (p, wait) => {
        const hub = p.add("aws:securityhub/account:Account", "hub", {});
        p.add(
          "aws:securityhub/standardsSubscription:StandardsSubscription",
          "fsbp",
          {
            standardsArn:
              "arn:aws:securityhub:eu-west-1::standards/aws-foundational-security-best-practices/v/1.0.0",
          },
          { dependsOn: wait ? [hub] : [] },
        );
      },
    );
    expect(racing).to.have.length(1);
    expect(waiting).to.deep.equal([]);
  });
});

describe("preflight: ordering of log delivery", () => {
  it("order-load-balancer-after-log-bucket-policy: ELB tests its log bucket when access logs are enabled", async () => {
    const { racing, waiting } = await ordered(
      "order-load-balancer-after-log-bucket-policy",
      (p, wait) => {
        const b = p.add("aws:s3/bucket:Bucket", "alb-logs", { bucket: "alb-logs" });
        const bp = p.add("aws:s3/bucketPolicy:BucketPolicy", "alb-logs", {
          bucket: b.id,
          policy: doc(),
        });
        p.add(
          "aws:lb/loadBalancer:LoadBalancer",
          "alb",
          { name: "alb", accessLogs: { bucket: b.id, enabled: true } },
          { dependsOn: wait ? [bp] : [b] },
        );
      },
    );
    expect(racing).to.have.length(1);
    expect(waiting).to.deep.equal([]);
  });

  it("order-flow-log-after-role-policy: a flow log waits for its delivery role's policy", async () => {
    const { racing, waiting } = await ordered("order-flow-log-after-role-policy", (p, wait) => {
      const role = p.add("aws:iam/role:Role", "flow", { name: "flow" });
      const rp = p.add("aws:iam/rolePolicy:RolePolicy", "flow", { role: role.id, policy: doc() });
      p.add(
        "aws:ec2/flowLog:FlowLog",
        "vpc",
        { iamRoleArn: p.arn(role), trafficType: "ALL" },
        { dependsOn: wait ? [rp] : [role] },
      );
    });
    expect(racing).to.have.length(1);
    expect(waiting).to.deep.equal([]);
  });
});

describe("preflight: convergence", () => {
  const group = (p: Program, version: string, userData: string) => {
    const lt = p.add("aws:ec2/launchTemplate:LaunchTemplate", "lt", {
      userData: Buffer.from(userData).toString("base64"),
    });
    const tg = p.add("aws:lb/targetGroup:TargetGroup", "tg", {
      name: "tg",
      port: 8443,
      protocol: "HTTPS",
      healthCheck: { path: "/health" },
    });
    p.add("aws:autoscaling/group:Group", "asg", {
      launchTemplate: { id: lt.id, version },
      instanceRefresh: { strategy: "Rolling" },
      healthCheckType: "ELB",
      targetGroupArns: [p.arn(tg)],
    });
  };

  it("asg-instance-refresh-needs-version: $Latest never starts a refresh, a version number does", async () => {
    const bad = new Program();
    group(bad, "$Latest", "");
    const good = new Program();
    group(good, "3", "");
    expect(await findings("asg-instance-refresh-needs-version", bad)).to.have.length(1);
    expect(await findings("asg-instance-refresh-needs-version", good)).to.deep.equal([]);
  });

  it("asg-elb-health-check-port-unserved: user data must start something on the target port", async () => {
    const bad = new Program();
    group(bad, "1", "#!/bin/bash\ndnf install -y amazon-cloudwatch-agent\n");
    const good = new Program();
    group(good, "1", "#!/bin/bash\nsystemctl enable --now placeholder # listens on 8443\n");
    expect(await findings("asg-elb-health-check-port-unserved", bad)).to.have.length(1);
    expect(await findings("asg-elb-health-check-port-unserved", good)).to.deep.equal([]);
  });

  it("lambda-reserved-concurrency: any reservation is reported with the account limit it needs; none is not", async () => {
    const p = new Program();
    p.add("aws:lambda/function:Function", "a", { name: "a", reservedConcurrentExecutions: 5 });
    p.add("aws:lambda/function:Function", "b", { name: "b" });
    const hits = await findings("lambda-reserved-concurrency", p);
    expect(hits).to.have.length(1);
    expect(hits[0].message).to.include("at least 105");
  });

  it("lambda-vpc-reaches-apis: a VPC function without NAT needs an endpoint for each service its code calls", async () => {
    const run = async (endpoint: boolean) => {
      const p = new Program();
      const vpc = p.add("aws:ec2/vpc:Vpc", "vpc", { cidrBlock: "10.0.0.0/16" });
      const subnet = p.add("aws:ec2/subnet:Subnet", "app", {
        vpcId: vpc.id,
        availabilityZone: "eu-west-1a",
      });
      const rt = p.add("aws:ec2/routeTable:RouteTable", "app", { vpcId: vpc.id });
      p.add("aws:ec2/routeTableAssociation:RouteTableAssociation", "app", {
        subnetId: subnet.id,
        routeTableId: rt.id,
      });
      const role = p.add("aws:iam/role:Role", "fn-role", { name: "fn-role" });
      p.add("aws:iam/rolePolicy:RolePolicy", "fn", {
        role: role.id,
        policy: doc({
          Effect: "Allow",
          Action: ["sns:Publish", "ec2:CreateNetworkInterface"],
          Resource: "*",
        }),
      });
      if (endpoint)
        p.add("aws:ec2/vpcEndpoint:VpcEndpoint", "sns", {
          vpcId: vpc.id,
          serviceName: "com.amazonaws.eu-west-1.sns",
          vpcEndpointType: "Interface",
        });
      p.add("aws:lambda/function:Function", "fn", {
        name: "fn",
        role: p.arn(role),
        vpcConfig: { subnetIds: [subnet.id], securityGroupIds: [] },
      });
      return findings("lambda-vpc-reaches-apis", p);
    };
    const bad = await run(false);
    expect(bad).to.have.length(1);
    expect(bad[0].message).to.include("sns").and.not.include("ec2");
    expect(await run(true)).to.deep.equal([]);
  });

  it("ssm-managed-instance-https-egress: an SSM-managed instance needs HTTPS out", async () => {
    const run = async (egress: boolean) => {
      const p = new Program();
      const role = p.add("aws:iam/role:Role", "bastion", {
        name: "bastion",
        managedPolicyArns: ["arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"],
      });
      const profile = p.add("aws:iam/instanceProfile:InstanceProfile", "bastion", {
        name: "bastion",
        role: role.id,
      });
      const sg = p.add("aws:ec2/securityGroup:SecurityGroup", "bastion", { name: "bastion" });
      p.add("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", "ssh", {
        securityGroupId: sg.id,
        ipProtocol: "tcp",
        fromPort: 22,
        toPort: 22,
      });
      if (egress)
        p.add("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", "https", {
          securityGroupId: sg.id,
          ipProtocol: "tcp",
          fromPort: 443,
          toPort: 443,
        });
      p.add("aws:ec2/instance:Instance", "bastion", {
        iamInstanceProfile: profile.id,
        vpcSecurityGroupIds: [sg.id],
      });
      return findings("ssm-managed-instance-https-egress", p);
    };
    expect(await run(false)).to.have.length(1);
    expect(await run(true)).to.deep.equal([]);
  });

  it("nacl-nat-return-traffic: a NAT gateway's ACL must admit TCP 1024-65535 from anywhere", async () => {
    const run = async (ingress: Record<string, unknown>[]) => {
      const p = new Program();
      const subnet = p.add("aws:ec2/subnet:Subnet", "public", { availabilityZone: "eu-west-1a" });
      p.add("aws:ec2/natGateway:NatGateway", "nat", { subnetId: subnet.id });
      p.add("aws:ec2/networkAcl:NetworkAcl", "public", { subnetIds: [subnet.id], ingress });
      return findings("nacl-nat-return-traffic", p);
    };
    const rule = (ruleNo: number, action: string, fromPort: number, toPort: number) => ({
      ruleNo,
      action,
      protocol: "tcp",
      cidrBlock: "0.0.0.0/0",
      fromPort,
      toPort,
    });
    const bad = await run([rule(100, "allow", 1024, 3388), rule(110, "allow", 3390, 65535)]);
    expect(bad).to.have.length(1);
    expect(bad[0].message).to.include("TCP 3389 from");
    expect(await run([rule(100, "allow", 1024, 65535)])).to.deep.equal([]);
    expect(
      naclGaps([rule(90, "deny", 2000, 2000), rule(100, "allow", 1024, 65535)], 1024, 65535),
    ).to.deep.equal([[2000, 2000]]);
  });

  it("naclGaps: the ports no first-matching rule admits, port by port, for any rule list", () => {
    // The definition, one port at a time: the lowest-numbered rule for TCP from anywhere that
    // covers the port decides it; a port no rule covers is denied (the ACL's final * rule).
    const byPort = (rules: Record<string, unknown>[], from: number, to: number) => {
      const ordered = [...rules].sort((a, b) => Number(a.ruleNo) - Number(b.ruleNo));
      const denied: number[] = [];
      for (let port = from; port <= to; port++) {
        const decides = ordered.find(
          (r) =>
            String(r.cidrBlock) === "0.0.0.0/0" &&
            (["-1", "all"].includes(String(r.protocol)) ||
              (["tcp", "6"].includes(String(r.protocol)) &&
                Number(r.fromPort) <= port &&
                Number(r.toPort) >= port)),
        );
        if (decides?.action !== "allow") denied.push(port);
      }
      return denied;
    };
    const expand = (gaps: [number, number][]) =>
      gaps.flatMap(([a, b]) => Array.from({ length: b - a + 1 }, (_, i) => a + i));
    const port = fc.integer({ min: 990, max: 1100 });
    const ruleArb = fc.record({
      ruleNo: fc.integer({ min: 1, max: 200 }),
      action: fc.constantFrom("allow", "deny"),
      protocol: fc.constantFrom("tcp", "6", "-1", "all", "udp", "17"),
      cidrBlock: fc.constantFrom("0.0.0.0/0", "10.0.0.0/8"),
      fromPort: port,
      toPort: port,
    });
    fc.assert(
      fc.property(fc.uniqueArray(ruleArb, { maxLength: 6, selector: (r) => r.ruleNo }), (rules) => {
        const gaps = naclGaps(rules, 1000, 1080);
        expect(expand(gaps)).to.deep.equal(byPort(rules, 1000, 1080));
        // Ranges, not ports: no two gaps touch.
        gaps.slice(1).forEach(([a], i) => expect(a).to.be.greaterThan(gaps[i][1] + 1));
      }),
      { numRuns: 300 },
    );
    // An empty range has no gap, whatever the rules.
    expect(naclGaps([], 1080, 1000)).to.deep.equal([]);
  });

  it("config-recorder-service-linked-role: with the FSBP standard, Config.1 needs AWSServiceRoleForConfig", async () => {
    const run = async (roleArn: string) => {
      const p = new Program();
      p.add("aws:securityhub/standardsSubscription:StandardsSubscription", "fsbp", {
        standardsArn:
          "arn:aws:securityhub:eu-west-1::standards/aws-foundational-security-best-practices/v/1.0.0",
      });
      p.add("aws:cfg/recorder:Recorder", "rec", { roleArn });
      return findings("config-recorder-service-linked-role", p);
    };
    expect(await run(`arn:aws:iam::${ACCOUNT}:role/ehealth-config/config`)).to.have.length(1);
    expect(
      await run(
        `arn:aws:iam::${ACCOUNT}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig`,
      ),
    ).to.deep.equal([]);
  });
});

describe("preflight: singletons and shared ownership", () => {
  it("singleton-per-account-region: two detectors in one region of one account are refused, one per region is not", async () => {
    const a = new Program("a", "eu-west-1");
    a.add("aws:guardduty/detector:Detector", "gd", { enable: true });
    a.add("aws:iam/accountPasswordPolicy:AccountPasswordPolicy", "pw", {});
    const b = new Program("b", "us-west-2");
    b.add("aws:guardduty/detector:Detector", "gd", { enable: true });
    expect(await findings("singleton-per-account-region", a, b)).to.deep.equal([]);
    const c = new Program("c", "eu-west-1");
    c.add("aws:guardduty/detector:Detector", "gd", { enable: true });
    c.add("aws:iam/accountPasswordPolicy:AccountPasswordPolicy", "pw", {});
    const hits = await findings("singleton-per-account-region", a, b, c);
    expect(hits.map((h) => h.urn)).to.deep.equal([c.resources[0].urn, c.resources[1].urn]);
  });

  it("acm-validation-record-one-owner: two stacks managing one domain's validation record is reported, one is not", async () => {
    const stack = (name: string, region: string) => {
      const p = new Program(name, region);
      const cert = p.add("aws:acm/certificate:Certificate", `${name}-cert`, {
        domainName: "app.example.org",
        validationMethod: "DNS",
      });
      const opt = (cert.outputs.domainValidationOptions as { resourceRecordName: string }[])[0];
      p.add("aws:route53/record:Record", `${name}-validation`, {
        zoneId: "Z1",
        name: opt.resourceRecordName,
        type: "CNAME",
        allowOverwrite: true,
      });
      return p;
    };
    const ireland = stack("ireland", "eu-west-1");
    expect(await findings("acm-validation-record-one-owner", ireland)).to.deep.equal([]);
    expect(
      await findings("acm-validation-record-one-owner", ireland, stack("oregon", "us-west-2")),
    ).to.have.length(1);
  });
});

describe("preflight: regions", () => {
  it("region-subnet-availability-zone: a zone of another region, or a Local Zone, is reported", async () => {
    const p = new Program();
    p.add("aws:ec2/subnet:Subnet", "ok", { availabilityZone: "eu-west-1a" });
    p.add("aws:ec2/subnet:Subnet", "other", { availabilityZone: "us-west-2a" });
    const dr = new Program("dr", "us-west-2");
    dr.add("aws:ec2/subnet:Subnet", "lax", { availabilityZone: "us-west-2-lax-1a" });
    const hits = await findings("region-subnet-availability-zone", p, dr);
    expect(hits.map((h) => h.urn?.split("::").pop())).to.deep.equal(["other", "lax"]);
  });

  it("region-cross-region-reference: a key of another region is reported; a replica key in the destination's region is not", async () => {
    const dr = new Program("dr", "us-west-2");
    const key = dr.add("aws:kms/key:Key", "dr-key", {});
    const p = new Program();
    p.add("aws:cloudwatch/logGroup:LogGroup", "app", { name: "/app", kmsKeyId: dr.arn(key) });
    p.add("aws:s3/bucketReplicationConfig:BucketReplicationConfig", "docs", {
      bucket: "docs",
      rules: [
        {
          destination: {
            bucket: "arn:aws:s3:::replica",
            encryptionConfiguration: { replicaKmsKeyId: dr.arn(key) },
          },
        },
      ],
    });
    const hits = await findings("region-cross-region-reference", p, dr);
    expect(hits.map((h) => h.urn?.split("::").pop())).to.deep.equal(["app"]);
  });
});

describe("preflight: policy documents", () => {
  it("iam-policy-grammar: a malformed document is refused, a valid one is not", async () => {
    const p = new Program();
    p.add("aws:iam/policy:Policy", "bad", {
      policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Alow", Action: "s3:GetObject", Resource: "*" }],
      }),
    });
    p.add("aws:iam/policy:Policy", "good", {
      policy: doc({ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }),
    });
    expect(
      (await findings("iam-policy-grammar", p)).map((h) => h.urn?.split("::").pop()),
    ).to.deep.equal(["bad"]);
  });

  it("iam-policy-does-what-it-says: unknown actions and keys, empty patterns, keys never sent, wrong resource shapes", async () => {
    const problems = await policyProblems({
      Statement: [
        {
          Sid: "a",
          Effect: "Allow",
          Action: ["s3:GetObjects", "s3:Fly*", "nosuch:Thing"],
          Resource: "*",
        },
        {
          Sid: "b",
          Effect: "Allow",
          Action: "s3:GetObject",
          Resource: "arn:aws:s3:::bucket/*",
          Condition: {
            StringEquals: {
              "s3:x-amz-acll": "private",
              "kms:ViaService": "s3.eu-west-1.amazonaws.com",
            },
          },
        },
        {
          Sid: "c",
          Effect: "Allow",
          Action: ["s3:ListBucket", "ec2:DescribeInstances"],
          Resource: "arn:aws:s3:::bucket/*",
        },
      ],
    });
    const shaped = problems.map((m) =>
      m.startsWith("statement c: s3:ListBucket applies to") &&
      m.endsWith("none of the statement's resources has that shape")
        ? "statement c: s3:ListBucket has no resource of its shape"
        : m,
    );
    expect(shaped).to.deep.equal([
      'statement a: action "s3:GetObjects" does not exist',
      'statement a: "s3:Fly*" matches no action',
      'statement a: service "nosuch" does not exist',
      'statement b: condition key "s3:x-amz-acll" does not exist',
      'statement b: condition key "kms:ViaService" is sent with none of its actions (s3:GetObject), so the condition never matches',
      "statement c: s3:ListBucket has no resource of its shape",
      'statement c: ec2:DescribeInstances takes only Resource "*", so the statement never applies to it',
    ]);
  });

  it("iam-policy-does-what-it-says: accepts what AWS's own examples write (log streams under :*, AWS-owned documents, policy variables)", async () => {
    const p = new Program();
    p.add("aws:iam/rolePolicy:RolePolicy", "ok", {
      role: "r",
      policy: doc(
        {
          Effect: "Allow",
          Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
          Resource: "arn:aws:logs:eu-west-1:123456789012:log-group:/app:*",
        },
        {
          Effect: "Allow",
          Action: "ssm:SendCommand",
          Resource: "arn:aws:ssm:*::document/AWS-RunPatchBaseline",
        },
        {
          Effect: "Allow",
          Action: "ssm:TerminateSession",
          Resource: "arn:aws:ssm:*:123456789012:session/${aws:userid}-*",
        },
        {
          Effect: "Allow",
          Action: "ec2-instance-connect:SendSSHPublicKey",
          Resource: "arn:aws:ec2:*:123456789012:instance/*",
          Condition: { StringEquals: { "ec2:osuser": "ec2-user" } },
        },
      ),
    });
    expect(await findings("iam-policy-does-what-it-says", p)).to.deep.equal([]);

    expect(arnFits("arn:${Partition}:s3:::${BucketName}", "arn:aws:s3:::bucket/*")).to.equal(false);
  });
});

describe("preflight: programs as other teams write them", () => {
  it("iam-policy-does-what-it-says: arn:aws:logs:*:*:* fits log groups and streams, and s3:ExistingObjectTag/<key> is sent with s3:GetObject", async () => {
    expect(
      await policyProblems({
        Statement: [
          {
            Effect: "Allow",
            Action: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
            Resource: "arn:aws:logs:*:*:*",
          },
          {
            Effect: "Allow",
            Action: "s3:GetObject",
            Resource: "arn:aws:s3:::b/*",
            Condition: { StringEquals: { "s3:ExistingObjectTag/classification": "public" } },
          },
        ],
      }),
    ).to.deep.equal([]);
    // The shape still decides: a bucket ARN for object actions, an object ARN for bucket actions.
    expect(arnFits("arn:${Partition}:s3:::${BucketName}", "arn:aws:s3:::b/*")).to.equal(false);
    expect(arnFits("arn:${Partition}:s3:::${BucketName}/${ObjectName}", "arn:aws:s3:::b")).to.equal(
      false,
    );
    expect(
      arnFits(
        "arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}:log-stream:${LogStreamName}",
        "arn:aws:logs:eu-west-1:123456789012:log-group:/app",
      ),
    ).to.equal(false);
  });

  it("judges a program in the account its key policies and account conditions name, not the mock engine's", async () => {
    const build = (account: string) => {
      const p = new Program();
      const key = p.add("aws:kms/key:Key", "logs", {
        policy: doc(
          {
            Effect: "Allow",
            Principal: { AWS: `arn:aws:iam::${account}:root` },
            Action: "kms:*",
            Resource: "*",
          },
          {
            Effect: "Allow",
            Principal: { Service: "logs.eu-west-1.amazonaws.com" },
            Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:GenerateDataKey*"],
            Resource: "*",
            Condition: {
              ArnLike: {
                "kms:EncryptionContext:aws:logs:arn": `arn:aws:logs:eu-west-1:${account}:log-group:*`,
              },
            },
          },
        ),
      });
      p.add("aws:cloudwatch/logGroup:LogGroup", "app", { name: "/app", kmsKeyId: p.arn(key) });
      return p;
    };
    expect(await findings("kms-cloudwatch-logs", build("111122223333"))).to.deep.equal([]);
    expect(await findings("kms-cloudwatch-logs", build(ACCOUNT))).to.deep.equal([]);
    // A key naming two accounts' roots says nothing about which one deploys: the mock's is used.
    const mixed = build("111122223333");
    mixed.add("aws:kms/key:Key", "other", {
      policy: doc({
        Effect: "Allow",
        Principal: { AWS: "arn:aws:iam::444455556666:root" },
        Action: "kms:*",
        Resource: "*",
      }),
    });
    expect(await findings("kms-cloudwatch-logs", mixed)).to.have.length(1);
  });

  it("tags-limits: counts the provider's default tags, a key the resource sets once", async () => {
    const p = new Program();
    const defaults = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`d${i}`, "x"]));
    const provider = p.add("pulumi:providers:aws", "tagged", {
      region: "eu-west-1",
      defaultTags: JSON.stringify({ tags: defaults }),
    });
    const own = (n: number) =>
      Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, "v"]));
    const over = p.add("aws:s3/bucket:Bucket", "over", { bucket: "over", tags: own(41) });
    const fits = p.add("aws:s3/bucket:Bucket", "fits", {
      bucket: "fits",
      tags: { ...own(40), d0: "mine" },
    });
    for (const r of [over, fits])
      Object.assign(r, { provider: `${provider.urn}::${String(provider.id)}` });
    const hits = await findings("tags-limits", p);
    expect(hits.map((h) => h.urn?.split("::").pop())).to.deep.equal(["over"]);
    expect(hits[0].message).to.include("51 tags").and.include("10 default tags");
  });
});

describe("preflight: ProgramGraph", () => {
  it("dependsOn: a resource that waits for a component waits for what the component's children wait for", () => {
    const p = new Program();
    const role = p.add("aws:iam/role:Role", "role", { name: "role" });
    const key = p.add("aws:kms/key:Key", "key");
    const other = p.add("aws:kms/key:Key", "other");
    const component = p.add("ehealth:data:Data", "data");
    const logs = p.add("aws:s3/bucket:Bucket", "logs", { bucket: "logs" }, { dependsOn: [role] });
    const docs = p.add("aws:s3/bucket:Bucket", "docs", { bucket: "docs" }, { dependsOn: [key] });
    p.add("aws:s3/bucket:Bucket", "stray", { bucket: "stray" }, { dependsOn: [other] });
    Object.assign(logs, { parent: component.urn });
    Object.assign(docs, { parent: component.urn });
    const trail = p.add("aws:cloudtrail/trail:Trail", "trail", {}, { dependsOn: [component] });
    const g = new ProgramGraph({ stack: p.stack, region: p.region, resources: p.resources });
    expect(g.dependsOn(trail, component)).to.equal(true);
    expect(g.dependsOn(trail, role)).to.equal(true);
    expect(g.dependsOn(trail, key)).to.equal(true);
    // What a resource outside the component waits for.
    expect(g.dependsOn(trail, other)).to.equal(false);
  });

  it("referencing: each target's referrers in the program's order, from one lookup per referrer", () => {
    const p = new Program();
    const a = p.add("aws:s3/bucket:Bucket", "a", { bucket: "a" });
    const b = p.add("aws:s3/bucket:Bucket", "b", { bucket: "b" });
    const sse =
      "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration";
    const versioning = "aws:s3/bucketVersioning:BucketVersioning";
    const a1 = p.add(sse, "a1", { bucket: a.id });
    const b1 = p.add(sse, "b1", { bucket: "b" });
    const a2 = p.add(sse, "a2", { bucket: p.arn(a) });
    const av = p.add(versioning, "av", { bucket: a.id });
    const g = new ProgramGraph({ stack: p.stack, region: p.region, resources: p.resources });
    const find = g.find.bind(g);
    let lookups = 0;
    g.find = (value, type) => {
      lookups++;
      return find(value, type);
    };
    expect(g.referencing(a, sse, "bucket")).to.deep.equal([a1, a2]);
    expect(g.referencing(b, sse, "bucket")).to.deep.equal([b1]);
    expect(settingsOf(g, a, versioning, sse)).to.deep.equal([av, a1, a2]);
    // One lookup per setting of each type asked (3 + 1), not one per setting for every bucket.
    expect(lookups).to.equal(4);
  });

  it("selectedResources: a backup selection picks by ARN and by tag, reading each resource's tags once", () => {
    const p = new Program();
    const plan = p.add("aws:backup/plan:Plan", "plan");
    const tagged = p.add("aws:dynamodb/table:Table", "tagged", { tags: { Backup: "daily" } });
    const other = p.add("aws:dynamodb/table:Table", "other", { tags: { Backup: "never" } });
    const named = p.add("aws:ebs/volume:Volume", "named", { tags: { Backup: "weekly" } });
    const both = p.add("aws:rds/instance:Instance", "both", { tags: { Backup: "daily" } });
    const byTag = p.add("aws:backup/selection:Selection", "by-tag", {
      planId: plan.id,
      selectionTags: [{ type: "STRINGEQUALS", key: "Backup", value: "daily" }],
    });
    const byArn = p.add("aws:backup/selection:Selection", "by-arn", {
      planId: plan.id,
      resources: [p.arn(named), p.arn(both)],
      selectionTags: [{ type: "STRINGLIKE", key: "Backup", value: "never" }],
    });
    const g = new ProgramGraph({ stack: p.stack, region: p.region, resources: p.resources });
    const tags = g.tags.bind(g);
    let reads = 0;
    g.tags = (r) => {
      reads++;
      return tags(r);
    };
    expect(selectedResources(g, byTag)).to.deep.equal([tagged, both]);
    expect(selectedResources(g, byArn)).to.deep.equal([named, both]);
    expect(other.inputs.tags).to.deep.equal({ Backup: "never" });
    // At most once per resource in all, not once per resource for every selection.
    expect(reads).to.be.at.most(p.resources.length);
  });
});
