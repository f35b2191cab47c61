import type { PolicyResource } from "@pulumi/policy";
import { TRANSMISSION } from "../lib/levels";
import { ResourceCheck, resourcePolicy, stackPolicy } from "../lib/policy";
import { isTrue, list, nonEmpty, obj } from "../lib/props";
import { elbMinimumTls } from "../lib/tls";
import { ofType } from "../lib/types";

const LISTENERS = ["aws:lb/listener:Listener", "aws:alb/listener:Listener"];
const RULES = ["aws:lb/listenerRule:ListenerRule", "aws:alb/listenerRule:ListenerRule"];
const LBS = ["aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"];
const CLASSIC = "aws:elb/loadBalancer:LoadBalancer";

/** ELB security policies that accept nothing below TLS 1.2. */
export function isTls12Policy(policy: unknown): boolean {
  return (elbMinimumTls(policy) ?? 0) >= 1.2;
}

function isAcm(arn: unknown): boolean {
  return typeof arn === "string" && /^arn:aws[a-z-]*:acm:/.test(arn);
}

function redirectsToHttps(actions: Record<string, unknown>[]): boolean {
  return (
    actions.length > 0 &&
    actions.every(
      (a) =>
        String(a.type ?? "").toLowerCase() === "redirect" &&
        String(obj(a.redirect)?.protocol).toUpperCase() === "HTTPS",
    )
  );
}

/** Actions that answer without forwarding anything to a target. */
function answersOnly(actions: Record<string, unknown>[]): boolean {
  return actions.every((a) =>
    ["redirect", "fixed-response"].includes(String(a.type ?? "").toLowerCase()),
  );
}

function classic(
  r: { name: string; props: Record<string, unknown> },
  report: (m: string) => void,
): void {
  list(r.props.listeners).forEach((l, i) => {
    const protocol = String(l.lbProtocol ?? "").toLowerCase();
    if (protocol !== "https" && protocol !== "ssl") {
      report(
        `${r.name} listens with ${protocol.toUpperCase() || "no protocol"} on port ${String(l.lbPort)}: set listeners[${i}].lbProtocol to "https" with an ACM sslCertificateId`,
      );
    } else if (!isAcm(l.sslCertificateId)) {
      report(
        `${r.name} listener ${i} uses a certificate not from ACM: set listeners[${i}].sslCertificateId to an ACM certificate`,
      );
    }
  });
}

/**
 * TLS in transit at the edge. A listener without a protocol is HTTP on an application load
 * balancer (TCP on a network one); a listener without an sslPolicy gets ELBSecurityPolicy-2016-08,
 * which accepts TLS 1.0. AWS: "Listeners for your Application Load Balancers",
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-listeners.html
 */
export const elbListenerEnforceHttps = stackPolicy(
  {
    name: "elb-listener-enforce-https",
    description:
      "Load balancer listeners serve HTTPS/TLS with a security policy whose lowest TLS version is 1.2 (judged from AWS's table; several TLS13-* policies accept 1.0) and an ACM certificate; HTTP listeners (a listener without a protocol on an application load balancer is HTTP) only redirect to HTTPS, by default action and by every listener rule; classic ELB listeners use HTTPS or SSL.",
    enforcementLevel: "mandatory",
    severity: "high",
    hipaa: [...TRANSMISSION],
    remediationSteps:
      'HTTPS listener with sslPolicy "ELBSecurityPolicy-TLS13-1-2-2021-06" and an ACM certificate; HTTP listener whose default action and rules only redirect to HTTPS.',
    levelReason:
      "PHI crossing the internet in plaintext or over broken TLS versions is a reportable breach.",
  },
  [...LISTENERS, ...RULES, ...LBS, CLASSIC],
  (resources, report) => {
    const lbs = new Map<string, PolicyResource>();
    for (const lb of ofType(resources, ...LBS))
      for (const k of [lb.props.arn, lb.props.id]) if (typeof k === "string" && k) lbs.set(k, lb);
    const httpListeners = new Map<string, PolicyResource>();
    for (const l of ofType(resources, ...LISTENERS)) {
      const lb = lbs.get(String(l.props.loadBalancerArn ?? ""));
      const type = String(lb?.props.loadBalancerType ?? "application");
      const protocol = String(
        l.props.protocol ?? (type === "application" ? "HTTP" : "TCP"),
      ).toUpperCase();
      if (protocol === "HTTPS" || protocol === "TLS") {
        const min = elbMinimumTls(l.props.sslPolicy);
        if (min === undefined || min < 1.2) {
          report(
            `${l.name} negotiates ${nonEmpty(l.props.sslPolicy) ? String(l.props.sslPolicy) : "the default policy ELBSecurityPolicy-2016-08"}, which ${min === undefined ? "is not in AWS's table of security policies" : `accepts TLS ${min.toFixed(1)}`}: set sslPolicy to "ELBSecurityPolicy-TLS13-1-2-2021-06" (TLS 1.2 and 1.3)`,
            l.urn,
          );
        }
        if (!isAcm(l.props.certificateArn)) {
          report(
            `${l.name} serves a certificate not from ACM: set certificateArn to an ACM certificate (renewed automatically)`,
            l.urn,
          );
        }
      } else if (protocol === "HTTP") {
        for (const k of [l.props.arn, l.props.id])
          if (typeof k === "string" && k) httpListeners.set(k, l);
        if (!redirectsToHttps(list(l.props.defaultActions))) {
          report(
            `${l.name} serves plain HTTP${l.props.protocol === undefined ? " (a listener without a protocol is HTTP)" : ""}: make its only default action a redirect with redirect.protocol "HTTPS" and statusCode "HTTP_301"`,
            l.urn,
          );
        }
      }
    }
    for (const c of ofType(resources, CLASSIC)) classic(c, (m) => report(m, c.urn));
    for (const rule of ofType(resources, ...RULES)) {
      const listener = httpListeners.get(String(rule.props.listenerArn ?? ""));
      const actions = list(rule.props.actions);
      if (listener && !answersOnly(actions)) {
        report(
          `${rule.name} forwards requests that arrive over plain HTTP on ${listener.name}: make the rule redirect to HTTPS, or attach it to the HTTPS listener`,
          rule.urn,
        );
      }
    }
  },
);

