/**
 * Convergence: what deploys but never settles (instances replaced forever, refreshes that never
 * start, agents that cannot reach their service), and what the account refuses for lack of room.
 */
import { ProgramGraph, Res, block, isString, label, list } from "../graph";
import type { AccountRule, RuleHit, StackRule } from "../types";

const docs = (path: string, title: string) => ({
  title,
  url: `https://docs.aws.amazon.com/${path}`,
});

function templateOf(g: ProgramGraph, group: Res): { template?: Res; version?: string } {
  const lt = block(group.inputs.launchTemplate);
  const mixed = block(
    block(block(group.inputs.mixedInstancesPolicy).launchTemplate).launchTemplateSpecification,
  );
  const ref = lt.id ?? lt.name ?? mixed.launchTemplateId ?? mixed.launchTemplateName;
  return {
    template: g.find(ref, "aws:ec2/launchTemplate:LaunchTemplate"),
    version: String(lt.version ?? mixed.version ?? "$Default"),
  };
}

export const refreshOnLatest: StackRule = {
  id: "asg-instance-refresh-needs-version",
  family: "convergence",
  kind: "silently-broken",
  scope: "stack",
  description:
    "An Auto Scaling group's instance refresh starts on a launch template change only when the group names a template version: with $Latest or $Default nothing starts.",
  reference: {
    title:
      "Pulumi AWS provider: aws.autoscaling.Group (instanceRefresh: a refresh does not start with version $Latest)",
    url: "https://www.pulumi.com/registry/packages/aws/api-docs/autoscaling/group/",
  },
  check(g) {
    return g.ofType("aws:autoscaling/group:Group").flatMap((group) => {
      const { version } = templateOf(g, group);
      if (!group.inputs.instanceRefresh || (version !== "$Latest" && version !== "$Default"))
        return [];
      return [
        {
          urn: group.urn,
          message: `${label(group)}: launchTemplate.version is "${version}" with instanceRefresh, so a new template version never starts a refresh and instances keep the old one; set version to the template's latestVersion.`,
        },
      ];
    });
  },
};

/** The user data a template or instance runs, decoded. */
function userDataOf(r: Res): string {
  const raw = r.inputs.userData ?? r.inputs.userDataBase64;
  if (!isString(raw)) return "";
  const decoded = Buffer.from(raw, "base64").toString("utf8");
  // Plain text user data (instances) is not base64: keep whichever reads as text.
  return /[\x20-\x7e]{8}/.test(decoded) &&
    Buffer.from(decoded, "utf8").toString("base64").replace(/=+$/, "") === raw.replace(/=+$/, "")
    ? decoded
    : raw;
}

export const healthCheckUnserved: StackRule = {
  id: "asg-elb-health-check-port-unserved",
  family: "convergence",
  kind: "silently-broken",
  scope: "stack",
  description:
    "An Auto Scaling group with ELB health checks replaces every instance that fails the target group's check: the launch template must start something on the health-check port (its user data names the port).",
  reference: docs(
    "autoscaling/ec2/userguide/ec2-auto-scaling-health-checks.html",
    "Amazon EC2 Auto Scaling User Guide: Health checks for instances in an Auto Scaling group",
  ),
  check(g) {
    const hits: RuleHit[] = [];
    for (const group of g.ofType("aws:autoscaling/group:Group")) {
      if (group.inputs.healthCheckType !== "ELB") continue;
      const { template } = templateOf(g, group);
      if (!template) continue;
      const userData = userDataOf(template);
      for (const tgRef of list(group.inputs.targetGroupArns)) {
        const tg = g.find(tgRef, "aws:lb/targetGroup:TargetGroup");
        if (!tg) continue;
        const hc = block(tg.inputs.healthCheck);
        const port =
          hc.port && hc.port !== "traffic-port" ? String(hc.port) : String(tg.inputs.port ?? "");
        if (!port || new RegExp(`(^|[^0-9])${port}([^0-9]|$)`).test(userData)) continue;
        hits.push({
          urn: template.urn,
          message: `${label(template)}: ${label(group)} uses ELB health checks from ${label(tg)} on port ${port}${hc.path ? ` (${String(hc.path)})` : ""}, but the template's user data starts nothing on that port${userData ? "" : " (it has none)"}, so every instance is marked unhealthy and replaced; start a service on port ${port} that answers the check from the first boot.`,
        });
      }
    }
    return hits;
  },
};

