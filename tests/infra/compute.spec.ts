import { expect } from "chai";
import {
  ALB_LOG_PREFIX,
  APP_MANAGED_POLICIES,
  APP_PORT,
  DEFAULT_UPLOAD_PATH,
  MANAGED_RULE_GROUPS,
  PATCH_APPROVAL_DAYS,
  PATCH_GROUP_TAG,
  TLS_POLICY,
  amiParameter,
  appUserData,
  wafRules,
} from "../../infra/compute";
import { cidrContains } from "../../infra/network/cidr";
import { Evaluation, ResourceRecord, bothStacks, json, one, ofType, stackWith } from "../helpers";
import { WafRequest, wafBlocks } from "./waf-model";

const tags = (r: ResourceRecord) => (r.inputs.tags ?? {}) as Record<string, string>;

/**
 * A tag key EC2 can put in instance metadata: letters, digits and + - = . , _ : @, never only "."
 * or "..", nor "_index" ("Tag restrictions", Amazon EC2 User Guide,
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/Using_Tags.html#tag-restrictions).
 */
function isMetadataTagKey(key: string): boolean {
  return /^[A-Za-z0-9+\-=.,_:@]+$/.test(key) && ![".", "..", "_index"].includes(key);
}

function phiKey(e: Evaluation): ResourceRecord {
  return ofType(e.resources, "aws:kms/key:Key").find((k) => tags(k).Purpose === "phi")!;
}

function subnetsOf(e: Evaluation, tier: string): string[] {
  return ofType(e.resources, "aws:ec2/subnet:Subnet")
    .filter((s) => tags(s).Tier === tier)
    .map((s) => String(s.outputs.id));
}

function groupNamed(e: Evaluation, suffix: string): ResourceRecord {
  const found = ofType(e.resources, "aws:ec2/securityGroup:SecurityGroup").filter((g) =>
    tags(g).Name.endsWith(suffix),
  );
  expect(found, suffix).to.have.length(1);
  return found[0];
}

