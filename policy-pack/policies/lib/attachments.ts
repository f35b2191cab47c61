/**
 * Where a security group leads: the resources the program attaches it to, and on which ports the
 * internet reaches each of them by design. A group that admits the internet exposes nothing more
 * than its attachments accept: an internet-facing load balancer only answers on its listeners, and
 * a target of an internet-facing Network Load Balancer in a private subnet is reached from the
 * internet only through the load balancer.
 *
 * AWS: "Target security groups" for Network Load Balancers,
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/network/target-group-register-targets.html#target-security-groups
 * (with client IP preservation and no security group on the load balancer, the targets' groups
 * must admit the clients' addresses), and "Client IP preservation",
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/network/edit-target-group-attributes.html#client-ip-preservation
 * (on by default for instance targets and for UDP, TCP_UDP, QUIC and TCP_QUIC; off by default for
 * IP targets over TCP and TLS; preserve_client_ip.enabled changes it).
 */
import type { PolicyResource } from "@pulumi/policy";
import { INGRESS_TYPES, PREFIX_LIST_TYPES } from "./ingress";
import { isTrue, isUnknownValue, list, obj, strings } from "./props";
import { T, Topology, idOf } from "./topology";
import { ofType } from "./types";

const LISTENERS = ["aws:lb/listener:Listener", "aws:alb/listener:Listener"];
const LISTENER_RULES = ["aws:lb/listenerRule:ListenerRule", "aws:alb/listenerRule:ListenerRule"];
const TARGET_GROUPS = ["aws:lb/targetGroup:TargetGroup", "aws:alb/targetGroup:TargetGroup"];
const TG_ATTACHMENTS = [
  "aws:lb/targetGroupAttachment:TargetGroupAttachment",
  "aws:alb/targetGroupAttachment:TargetGroupAttachment",
];
const ASG_ATTACHMENT = "aws:autoscaling/attachment:Attachment";
const LOAD_BALANCERS: readonly string[] = [T.lb, T.alb, T.elb];

/** The types whose settings decide where a group leads (any other resource may attach one too). */
export const REACH_TYPES: readonly string[] = [
  ...LOAD_BALANCERS,
  ...LISTENERS,
  ...LISTENER_RULES,
  ...TARGET_GROUPS,
  ...TG_ATTACHMENTS,
  ASG_ATTACHMENT,
  T.instance,
  T.launchTemplate,
  T.launchConfiguration,
  T.autoscalingGroup,
  T.ecsService,
  T.subnet,
  T.routeTable,
  T.route,
  T.association,
  T.mainAssociation,
];

/** Resources that name a group without being attached to it: the group and its rules. */
const NOT_ATTACHMENTS = new Set<string>([
  ...Object.values(INGRESS_TYPES),
  "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
  ...Object.values(PREFIX_LIST_TYPES),
]);

/** Ports from 80/443 that web browsers use: every internet-facing load balancer may take them. */
export const WEB_PORTS: readonly number[] = [80, 443];

/** Property names that attach security groups, in every AWS resource that has them. */
const GROUP_KEY = /security_?groups?(ids|names)?$|securitygroupids$/i;

/** GROUP_KEY's answer for each property name: programs use a few hundred names again and again. */
const groupKeys = new Map<string, boolean>();

function isGroupKey(key: string): boolean {
  let hit = groupKeys.get(key);
  if (hit === undefined) {
    hit = GROUP_KEY.test(key);
    if (groupKeys.size < 10_000) groupKeys.set(key, hit);
  }
  return hit;
}

/**
 * Which of these strings a value holds, a few levels deep. A value unknown until apply under a
 * property that attaches security groups may be any group: the engine's error goes up, and the
 * policy says it cannot judge yet; elsewhere it is returned, for the caller to decide.
 */
function mentions(
  value: unknown,
  ids: ReadonlySet<string>,
  depth: number,
  found: Set<string>,
  underGroupKey = false,
): unknown {
  if (typeof value === "string") {
    if (ids.has(value)) found.add(value);
    return undefined;
  }
  if (depth > 4 || !value || typeof value !== "object") return undefined;
  let unknown: unknown;
  // for-in visits what Object.keys lists (props inherit nothing enumerable), and reads each value
  // through its enum cache rather than a keyed lookup.
  for (const key in value) {
    let child: unknown;
    try {
      child = (value as Record<string, unknown>)[key];
    } catch (err) {
      if (!isUnknownValue(err) || underGroupKey || isGroupKey(key)) throw err;
      unknown ??= err;
      continue;
    }
    // Once a value is unknown, the rest is read (an unknown group there still throws) but not searched.
    if (unknown !== undefined) continue;
    if (typeof child === "string") {
      if (ids.has(child)) found.add(child);
    } else if (depth < 4 && child && typeof child === "object") {
      // Whether the key attaches groups matters only below it, and only when a value is unknown.
      unknown = mentions(child, ids, depth + 1, found, underGroupKey || isGroupKey(key));
    }
  }
  return unknown;
}