export const reservedConcurrency: AccountRule = {
  id: "lambda-reserved-concurrency",
  family: "convergence",
  kind: "fails-deploy",
  scope: "account",
  description:
    "Lambda keeps 100 of the account's regional concurrency unreserved; new accounts start with a lower limit than 1,000, so any reservation can be refused.",
  reference: docs(
    "lambda/latest/dg/configuration-concurrency.html",
    "AWS Lambda Developer Guide: Configuring reserved concurrency",
  ),
  check(graphs) {
    const hits: RuleHit[] = [];
    const byRegion = new Map<string, { g: ProgramGraph; r: Res; n: number }[]>();
    for (const g of graphs) {
      for (const r of g.ofType("aws:lambda/function:Function")) {
        const n = Number(r.inputs.reservedConcurrentExecutions ?? -1);
        if (!(n > 0)) continue;
        const list = byRegion.get(g.regionOf(r)) ?? [];
        list.push({ g, r, n });
        byRegion.set(g.regionOf(r), list);
      }
    }
    for (const [region, fns] of byRegion) {
      const total = fns.reduce((s, f) => s + f.n, 0);
      for (const { r, n } of fns) {
        hits.push({
          urn: r.urn,
          message: `${label(r)}: reservedConcurrentExecutions ${n} (${total} reserved in ${region} in all) needs an account concurrency limit of at least ${total + 100}; new accounts have less (Lambda keeps 100 unreserved), so PutFunctionConcurrency is refused. Leave it unset by default and reserve only where the limit is known.`,
        });
      }
    }
    return hits;
  },
};

/**
 * Services a VPC function's code calls, from its role's inline policies: not the calls Lambda
 * makes for it (network interfaces, logs, the dead-letter queue) nor KMS calls that services make
 * on its behalf (statements conditioned on kms:ViaService).
 */
function calledServices(g: ProgramGraph, fn: Res, role: Res): Set<string> {
  const out = new Set<string>();
  const deadLetter = block(fn.inputs.deadLetterConfig).targetArn;
  const docsOf = [
    ...g.referencing(role, "aws:iam/rolePolicy:RolePolicy", "role").map((p) => p.inputs.policy),
    ...list(role.inputs.inlinePolicies).map((p) => block(p).policy),
  ].filter(isString);
  for (const doc of docsOf) {
    for (const s of list((JSON.parse(doc) as { Statement?: unknown }).Statement).map(block)) {
      if (s.Effect !== "Allow") continue;
      const resources = list(s.Resource).map(String);
      if (resources.length > 0 && resources.every((r) => r === deadLetter)) continue;
      const viaService = Object.values(block(s.Condition)).some((c) =>
        Object.keys(block(c)).some((k) => k.toLowerCase() === "kms:viaservice"),
      );
      for (const a of list(s.Action).map(String)) {
        const service = a.split(":")[0];
        if (service === "kms" && viaService) continue;
        if (service !== "ec2" && service !== "logs" && service !== "*") out.add(service);
      }
    }
  }
  return out;
}

export const vpcFunctionReachesApis: StackRule = {
  id: "lambda-vpc-reaches-apis",
  family: "convergence",
  kind: "silently-broken",
  scope: "stack",
  description:
    "A function in a VPC reaches AWS APIs only through a NAT route or a VPC endpoint of each service it calls (gateway endpoints on its subnets' route tables).",
  reference: docs(
    "lambda/latest/dg/configuration-vpc-internet.html",
    "AWS Lambda Developer Guide: Enable internet access for VPC-connected Lambda functions",
  ),
  check(g) {
    const hits: RuleHit[] = [];
    for (const fn of g.ofType("aws:lambda/function:Function")) {
      const vpc = block(fn.inputs.vpcConfig);
      const subnets = list(vpc.subnetIds)
        .map((s) => g.find(s))
        .filter((s): s is Res => !!s);
      const role = g.find(fn.inputs.role, "aws:iam/role:Role");
      if (!subnets.length || !role) continue;
      const tables = g
        .ofType("aws:ec2/routeTableAssociation:RouteTableAssociation")
        .filter((a) => subnets.includes(g.find(a.inputs.subnetId) as Res))
        .map((a) => g.find(a.inputs.routeTableId))
        .filter((t): t is Res => !!t);
      const natRoute = [
        ...g
          .ofType("aws:ec2/route:Route")
          .filter((r) => tables.includes(g.find(r.inputs.routeTableId) as Res)),
        ...tables.flatMap((t) =>
          list(t.inputs.routes).map((route) => ({ inputs: block(route) }) as unknown as Res),
        ),
      ].some(
        (r) => r.inputs.destinationCidrBlock === "0.0.0.0/0" || r.inputs.cidrBlock === "0.0.0.0/0",
      );
      if (natRoute) continue;
      const vpcId = g.find(subnets[0].inputs.vpcId);
      const endpoints = g
        .ofType("aws:ec2/vpcEndpoint:VpcEndpoint")
        .filter((e) => g.find(e.inputs.vpcId) === vpcId);
      const reachable = (service: string) =>
        endpoints.some((e) => {
          if (!String(e.inputs.serviceName ?? "").endsWith(`.${service}`)) return false;
          if (e.inputs.vpcEndpointType !== "Gateway") return true;
          return list(e.inputs.routeTableIds).some((id) => tables.includes(g.find(id) as Res));
        });
      const missing = [...calledServices(g, fn, role)].filter((s) => !reachable(s));
      if (missing.length) {
        hits.push({
          urn: fn.urn,
          message: `${label(fn)}: runs in subnets with no route to the internet and no VPC endpoint for ${missing.join(", ")}, which its role's policy calls; calls time out. Add interface (or gateway) endpoints for them, or a NAT route.`,
        });
      }
    }
    return hits;
  },
};