const APPLICATION = (r: { props: Record<string, unknown> }) =>
  (r.props.loadBalancerType ?? "application") === "application";

/** Request smuggling defence on ALBs. */
export const elbLoadBalancerEnableDropInvalidHeaders = resourcePolicy(
  {
    name: "elb-loadbalancer-enable-drop-invalid-headers",
    description: "Application load balancers drop HTTP headers with invalid fields.",
    enforcementLevel: "mandatory",
    severity: "medium",
    hipaa: [...TRANSMISSION],
    remediationSteps: "Set dropInvalidHeaderFields: true.",
    levelReason:
      "Invalid headers are the raw material of request smuggling against the application that serves PHI; dropping them costs nothing.",
  },
  Object.fromEntries(
    ["aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"].map((t) => [
      t,
      ((r, report) => {
        if (APPLICATION(r) && r.props.dropInvalidHeaderFields !== true) {
          report(
            `${r.name} forwards headers with invalid fields: set dropInvalidHeaderFields to true`,
          );
        }
      }) as ResourceCheck,
    ]),
  ),
);

/** Every request to the platform is recorded at the edge. */
export const elbLoadBalancerEnableAccessLogs = resourcePolicy(
  {
    name: "elb-loadbalancer-enable-access-logs",
    description:
      "Load balancers write access logs to S3: accessLogs with a bucket and enabled true (application and network load balancers default to false), or not false (classic ELBs default to true).",
    enforcementLevel: "mandatory",
    severity: "medium",
    hipaa: ["164.312(b)", "164.308(a)(1)(ii)(D)"],
    remediationSteps:
      "Set accessLogs: { enabled: true, bucket: <log bucket> } (SSE-S3 bucket: ALB log delivery requires it).",
    levelReason:
      "Access logs are the record of who requested what from the application that serves PHI.",
  },
  Object.fromEntries(
    [
      "aws:lb/loadBalancer:LoadBalancer",
      "aws:alb/loadBalancer:LoadBalancer",
      "aws:elb/loadBalancer:LoadBalancer",
    ].map((t) => [
      t,
      ((r, report) => {
        const logs = obj(r.props.accessLogs);
        // Application and network load balancers log only when enabled is true ("Defaults to
        // false, even when bucket is specified"); classic ELBs when it is not false (default
        // true). Pulumi AWS: aws.lb.LoadBalancer accessLogs and aws.elb.LoadBalancer accessLogs,
        // https://www.pulumi.com/registry/packages/aws/api-docs/lb/loadbalancer/
        const on = t === CLASSIC ? logs?.enabled !== false : isTrue(logs?.enabled);
        if (!logs || !on || !nonEmpty(logs.bucket)) {
          report(
            `${r.name} keeps no access logs: set accessLogs.enabled to true and accessLogs.bucket to the access-log bucket`,
          );
        }
      }) as ResourceCheck,
    ]),
  ),
);

/** Resilience of the entry point: advisory. */
export const elbLoadBalancerEnableDeletionProtection = resourcePolicy(
  {
    name: "elb-loadbalancer-enable-deletion-protection",
    description:
      "Application and network load balancers have deletion protection; classic ELBs balance across zones.",
    enforcementLevel: "advisory",
    severity: "low",
    hipaa: ["164.308(a)(7)(i)"],
    remediationSteps:
      "Set enableDeletionProtection: true (classic ELB: crossZoneLoadBalancing: true).",
    levelReason: "Losing the load balancer is an outage, not an exposure of PHI: advisory.",
  },
  {
    "aws:lb/loadBalancer:LoadBalancer": (r, report) => {
      if (r.props.enableDeletionProtection !== true)
        report(`${r.name} can be deleted by mistake: set enableDeletionProtection to true`);
    },
    "aws:alb/loadBalancer:LoadBalancer": (r, report) => {
      if (r.props.enableDeletionProtection !== true)
        report(`${r.name} can be deleted by mistake: set enableDeletionProtection to true`);
    },
    "aws:elb/loadBalancer:LoadBalancer": (r, report) => {
      if (r.props.crossZoneLoadBalancing === false)
        report(`${r.name} does not balance across zones: set crossZoneLoadBalancing to true`);
    },
  },
);