/** What the internet may reach on one attachment of a group, by design; undefined: nothing. */
interface Admits {
  readonly ports: ReadonlySet<number>;
}

function byKey(resources: readonly PolicyResource[]): Map<string, PolicyResource> {
  const out = new Map<string, PolicyResource>();
  for (const r of resources)
    for (const k of [idOf(r), r.props.arn, r.props.name])
      if (typeof k === "string" && k) out.set(k, r);
  return out;
}

export class GroupReach {
  private readonly net: Topology;
  private readonly lbs: Map<string, PolicyResource>;
  private readonly tgs: Map<string, PolicyResource>;
  /** Listener ports of each load balancer, by its ARN or id. */
  private readonly listenerPorts = new Map<PolicyResource, Set<number>>();
  /** Target groups an internet-facing NLB without security groups forwards to. */
  private readonly nlbTargetGroups = new Set<PolicyResource>();

  constructor(private readonly resources: readonly PolicyResource[]) {
    this.net = Topology.of(resources);
    this.lbs = byKey(ofType(resources, ...LOAD_BALANCERS));
    this.tgs = byKey(ofType(resources, ...TARGET_GROUPS));
    const listeners = new Map<string, PolicyResource>();
    for (const l of ofType(resources, ...LISTENERS)) {
      const lb = this.lbs.get(String(l.props.loadBalancerArn ?? ""));
      if (!lb) continue;
      for (const k of [idOf(l), l.props.arn]) if (typeof k === "string" && k) listeners.set(k, l);
      const ports = this.listenerPorts.get(lb) ?? new Set<number>();
      if (typeof l.props.port === "number") ports.add(l.props.port);
      this.listenerPorts.set(lb, ports);
      if (this.isOpenNlb(lb)) this.forwarded(list(l.props.defaultActions));
    }
    for (const rule of ofType(resources, ...LISTENER_RULES)) {
      const l = listeners.get(String(rule.props.listenerArn ?? ""));
      const lb = l && this.lbs.get(String(l.props.loadBalancerArn ?? ""));
      if (lb && this.isOpenNlb(lb)) this.forwarded(list(rule.props.actions));
    }
  }

  /** An internet-facing Network Load Balancer without security groups: it filters nothing. */
  private isOpenNlb(lb: PolicyResource): boolean {
    return (
      lb.type !== T.elb &&
      lb.props.loadBalancerType === "network" &&
      !isTrue(lb.props.internal) &&
      strings(lb.props.securityGroups).length === 0
    );
  }

  private forwarded(actions: Record<string, unknown>[]): void {
    for (const a of actions) {
      const arns = [
        ...strings(a.targetGroupArn),
        ...list(obj(a.forward)?.targetGroups).flatMap((t) => strings(t.arn)),
      ];
      for (const arn of arns) {
        const tg = this.tgs.get(arn);
        if (tg) this.nlbTargetGroups.add(tg);
      }
    }
  }

  /** Whether targets of this group see the clients' own addresses. */
  private static preservesClientIp(tg: PolicyResource): boolean {
    const protocol = String(tg.props.protocol ?? "").toUpperCase();
    if (["UDP", "TCP_UDP", "QUIC", "TCP_QUIC"].includes(protocol)) return true;
    const flag = tg.props.preserveClientIp;
    if (flag !== undefined && flag !== null && flag !== "") return isTrue(flag);
    return String(tg.props.targetType ?? "instance") === "instance";
  }

  /** The ports clients reach through these target groups, when an open NLB forwards to them with their addresses. */
  private clientPorts(
    tgArns: readonly string[],
    portOf: (tg: PolicyResource) => unknown,
  ): number[] {
    const out: number[] = [];
    for (const arn of tgArns) {
      const tg = this.tgs.get(arn);
      if (!tg || !this.nlbTargetGroups.has(tg) || !GroupReach.preservesClientIp(tg)) continue;
      const port = portOf(tg);
      if (typeof port === "number") out.push(port);
    }
    return out;
  }

  /** Whether every subnet is one the program declares as private (no route to an internet gateway). */
  private allPrivate(subnets: readonly string[]): boolean {
    return subnets.length > 0 && this.net.privateIn(subnets).length === subnets.length;
  }