/** Whether a security group lets TCP 443 out (to any destination). */
function httpsEgress(g: ProgramGraph, sg: Res): boolean {
  const covers = (proto: unknown, from: unknown, to: unknown) =>
    String(proto) === "-1" ||
    (["tcp", "6"].includes(String(proto)) && Number(from) <= 443 && Number(to) >= 443);
  if (
    list(sg.inputs.egress)
      .map(block)
      .some((e) => covers(e.protocol, e.fromPort, e.toPort))
  )
    return true;
  const rules = [
    ...g
      .ofType("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")
      .filter((r) => g.find(r.inputs.securityGroupId) === sg)
      .map((r) => covers(r.inputs.ipProtocol, r.inputs.fromPort, r.inputs.toPort)),
    ...g
      .ofType("aws:ec2/securityGroupRule:SecurityGroupRule")
      .filter((r) => r.inputs.type === "egress" && g.find(r.inputs.securityGroupId) === sg)
      .map((r) => covers(r.inputs.protocol, r.inputs.fromPort, r.inputs.toPort)),
  ];
  return rules.some(Boolean);
}

function ssmManaged(g: ProgramGraph, profileRef: unknown): boolean {
  const profile = g.find(profileRef, "aws:iam/instanceProfile:InstanceProfile");
  const role = profile && g.find(profile.inputs.role, "aws:iam/role:Role");
  if (!role) return false;
  const arns = [
    ...list(role.inputs.managedPolicyArns).map(String),
    ...g
      .referencing(role, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "role")
      .map((a) => String(a.inputs.policyArn)),
  ];
  return arns.some((a) => a.endsWith("/AmazonSSMManagedInstanceCore"));
}

export const ssmAgentReachesEndpoints: StackRule = {
  id: "ssm-managed-instance-https-egress",
  family: "convergence",
  kind: "silently-broken",
  scope: "stack",
  description:
    "An instance managed by Systems Manager (AmazonSSMManagedInstanceCore) reaches ssm, ssmmessages and ec2messages over HTTPS: one of its security groups allows TCP 443 out.",
  reference: docs(
    "systems-manager/latest/userguide/ssm-agent-minimum-s3-permissions.html",
    "AWS Systems Manager User Guide: SSM Agent communications (outbound HTTPS, port 443)",
  ),
  check(g) {
    const hits: RuleHit[] = [];
    const groupsOf = (r: Res): unknown[] =>
      r.type === "aws:ec2/instance:Instance"
        ? [...list(r.inputs.vpcSecurityGroupIds), ...list(r.inputs.securityGroups)]
        : [
            ...list(r.inputs.vpcSecurityGroupIds),
            ...list(r.inputs.networkInterfaces).flatMap((n) => list(block(n).securityGroups)),
          ];
    for (const r of g.ofType(
      "aws:ec2/instance:Instance",
      "aws:ec2/launchTemplate:LaunchTemplate",
    )) {
      const profile =
        r.type === "aws:ec2/instance:Instance"
          ? r.inputs.iamInstanceProfile
          : (block(r.inputs.iamInstanceProfile).name ?? block(r.inputs.iamInstanceProfile).arn);
      if (!ssmManaged(g, profile)) continue;
      const groups = groupsOf(r)
        .map((id) => g.find(id, "aws:ec2/securityGroup:SecurityGroup"))
        .filter((s): s is Res => !!s);
      if (groups.length === 0 || groups.some((sg) => httpsEgress(g, sg))) continue;
      hits.push({
        urn: groups[0].urn,
        message: `${label(groups[0])}: ${label(r)} is managed by Systems Manager but none of its security groups allows TCP 443 out, so the agent never registers (no Session Manager, no patching); add an HTTPS egress rule to the VPC endpoints (or the internet through NAT).`,
      });
    }
    return hits;
  },
};