describe("ehealth:compute:Compute", () => {
  const stacks = bothStacks();

  for (const name of ["ireland", "oregon"] as const) {
    describe(`in the ${name} stack`, () => {
      it("puts an internet-facing ALB in the public subnets, dropping invalid headers, protected, logging", () => {
        const e = stacks[name];
        const lb = one(e.resources, "aws:lb/loadBalancer:LoadBalancer");
        expect(lb.inputs).to.include({
          loadBalancerType: "application",
          internal: false,
          dropInvalidHeaderFields: true,
          enableDeletionProtection: true,
        });
        expect(lb.inputs.subnets).to.have.members(subnetsOf(e, "public"));
        const logs = lb.inputs.accessLogs as { bucket: string; enabled: boolean; prefix: string };
        expect(logs).to.include({ enabled: true, prefix: ALB_LOG_PREFIX });
        const bucket = ofType(e.resources, "aws:s3/bucket:Bucket").find(
          (b) => b.outputs.bucket === logs.bucket,
        )!;
        expect(tags(bucket).Purpose).to.equal("alb-access-logs");
        expect(bucket.protect && bucket.retainOnDelete).to.equal(true);
      });

      it("creates the ALB only after its log bucket's policy admits ELB, which ELB checks when logging turns on", () => {
        const e = stacks[name];
        const lb = one(e.resources, "aws:lb/loadBalancer:LoadBalancer");
        const logs = lb.inputs.accessLogs as { bucket: string };
        const policies = ofType(e.resources, "aws:s3/bucketPolicy:BucketPolicy").filter(
          (p) => p.inputs.bucket === logs.bucket,
        );
        expect(policies, "the log bucket's policy").to.have.length(1);
        // That the policy lets ELB write there: tests/infra/compute-access.spec.ts simulates it.
        // A dependency on the bucket alone does not wait for the policy, a resource of its own.
        expect(lb.dependencies).to.include(policies[0].urn);
      });

      it("serves HTTPS with a TLS 1.3 policy and a DNS-validated certificate; HTTP only redirects", () => {
        const e = stacks[name];
        const listeners = ofType(e.resources, "aws:lb/listener:Listener");
        const https = listeners.find((l) => l.inputs.protocol === "HTTPS")!;
        expect(https.inputs).to.include({ port: 443, sslPolicy: TLS_POLICY });
        expect(TLS_POLICY).to.match(/^ELBSecurityPolicy-TLS13-/);
        const cert = one(e.resources, "aws:acm/certificate:Certificate");
        expect(cert.inputs.validationMethod).to.equal("DNS");
        expect(cert.inputs.domainName).to.equal(new URL(String(e.outputs.appUrl)).hostname);
        expect(https.inputs.certificateArn).to.equal(cert.outputs.arn);
        const http = listeners.find((l) => l.inputs.protocol === "HTTP")!;
        expect(http.inputs.port).to.equal(80);
        expect(http.inputs.defaultActions).to.deep.equal([
          {
            type: "redirect",
            redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" },
          },
        ]);
        expect(listeners).to.have.length(2);
      });

      it("admits 80/443 from the internet to the ALB, sends only to the app port, and the app admits only the ALB", () => {
        const e = stacks[name];
        const alb = groupNamed(e, "-alb");
        const app = groupNamed(e, "-app");
        const ingress = ofType(
          e.resources,
          "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        );
        const egress = ofType(
          e.resources,
          "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
        );
        const albIn = ingress.filter((r) => r.inputs.securityGroupId === alb.outputs.id);
        expect(albIn.map((r) => r.inputs.fromPort)).to.have.members([80, 443]);
        for (const r of albIn) expect(r.inputs.cidrIpv4).to.equal("0.0.0.0/0");
        const albOut = egress.filter((r) => r.inputs.securityGroupId === alb.outputs.id);
        expect(
          albOut.map((r) => [r.inputs.fromPort, r.inputs.referencedSecurityGroupId]),
        ).to.deep.equal([[APP_PORT, app.outputs.id]]);
        const appIn = ingress.filter((r) => r.inputs.securityGroupId === app.outputs.id);
        expect(
          appIn.map((r) => [
            r.inputs.fromPort,
            r.inputs.referencedSecurityGroupId,
            r.inputs.cidrIpv4,
          ]),
        ).to.deep.equal([[APP_PORT, alb.outputs.id, undefined]]);
      });

      it("attaches a WAF with the managed groups and a rate limit, logging to an encrypted group", () => {
        const e = stacks[name];
        const acl = one(e.resources, "aws:wafv2/webAcl:WebAcl");
        const rules = acl.inputs.rules as {
          statement: Record<string, { name?: string; limit?: number }>;
        }[];
        const groups = rules.flatMap((r) => r.statement.managedRuleGroupStatement?.name ?? []);
        expect(groups).to.have.members([...MANAGED_RULE_GROUPS]);
        expect(rules.some((r) => r.statement.rateBasedStatement?.limit === 2000)).to.equal(true);
        const association = one(e.resources, "aws:wafv2/webAclAssociation:WebAclAssociation");
        const lb = one(e.resources, "aws:lb/loadBalancer:LoadBalancer");
        expect(association.inputs).to.include({
          resourceArn: lb.outputs.arn,
          webAclArn: acl.outputs.arn,
        });
        const logging = one(
          e.resources,
          "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration",
        );
        const group = ofType(e.resources, "aws:cloudwatch/logGroup:LogGroup").find(
          (g) => g.outputs.arn === (logging.inputs.logDestinationConfigs as string[])[0],
        )!;
        expect(String(group.inputs.name)).to.match(/^aws-waf-logs-/);
        expect(group.inputs.kmsKeyId).to.be.a("string").and.match(/:kms:/);
      });

      it("runs an Auto Scaling group across the app subnets of every AZ, ELB health checks, at least 2, CPU target tracking", () => {
        const e = stacks[name];
        const group = one(e.resources, "aws:autoscaling/group:Group");
        expect(group.inputs.vpcZoneIdentifiers).to.have.members(subnetsOf(e, "app"));
        expect(subnetsOf(e, "app")).to.have.length(3);
        expect(group.inputs.healthCheckType).to.equal("ELB");
        expect(group.inputs.minSize as number).to.be.at.least(2);
        const target = one(e.resources, "aws:lb/targetGroup:TargetGroup");
        expect(group.inputs.targetGroupArns).to.deep.equal([target.outputs.arn]);
        expect(target.inputs).to.include({ protocol: "HTTPS", port: APP_PORT });
        const policy = one(e.resources, "aws:autoscaling/policy:Policy");
        expect(policy.inputs.policyType).to.equal("TargetTrackingScaling");
        expect(policy.inputs.autoscalingGroupName).to.equal(group.outputs.name);
      });

      it("launches the looked-up Amazon Linux 2023 image with IMDSv2 (hop limit 1), an encrypted gp3 root under the PHI key, no public IP, detailed monitoring", () => {
        const e = stacks[name];
        const lt = one(e.resources, "aws:ec2/launchTemplate:LaunchTemplate");
        expect(String(lt.inputs.imageId)).to.match(/^ami-[0-9a-f]{17}$/);
        expect(lt.inputs.metadataOptions).to.deep.include({
          httpTokens: "required",
          httpPutResponseHopLimit: 1,
        });
        const [root] = lt.inputs.blockDeviceMappings as { ebs: Record<string, unknown> }[];
        expect(root.ebs).to.include({
          volumeType: "gp3",
          encrypted: "true",
          kmsKeyId: phiKey(e).outputs.arn,
        });
        const [nic] = lt.inputs.networkInterfaces as Record<string, unknown>[];
        expect(nic.associatePublicIpAddress).to.equal("false");
        expect(nic.securityGroups).to.deep.equal([groupNamed(e, "-app").outputs.id]);
        expect(lt.inputs.monitoring).to.deep.equal({ enabled: true });
        const group = one(e.resources, "aws:autoscaling/group:Group");
        expect((group.inputs.launchTemplate as { id: string }).id).to.equal(lt.outputs.id);
      });

      it("boots with the CloudWatch agent and EFS mounted over TLS on the app's access point", () => {
        const e = stacks[name];
        const script = Buffer.from(
          String(one(e.resources, "aws:ec2/launchTemplate:LaunchTemplate").inputs.userData),
          "base64",
        ).toString();
        const fs = one(e.resources, "aws:efs/fileSystem:FileSystem");
        const ap = one(e.resources, "aws:efs/accessPoint:AccessPoint");
        expect(script).to.include("amazon-cloudwatch-agent-ctl");
        expect(script).to.match(
          new RegExp(
            `${String(fs.outputs.id)} \\S+ efs \\S*tls\\S*accesspoint=${String(ap.outputs.id)}`,
          ),
        );
      });

      it("gives the instances SSM core, the CloudWatch agent, and exactly their data stores", () => {
        const e = stacks[name];
        const lt = one(e.resources, "aws:ec2/launchTemplate:LaunchTemplate");
        const profile = one(e.resources, "aws:iam/instanceProfile:InstanceProfile");
        expect((lt.inputs.iamInstanceProfile as { arn: string }).arn).to.equal(profile.outputs.arn);
        const role = ofType(e.resources, "aws:iam/role:Role").find(
          (r) => r.outputs.name === profile.inputs.role,
        )!;
        expect(
          (role.inputs.managedPolicyArns as string[]).map((a) => a.split("/").pop()),
        ).to.have.members([...APP_MANAGED_POLICIES]);
        const policy = json<{ Statement: { Resource?: string | string[] }[] }>(
          ofType(e.resources, "aws:iam/rolePolicy:RolePolicy").find(
            (p) => p.inputs.role === role.outputs.id,
          )!.inputs.policy,
        );
        const resources = policy.Statement.flatMap((s) => [s.Resource ?? []].flat());
        for (const r of resources)
          expect(r, "no wildcard names a data store").to.not.match(/^\*$|:\*$|::\*/);
        // What the role reaches and what it does not: tests/infra/compute-access.spec.ts simulates
        // this policy (as recorded) request by request.
        expect(role.name).to.equal(`ehealth-${name}-app`);
      });

      it("grants Auto Scaling's own service-linked role the PHI key, so it can launch encrypted volumes", () => {
        // A KMS grant, which the IAM simulator does not evaluate: its operations are checked here,
        // and the preflight's kms-ebs-autoscaling rule judges it against the key policy.
        const e = stacks[name];
        // The stack's other service-linked role is AWS Config's (infra/audit, the secondary only).
        const roles = ofType(e.resources, "aws:iam/serviceLinkedRole:ServiceLinkedRole").filter(
          (r) => r.inputs.awsServiceName === "autoscaling.amazonaws.com",
        );
        expect(roles).to.have.length(1);
        const [role] = roles;
        const grant = one(e.resources, "aws:kms/grant:Grant");
        expect(grant.inputs).to.include({
          keyId: phiKey(e).outputs.arn,
          granteePrincipal: role.outputs.arn,
        });
        expect(grant.inputs.operations).to.include.members([
          "GenerateDataKeyWithoutPlaintext",
          "CreateGrant",
          "Decrypt",
        ]);
        expect(
          one(e.resources, "aws:autoscaling/group:Group").inputs.serviceLinkedRoleArn,
        ).to.equal(role.outputs.arn);
      });

      it("patches the app tier: security updates approved after a few days, daily scans, a weekly window, Inspector", () => {
        const e = stacks[name];
        const baseline = one(e.resources, "aws:ssm/patchBaseline:PatchBaseline");
        expect(baseline.inputs.operatingSystem).to.equal("AMAZON_LINUX_2023");
        const rules = baseline.inputs.approvalRules as {
          approveAfterDays: number;
          patchFilters: { key: string; values: string[] }[];
        }[];
        const security = rules.find((r) =>
          r.patchFilters.some((f) => f.key === "CLASSIFICATION" && f.values.includes("Security")),
        )!;
        expect(security.approveAfterDays).to.equal(PATCH_APPROVAL_DAYS);
        const group = one(e.resources, "aws:ssm/patchGroup:PatchGroup");
        expect(group.inputs.baselineId).to.equal(baseline.outputs.id);
        const lt = one(e.resources, "aws:ec2/launchTemplate:LaunchTemplate");
        expect(tags(lt)[PATCH_GROUP_TAG]).to.equal(group.inputs.patchGroup);
        const scan = one(e.resources, "aws:ssm/association:Association");
        expect(scan.inputs).to.deep.include({
          name: "AWS-RunPatchBaseline",
          parameters: { Operation: "Scan" },
        });
        const task = one(e.resources, "aws:ssm/maintenanceWindowTask:MaintenanceWindowTask");
        expect(task.inputs.taskArn).to.equal("AWS-RunPatchBaseline");
        expect(
          one(e.resources, "aws:inspector2/enabler:Enabler").inputs.resourceTypes,
        ).to.deep.equal(["EC2"]);
      });

      it("tags what it launches only with keys instance metadata accepts, and patches by the key they carry", () => {
        const e = stacks[name];
        const lt = one(e.resources, "aws:ec2/launchTemplate:LaunchTemplate");
        expect(lt.inputs.metadataOptions).to.deep.include({ instanceMetadataTags: "enabled" });
        const launched = [
          ...(lt.inputs.tagSpecifications as { tags: Record<string, string> }[]).flatMap((t) =>
            Object.keys(t.tags),
          ),
          ...(
            one(e.resources, "aws:autoscaling/group:Group").inputs.tags as {
              key: string;
              propagateAtLaunch: boolean;
            }[]
          )
            .filter((t) => t.propagateAtLaunch)
            .map((t) => t.key),
        ];
        expect(launched).to.not.be.empty;
        for (const key of launched) expect(isMetadataTagKey(key), key).to.equal(true);
        const group = one(e.resources, "aws:ssm/patchGroup:PatchGroup").inputs.patchGroup;
        const targets = [
          one(e.resources, "aws:ssm/association:Association"),
          one(e.resources, "aws:ssm/maintenanceWindowTarget:MaintenanceWindowTarget"),
        ].map((r) => r.inputs.targets as { key: string; values: string[] }[]);
        for (const [target] of targets) {
          const key = target.key.replace(/^tag:/, "");
          expect(launched).to.include(key);
          expect(target.values).to.deep.equal([group]);
          const instanceTags = (
            lt.inputs.tagSpecifications as { resourceType: string; tags: Record<string, string> }[]
          ).find((t) => t.resourceType === "instance")!.tags;
          expect(instanceTags[key]).to.equal(group);
        }
      });

      it("points the group at the template's version number, so that a new version starts an instance refresh", () => {
        const e = stacks[name];
        const lt = one(e.resources, "aws:ec2/launchTemplate:LaunchTemplate");
        const group = one(e.resources, "aws:autoscaling/group:Group");
        expect(group.inputs.instanceRefresh).to.deep.include({ strategy: "Rolling" });
        const version = (group.inputs.launchTemplate as { version: string }).version;
        expect(version).to.match(/^\d+$/);
        expect(version).to.equal(String(lt.outputs.latestVersion));
      });

      it("keeps the certificate's validation record, which both regions share, when either stack is destroyed", () => {
        const e = stacks[name];
        const cert = one(e.resources, "aws:acm/certificate:Certificate");
        const validation = one(e.resources, "aws:acm/certificateValidation:CertificateValidation");
        const record = ofType(e.resources, "aws:route53/record:Record").find((r) =>
          (validation.inputs.validationRecordFqdns as string[]).includes(String(r.outputs.fqdn)),
        )!;
        expect(validation.inputs.certificateArn).to.equal(cert.outputs.arn);
        expect(record.inputs.allowOverwrite).to.equal(true);
        expect(record.retainOnDelete).to.equal(true);
      });

      it("lets uploads over 8 KB reach the upload path, and still blocks large bodies everywhere else", () => {
        const e = stacks[name];
        const acl = one(e.resources, "aws:wafv2/webAcl:WebAcl");
        const rules = acl.inputs.rules as Parameters<typeof wafBlocks>[0];
        const big = 20 * 1024;
        const request = (method: string, uriPath: string, bodyBytes: number): WafRequest => ({
          method,
          uriPath,
          bodyBytes,
        });
        const upload = `${DEFAULT_UPLOAD_PATH}patient-42/scan.pdf`;
        expect(wafBlocks(rules, request("POST", upload, big))).to.equal(false);
        expect(wafBlocks(rules, request("PUT", upload, big))).to.equal(false);
        expect(wafBlocks(rules, request("POST", "/login", big))).to.equal(true);
        expect(wafBlocks(rules, request("GET", upload, big))).to.equal(true);
        expect(wafBlocks(rules, request("POST", `${DEFAULT_UPLOAD_PATH}../login`, big))).to.equal(
          true,
        );
        expect(wafBlocks(rules, request("POST", "/login", 1024))).to.equal(false);
      });

      it("states that its health check is not inverted, so a refreshed update undoes a hand-made inversion", () => {
        const health = one(stacks[name].resources, "aws:route53/healthCheck:HealthCheck");
        expect(health.inputs.invertHealthcheck).to.equal(false);
      });

      it("publishes a latency record for its own region with a health check on its ALB", () => {
        const e = stacks[name];
        const record = ofType(e.resources, "aws:route53/record:Record").find(
          (r) => r.inputs.type === "A",
        )!;
        const lb = one(e.resources, "aws:lb/loadBalancer:LoadBalancer");
        const health = one(e.resources, "aws:route53/healthCheck:HealthCheck");
        expect(record.inputs.latencyRoutingPolicies).to.deep.equal([{ region: e.region }]);
        expect(record.inputs.setIdentifier).to.equal(e.region);
        expect(record.inputs.healthCheckId).to.equal(health.outputs.id);
        expect(record.inputs.aliases).to.deep.equal([
          { name: lb.outputs.dnsName, zoneId: lb.outputs.zoneId, evaluateTargetHealth: true },
        ]);
        expect(health.inputs.fqdn).to.equal(lb.outputs.dnsName);
        expect(record.inputs.name).to.equal(new URL(String(e.outputs.appUrl)).hostname);
      });

      it("has no bastion and no SSH anywhere by default, and exports the ALB, URL and app group", () => {
        const e = stacks[name];
        expect(ofType(e.resources, "aws:ec2/instance:Instance")).to.deep.equal([]);
        const ssh = ofType(
          e.resources,
          "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        ).filter((r) => r.inputs.fromPort === 22);
        expect(ssh).to.deep.equal([]);
        expect(e.outputs.albDnsName).to.equal(
          one(e.resources, "aws:lb/loadBalancer:LoadBalancer").outputs.dnsName,
        );
        expect(e.outputs.appSecurityGroupId).to.equal(groupNamed(e, "-app").outputs.id);
      });
    });
  }

  it("publishes the same application name from both regions", () => {
    const name = (e: Evaluation) =>
      ofType(e.resources, "aws:route53/record:Record").find((r) => r.inputs.type === "A")!.inputs
        .name;
    expect(name(stacks.ireland)).to.equal(name(stacks.oregon));
    expect(stacks.ireland.outputs.appUrl).to.equal(stacks.oregon.outputs.appUrl);
  });
});

describe("the optional bastion", () => {
  let evaluation: Evaluation;
  before(async () => {
    evaluation = await stackWith("oregon", {
      overrides: {
        "ehealth:bastion": JSON.stringify({ enabled: true, allowedCidrs: ["203.0.113.0/24"] }),
      },
      check: {
        config: {
          "ec2-ingress-enforce-admin-allowlist": { allowedAdminCidrs: ["203.0.113.0/24"] },
        },
      },
    });
  });

  it("is a hardened instance in a public subnet with an explicit public IP", () => {
    const bastion = one(evaluation.resources, "aws:ec2/instance:Instance");
    const publicSubnets = subnetsOf(evaluation, "public");
    expect(publicSubnets).to.include(bastion.inputs.subnetId);
    expect(bastion.inputs.associatePublicIpAddress).to.equal(true);
    expect(bastion.inputs.metadataOptions).to.deep.include({
      httpTokens: "required",
      httpPutResponseHopLimit: 1,
    });
    expect(bastion.inputs.rootBlockDevice).to.deep.include({
      encrypted: true,
      kmsKeyId: phiKey(evaluation).outputs.arn,
    });
    expect(tags(bastion).Role).to.equal("bastion");
  });

  it("admits SSH only from the allowed CIDR, and reaches the app tier only by SSH", () => {
    const group = groupNamed(evaluation, "-bastion");
    const app = groupNamed(evaluation, "-app");
    const ingress = ofType(
      evaluation.resources,
      "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    );
    const egress = ofType(
      evaluation.resources,
      "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    );
    expect(
      ingress
        .filter((r) => r.inputs.securityGroupId === group.outputs.id)
        .map((r) => [r.inputs.fromPort, r.inputs.cidrIpv4]),
    ).to.deep.equal([[22, "203.0.113.0/24"]]);
    const out = egress.filter((r) => r.inputs.securityGroupId === group.outputs.id);
    expect(
      out
        .filter((r) => r.inputs.referencedSecurityGroupId)
        .map((r) => [r.inputs.fromPort, r.inputs.referencedSecurityGroupId]),
    ).to.deep.equal([[22, app.outputs.id]]);
    // Besides SSH to the app tier, only HTTPS (to be managed and patched).
    expect(out.filter((r) => !r.inputs.referencedSecurityGroupId).map((r) => r.inputs.fromPort))
      .to.have.length.greaterThan(0)
      .and.satisfy((ports: number[]) => ports.every((p) => p === 443));
    const intoApp = ingress.filter(
      (r) =>
        r.inputs.securityGroupId === app.outputs.id &&
        r.inputs.referencedSecurityGroupId === group.outputs.id,
    );
    expect(intoApp.map((r) => r.inputs.fromPort)).to.deep.equal([22]);
  });

  it("reaches Session Manager's endpoints and S3 over HTTPS, and is patched with the region's instances", () => {
    const group = groupNamed(evaluation, "-bastion");
    const https = ofType(
      evaluation.resources,
      "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    ).filter((r) => r.inputs.securityGroupId === group.outputs.id && r.inputs.fromPort === 443);
    const vpc = one(evaluation.resources, "aws:ec2/vpc:Vpc");
    const endpoints = ofType(evaluation.resources, "aws:ec2/vpcEndpoint:VpcEndpoint");
    const ssm = ["ssm", "ssmmessages", "ec2messages"].map((svc) =>
      endpoints.find((p) => p.inputs.serviceName === `com.amazonaws.${evaluation.region}.${svc}`)!,
    );
    for (const endpoint of ssm) expect(endpoint.inputs.privateDnsEnabled).to.equal(true);
    const endpointSubnets = ofType(evaluation.resources, "aws:ec2/subnet:Subnet").filter((sub) =>
      ssm.every((ep) => (ep.inputs.subnetIds as string[]).includes(String(sub.outputs.id))),
    );
    expect(endpointSubnets).to.not.be.empty;
    const toCidrs = https.map((r) => r.inputs.cidrIpv4).filter((c): c is string => Boolean(c));
    for (const sub of endpointSubnets) {
      expect(
        toCidrs.some((c) => cidrContains(c, String(sub.inputs.cidrBlock))),
        `HTTPS to ${String(sub.inputs.cidrBlock)}`,
      ).to.equal(true);
    }
    const s3 = endpoints.find(
      (p) => p.inputs.serviceName === `com.amazonaws.${evaluation.region}.s3`,
    )!;
    expect(https.map((r) => r.inputs.prefixListId)).to.include(s3.outputs.prefixListId);
    expect(toCidrs).to.not.include("0.0.0.0/0");
    expect(vpc.inputs.cidrBlock).to.be.a("string");
    const bastion = one(evaluation.resources, "aws:ec2/instance:Instance");
    const patchGroup = one(evaluation.resources, "aws:ssm/patchGroup:PatchGroup").inputs.patchGroup;
    expect(tags(bastion)[PATCH_GROUP_TAG]).to.equal(patchGroup);
    for (const key of Object.keys(tags(bastion))) expect(isMetadataTagKey(key), key).to.equal(true);
  });

  it("is reachable through the public tier's network ACL from the allowed CIDR only", () => {
    const acl = ofType(evaluation.resources, "aws:ec2/networkAcl:NetworkAcl").find(
      (a) => tags(a).Tier === "public",
    )!;
    const ssh = (acl.inputs.ingress as { protocol: string; fromPort: number; cidrBlock: string }[])
      .filter((r) => r.protocol === "tcp" && r.fromPort === 22)
      .map((r) => r.cidrBlock);
    expect(ssh).to.deep.equal(["203.0.113.0/24"]);
  });

  it("passes the policy pack with the same CIDR in its allow-list", () => {
    expect(
      evaluation.checks!.violations.filter((v) => v.enforcementLevel === "mandatory"),
    ).to.deep.equal([]);
  });

  it("is refused at configuration with 0.0.0.0/0, before any resource exists", async () => {
    const attempt = stackWith("oregon", {
      overrides: {
        "ehealth:bastion": JSON.stringify({ enabled: true, allowedCidrs: ["0.0.0.0/0"] }),
      },
    });
    let message = "";
    try {
      await attempt;
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).to.include("ehealth:bastion").and.include("the whole internet");
  });
});

describe("infra/compute policies", () => {
  it("puts the rate limit before the managed groups, with distinct priorities", () => {
    const rules = wafRules(500);
    expect(rules[0].statement).to.deep.equal({
      rateBasedStatement: { limit: 500, aggregateKeyType: "IP" },
    });
    expect(new Set(rules.map((r) => r.priority)).size).to.equal(rules.length);
  });

  it("picks the arm64 image for Graviton types and x86_64 otherwise", () => {
    expect(amiParameter("m7g.large")).to.match(/arm64$/);
    expect(amiParameter("c7gn.xlarge")).to.match(/arm64$/);
    expect(amiParameter("m7i.large")).to.match(/x86_64$/);
    expect(amiParameter("t3.micro")).to.match(/x86_64$/);
  });

  it("writes user data that fails on the first error", () => {
    const script = appUserData({
      region: "eu-west-1",
      fileSystemId: "fs-1",
      accessPointId: "fsap-1",
      logGroupName: "/ehealth/x/app",
    });
    expect(script.split("\n").slice(0, 2)).to.deep.equal(["#!/bin/bash", "set -euo pipefail"]);
    expect(JSON.parse(/<<'JSON'\n([\s\S]*?)\nJSON/.exec(script)![1])).to.have.nested.property(
      "logs.logs_collected.files.collect_list[0].log_group_name",
      "/ehealth/x/app",
    );
  });
});