  /** Auto Scaling groups that launch from this template or configuration. */
  private groupsLaunching(r: PolicyResource): PolicyResource[] {
    const keys = new Set([idOf(r), r.props.name, r.props.arn].filter((k) => k));
    return this.net
      .of(T.autoscalingGroup)
      .filter((g) =>
        r.type === T.launchTemplate
          ? this.net.templateOf(g) === r
          : keys.has(g.props.launchConfiguration as string),
      );
  }

  /** Target group ARNs of an Auto Scaling group, its own and those attached apart. */
  private groupTargets(g: PolicyResource): string[] {
    const attached = ofType(this.resources, ASG_ATTACHMENT)
      .filter((a) => [idOf(g), g.props.name].includes(a.props.autoscalingGroupName as string))
      .flatMap((a) => strings(a.props.lbTargetGroupArn));
    return [...strings(g.props.targetGroupArns), ...attached];
  }

  private readonly admitted = new Map<PolicyResource, Admits | undefined>();

  private admits(r: PolicyResource): Admits | undefined {
    if (!this.admitted.has(r)) this.admitted.set(r, this.admitsUncached(r));
    return this.admitted.get(r);
  }

  private admitsUncached(r: PolicyResource): Admits | undefined {
    if (LOAD_BALANCERS.includes(r.type)) {
      if (isTrue(r.props.internal)) return undefined;
      return { ports: new Set([...WEB_PORTS, ...(this.listenerPorts.get(r) ?? [])]) };
    }
    if (r.type === T.ecsService) {
      const nc = obj(r.props.networkConfiguration);
      if (!this.allPrivate(strings(nc?.subnets))) return undefined;
      const ports = list(r.props.loadBalancers).flatMap((lb) =>
        this.clientPorts(strings(lb.targetGroupArn), () => lb.containerPort),
      );
      return ports.length ? { ports: new Set(ports) } : undefined;
    }
    if (r.type === T.instance) {
      if (!this.allPrivate(this.net.instanceSubnets(r))) return undefined;
      const ports = ofType(this.resources, ...TG_ATTACHMENTS)
        .filter((a) => a.props.targetId === idOf(r))
        .flatMap((a) =>
          this.clientPorts(strings(a.props.targetGroupArn), (tg) => a.props.port ?? tg.props.port),
        );
      return ports.length ? { ports: new Set(ports) } : undefined;
    }
    if (r.type === T.launchTemplate || r.type === T.launchConfiguration) {
      const groups = this.groupsLaunching(r);
      // Every group launching it must be a private NLB target; the allowed ports are those all share.
      let shared: Set<number> | undefined;
      for (const g of groups) {
        if (!this.allPrivate(strings(g.props.vpcZoneIdentifiers))) return undefined;
        const ports = new Set(this.clientPorts(this.groupTargets(g), (tg) => tg.props.port));
        shared = shared ? new Set([...shared].filter((p) => ports.has(p))) : ports;
      }
      return shared?.size ? { ports: shared } : undefined;
    }
    return undefined;
  }

  /**
   * The engine's error for a value unknown until apply in a resource that can attach groups or
   * place them: while it is unknown, a group may lead anywhere.
   */
  private unknown: unknown;

  /** The resources attached to each of these groups (any property naming the group's id). */
  attachments(groupIds: ReadonlySet<string>): Map<string, PolicyResource[]> {
    const out = new Map<string, PolicyResource[]>();
    if (!groupIds.size) return out;
    for (const r of this.resources) {
      if (NOT_ATTACHMENTS.has(r.type) || groupIds.has(idOf(r))) continue;
      const found = new Set<string>();
      const unknown = mentions(r.props, groupIds, 0, found);
      if (unknown && REACH_TYPES.includes(r.type)) this.unknown ??= unknown;
      for (const id of found) out.set(id, [...(out.get(id) ?? []), r]);
    }
    return out;
  }

  /**
   * Whether the internet reaching a group with these attachments on these ports reaches nothing
   * the design does not expose: the group is attached to something, and every attachment admits
   * those ports. Throws the engine's error when a value it needs is unknown until apply.
   */
  designedFor(attached: readonly PolicyResource[], from: number, to: number): boolean {
    const designed =
      attached.length > 0 &&
      to - from <= 64 &&
      attached.every((r) => {
        const admits = this.admits(r);
        if (!admits) return false;
        for (let p = from; p <= to; p++) if (!admits.ports.has(p)) return false;
        return true;
      });
    if (!designed && this.unknown) throw this.unknown;
    return designed;
  }

  static of(resources: readonly PolicyResource[]): GroupReach {
    let reach = built.get(resources);
    if (!reach) {
      reach = new GroupReach(resources);
      built.set(resources, reach);
    }
    return reach;
  }
}

const built = new WeakMap<readonly PolicyResource[], GroupReach>();