/** Port ranges [from, to] an ordered NACL rule list does not allow in, for TCP from anywhere. */
export function naclGaps(
  rules: readonly Record<string, unknown>[],
  from: number,
  to: number,
): [number, number][] {
  // The rules that can apply to TCP from anywhere, in evaluation order (lowest number first).
  const candidates = [...rules]
    .sort((a, b) => Number(a.ruleNo ?? a.ruleNumber) - Number(b.ruleNo ?? b.ruleNumber))
    .filter((r) => String(r.cidrBlock ?? "") === "0.0.0.0/0")
    .flatMap((r) => {
      const proto = String(r.protocol);
      const all = proto === "-1" || proto === "all";
      if (!all && proto !== "tcp" && proto !== "6") return [];
      const allow = r.action === "allow";
      return [
        {
          allow,
          low: all ? -Infinity : Number(r.fromPort),
          high: all ? Infinity : Number(r.toPort),
        },
      ];
    });
  // Which rule decides a port changes only where a rule's range starts or ends: the ports between
  // two such edges share a verdict, so one port per run of ports is enough (walking every port of
  // 1024-65535 was the preflight's costliest function in a profile of the plan at 50 enclaves).
  if (from > to) return [];
  const edges = new Set<number>([from]);
  for (const { low, high } of candidates) {
    const first = Math.ceil(low);
    const after = Math.floor(high) + 1;
    if (first > from && first <= to) edges.add(first);
    if (after > from && after <= to) edges.add(after);
  }
  const starts = [...edges].sort((a, b) => a - b);
  const gaps: [number, number][] = [];
  starts.forEach((port, i) => {
    const last = i + 1 < starts.length ? starts[i + 1] - 1 : to;
    const decides = candidates.find((r) => r.low <= port && r.high >= port);
    if (decides?.allow) return;
    const open = gaps[gaps.length - 1];
    if (open && open[1] === port - 1) open[1] = last;
    else gaps.push([port, last]);
  });
  return gaps;
}

export const natReturnTraffic: StackRule = {
  id: "nacl-nat-return-traffic",
  family: "convergence",
  kind: "silently-broken",
  scope: "stack",
  description:
    "A NAT gateway's subnet ACL must let in the return traffic of its connections: TCP 1024-65535 from anywhere (NAT gateways use those source ports); a gap hangs a share of outbound connections.",
  reference: docs(
    "vpc/latest/userguide/nacl-ephemeral-ports.html",
    "Amazon VPC User Guide: Ephemeral ports (NAT gateways use ports 1024-65535)",
  ),
  check(g) {
    const hits: RuleHit[] = [];
    for (const nat of g.ofType("aws:ec2/natGateway:NatGateway")) {
      if (nat.inputs.connectivityType === "private") continue;
      const subnet = g.find(nat.inputs.subnetId);
      if (!subnet) continue;
      const acl = g
        .ofType("aws:ec2/networkAcl:NetworkAcl")
        .find((a) => list(a.inputs.subnetIds).some((s) => g.find(s) === subnet));
      if (!acl) continue;
      const ingress = [
        ...list(acl.inputs.ingress).map(block),
        ...g
          .ofType("aws:ec2/networkAclRule:NetworkAclRule")
          .filter((r) => g.find(r.inputs.networkAclId) === acl && r.inputs.egress !== true)
          .map((r) => ({ ...r.inputs, action: r.inputs.ruleAction })),
      ];
      const gaps = naclGaps(ingress, 1024, 65535);
      if (gaps.length) {
        hits.push({
          urn: acl.urn,
          message: `${label(acl)}: holds ${label(nat)} but does not admit TCP ${gaps.map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)).join(", ")} from 0.0.0.0/0, ports the NAT gateway uses for its connections' return traffic; those connections hang. Admit 1024-65535 (or document the trade-off).`,
        });
      }
    }
    return hits;
  },
};

export const convergenceRules = {
  stack: [
    refreshOnLatest,
    healthCheckUnserved,
    vpcFunctionReachesApis,
    ssmAgentReachesEndpoints,
    natReturnTraffic,
  ] as StackRule[],
  account: [reservedConcurrency] as AccountRule[],
};
