import { TRANSMISSION } from "../lib/levels";
import { ResourceCheck, resourcePolicy } from "../lib/policy";
import { list, nonEmpty, obj } from "../lib/props";

/** ELB security policies that allow only TLS 1.2 and 1.3. */
export function isTls12Policy(policy: unknown): boolean {
  return typeof policy === "string" && /^ELBSecurityPolicy-(TLS13-|TLS-1-2-|FS-1-2-)/.test(policy);
}

function isAcm(arn: unknown): boolean {
  return typeof arn === "string" && /^arn:aws[a-z-]*:acm:/.test(arn);
}

const listener: ResourceCheck = (r, report) => {
  const protocol = String(r.props.protocol ?? "").toUpperCase();
  if (protocol === "HTTPS" || protocol === "TLS") {
    if (!isTls12Policy(r.props.sslPolicy)) {
      report(
        `${r.name} negotiates ${String(r.props.sslPolicy ?? "the default policy, which allows TLS 1.0")}: set sslPolicy to "ELBSecurityPolicy-TLS13-1-2-2021-06" (TLS 1.2 and 1.3)`,
      );
    }
    if (!isAcm(r.props.certificateArn)) {
      report(
        `${r.name} serves a certificate not from ACM: set certificateArn to an ACM certificate (renewed automatically)`,
      );
    }
  } else if (protocol === "HTTP") {
    const actions = list(r.props.defaultActions);
    const redirects =
      actions.length > 0 &&
      actions.every(
        (a) => a.type === "redirect" && String(obj(a.redirect)?.protocol).toUpperCase() === "HTTPS",
      );
    if (!redirects) {
      report(
        `${r.name} serves plain HTTP: make its only default action a redirect with redirect.protocol "HTTPS" and statusCode "HTTP_301"`,
      );
    }
  }
};

const classic: ResourceCheck = (r, report) => {
  list(r.props.listeners).forEach((l, i) => {
    const protocol = String(l.lbProtocol ?? "").toLowerCase();
    if (protocol !== "https" && protocol !== "ssl") {
      report(
        `${r.name} listens with ${protocol.toUpperCase()} on port ${String(l.lbPort)}: set listeners[${i}].lbProtocol to "https" with an ACM sslCertificateId`,
      );
    } else if (!isAcm(l.sslCertificateId)) {
      report(
        `${r.name} listener ${i} uses a certificate not from ACM: set listeners[${i}].sslCertificateId to an ACM certificate`,
      );
    }
  });
};

/** TLS in transit at the edge. */
export const elbListenerEnforceHttps = resourcePolicy(
  {
    name: "elb-listener-enforce-https",
    description:
      "Load balancer listeners serve HTTPS/TLS with a TLS 1.2+ security policy and an ACM certificate; HTTP listeners only redirect to HTTPS; classic ELB listeners use HTTPS or SSL.",
    enforcementLevel: "mandatory",
    severity: "high",
    hipaa: [...TRANSMISSION],
    remediationSteps:
      'HTTPS listener with sslPolicy "ELBSecurityPolicy-TLS13-1-2-2021-06" and an ACM certificate; HTTP listener whose only action redirects to HTTPS.',
    levelReason:
      "PHI crossing the internet in plaintext or over broken TLS versions is a reportable breach.",
  },
  {
    "aws:lb/listener:Listener": listener,
    "aws:alb/listener:Listener": listener,
    "aws:elb/loadBalancer:LoadBalancer": classic,
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
    description: "Load balancers write access logs to S3.",
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
        if (!logs || logs.enabled === false || !nonEmpty(logs.bucket)) {
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
