/**
 * Families of TLS at the edge (CloudFront viewer and origin), ECS task EFS mounts, ALB header
 * hygiene and WAF.
 */
import fc from "fast-check";
import { ResourceRecord } from "../../../tools/engine";
import { res } from "../fixtures";
import { family } from "./harness";

// ---- in transit: CloudFront, ECS, load balancers ---------------------------------------------

const CF_TLS = "cloudfront-distribution-enforce-tls";
const DIST = "aws:cloudfront/distribution:Distribution";
const behavior = (policy: string) => ({
  targetOriginId: "api",
  viewerProtocolPolicy: policy,
  allowedMethods: ["GET", "HEAD"],
  cachedMethods: ["GET", "HEAD"],
  cachePolicyId: "658327ea-f89d-4fab-a63d-7e88639e58f6",
});
const acm = (min?: string) => ({
  acmCertificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/abc",
  sslSupportMethod: "sni-only",
  ...(min === undefined ? {} : { minimumProtocolVersion: min }),
});
const httpsOrigin = (protocols: string[], policy = "https-only") => ({
  originId: "api",
  domainName: "api.example.org",
  customOriginConfig: {
    httpPort: 80,
    httpsPort: 443,
    originProtocolPolicy: policy,
    originSslProtocols: protocols,
  },
});
function distribution(d: {
  viewer?: string[];
  cert?: Record<string, unknown>;
  origins?: object[];
}): ResourceRecord[] {
  const [first, ...rest] = d.viewer ?? ["redirect-to-https"];
  return [
    res(DIST, "cdn", {
      enabled: true,
      origins: d.origins ?? [httpsOrigin(["TLSv1.2"])],
      defaultCacheBehavior: behavior(first),
      orderedCacheBehaviors: rest.map((p, i) => ({ ...behavior(p), pathPattern: `/p${i}/*` })),
      viewerCertificate: d.cert ?? acm("TLSv1.2_2021"),
      restrictions: { geoRestriction: { restrictionType: "none" } },
    }),
  ];
}
const goodViewer = fc.array(fc.constantFrom("redirect-to-https", "https-only"), {
  minLength: 1,
  maxLength: 3,
});
family({
  policy: CF_TLS,
  name: "viewer minimum TLS below 1.2 (SSLv3, TLSv1, TLSv1_2016, TLSv1.1_2016, unset, the default certificate)",
  caught: true,
  variants: fc
    .tuple(
      goodViewer,
      fc.constantFrom<Record<string, unknown>>(
        acm("SSLv3"),
        acm("TLSv1"),
        acm("TLSv1_2016"),
        acm("TLSv1.1_2016"),
        acm(),
        { cloudfrontDefaultCertificate: true },
        { cloudfrontDefaultCertificate: true, minimumProtocolVersion: "TLSv1.2_2021" },
        {
          iamCertificateId: "ASCACKCEVSQ6C2EXAMPLE",
          sslSupportMethod: "sni-only",
          minimumProtocolVersion: "TLSv1_2016",
        },
      ),
    )
    .map(([viewer, cert]) => distribution({ viewer, cert })),
});
family({
  policy: CF_TLS,
  name: "an origin that allows SSLv3, TLSv1 or TLSv1.1 beside TLSv1.2, or plain HTTP (http-only, match-viewer behind allow-all)",
  caught: true,
  variants: fc
    .tuple(
      fc.subarray(["SSLv3", "TLSv1", "TLSv1.1"], { minLength: 1 }),
      fc.constantFrom("weak", "http-only", "match-viewer"),
      fc.nat(2),
    )
    .map(([weak, how, at]) => {
      if (how === "weak") {
        const protocols = ["TLSv1.2"];
        protocols.splice(at % 2, 0, ...weak);
        return distribution({ origins: [httpsOrigin(protocols)] });
      }
      if (how === "http-only")
        return distribution({ origins: [httpsOrigin(["TLSv1.2"], "http-only")] });
      return distribution({
        viewer: ["redirect-to-https", "allow-all"],
        origins: [httpsOrigin(["TLSv1.2"], "match-viewer")],
      });
    }),
});
family({
  policy: CF_TLS,
  name: "a behavior (default or ordered) that serves plain HTTP (allow-all)",
  caught: true,
  variants: fc.tuple(goodViewer, fc.nat(3)).map(([viewer, at]) => {
    const v: string[] = [...viewer];
    v.splice(at % (v.length + 1), 0, "allow-all");
    return distribution({ viewer: v });
  }),
});
family({
  policy: CF_TLS,
  name: "HTTPS on every behavior, an ACM or IAM certificate at TLSv1.2_2018 or later, origins over TLSv1.2 only (custom or S3)",
  caught: false,
  variants: fc
    .tuple(
      goodViewer,
      fc.constantFrom(
        "TLSv1.2_2018",
        "TLSv1.2_2019",
        "TLSv1.2_2021",
        "TLSv1.2_2025",
        "TLSv1.3_2025",
      ),
      fc.boolean(),
      fc.constantFrom("custom", "match-viewer", "s3"),
    )
    .map(([viewer, min, iam, origin]) =>
      distribution({
        viewer,
        cert: iam
          ? {
              iamCertificateId: "ASCACKCEVSQ6C2EXAMPLE",
              sslSupportMethod: "sni-only",
              minimumProtocolVersion: min,
            }
          : acm(min),
        origins: [
          origin === "s3"
            ? {
                originId: "api",
                domainName: "docs-1.s3.eu-west-1.amazonaws.com",
                originAccessControlId: "oac-1",
              }
            : httpsOrigin(["TLSv1.2"], origin === "custom" ? "https-only" : "match-viewer"),
        ],
      }),
    ),
});

const ECS_TLS = "ecs-taskdefinition-enforce-transit-encryption";
const otherVolumes = fc.subarray([
  { name: "scratch" },
  { name: "host", hostPath: "/var/log" },
  { name: "docker", dockerVolumeConfiguration: { scope: "task", driver: "local" } },
]);
const efsVolume = (name: string, tls: string | undefined, iam: boolean) => ({
  name,
  efsVolumeConfiguration: {
    fileSystemId: "fs-1",
    rootDirectory: "/",
    ...(tls === undefined ? {} : { transitEncryption: tls }),
    ...(iam ? { authorizationConfig: { accessPointId: "fsap-1", iam: "DISABLED" } } : {}),
  },
});
const taskDefinition = (volumes: object[]) => [
  res("aws:ecs/taskDefinition:TaskDefinition", "task", {
    family: "api",
    requiresCompatibilities: ["FARGATE"],
    networkMode: "awsvpc",
    cpu: "256",
    memory: "512",
    containerDefinitions: JSON.stringify([{ name: "api", image: "api:1" }]),
    volumes,
  }),
];
family({
  policy: ECS_TLS,
  name: "a task definition with an EFS volume whose transitEncryption is DISABLED or unset, among other volumes",
  caught: true,
  variants: fc
    .tuple(
      otherVolumes,
      fc.constantFrom<string | undefined>("DISABLED", undefined),
      fc.boolean(),
      fc.nat(3),
      fc.boolean(),
    )
    .map(([others, tls, iam, at, secondGood]) => {
      const volumes: object[] = [
        ...others,
        ...(secondGood ? [efsVolume("ok", "ENABLED", false)] : []),
      ];
      volumes.splice(at % (volumes.length + 1), 0, efsVolume("phi", tls, iam));
      return taskDefinition(volumes);
    }),
});
family({
  policy: ECS_TLS,
  name: "task definitions whose EFS volumes all say ENABLED, or that mount no EFS",
  caught: false,
  variants: fc
    .tuple(otherVolumes, fc.nat(2), fc.boolean())
    .map(([others, n, iam]) =>
      taskDefinition([
        ...others,
        ...Array.from({ length: n }, (_, i) => efsVolume(`phi${i}`, "ENABLED", iam)),
      ]),
    ),
});

const HEADERS = "elb-loadbalancer-enable-drop-invalid-headers";
const LB_TYPES = ["aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"];
const albType = fc.constantFrom<Record<string, unknown>>({}, { loadBalancerType: "application" });
family({
  policy: HEADERS,
  name: "an application load balancer (aws.lb or aws.alb, type said or not, internal or not) that keeps invalid headers",
  caught: true,
  variants: fc
    .tuple(
      fc.constantFrom(...LB_TYPES),
      albType,
      fc.constantFrom<unknown>(false, undefined),
      fc.boolean(),
    )
    .map(([type, kind, drop, internal]) => [
      res(type, "alb", {
        ...kind,
        internal,
        subnets: ["pub-id"],
        ...(drop === undefined ? {} : { dropInvalidHeaderFields: drop }),
      }),
    ]),
});
family({
  policy: HEADERS,
  name: "application load balancers that drop invalid headers; network and gateway load balancers, which have no such setting",
  caught: false,
  variants: fc
    .tuple(
      fc.constantFrom(...LB_TYPES),
      albType,
      fc.constantFrom("application", "network", "gateway"),
    )
    .map(([type, kind, which]) => [
      res(
        type,
        "lb",
        which === "application"
          ? { ...kind, subnets: ["pub-id"], dropInvalidHeaderFields: true }
          : { loadBalancerType: which, subnets: ["pub-id"] },
      ),
    ]),
});

const WAF = "wafv2-loadbalancer-enable-webacl";
const ASSOCIATION = "aws:wafv2/webAclAssociation:WebAclAssociation";
const ACL_ARN = "arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/portal/abc";
family({
  policy: WAF,
  name: "an internet-facing application load balancer (aws.lb or aws.alb, internal false or unset) with no web ACL, or one associated with something else",
  caught: true,
  variants: fc
    .tuple(
      fc.constantFrom(...LB_TYPES),
      albType,
      fc.constantFrom<unknown>(false, undefined),
      fc.boolean(),
    )
    .map(([type, kind, internal, other]) => [
      res(type, "alb", {
        ...kind,
        subnets: ["pub-id"],
        ...(internal === undefined ? {} : { internal }),
      }),
      ...(other
        ? [
            res(ASSOCIATION, "waf", {
              resourceArn:
                "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/other/1",
              webAclArn: ACL_ARN,
            }),
          ]
        : []),
    ]),
});
family({
  policy: WAF,
  name: "internet-facing application load balancers associated with a web ACL; internal ones and NLBs without",
  caught: false,
  variants: fc
    .tuple(
      fc.constantFrom(...LB_TYPES),
      albType,
      fc.constantFrom("associated", "internal", "network"),
    )
    .map(([type, kind, how]) => [
      res(
        type,
        "alb",
        how === "network"
          ? { loadBalancerType: "network", subnets: ["pub-id"] }
          : { ...kind, subnets: ["pub-id"], internal: how === "internal" },
      ),
      ...(how === "associated"
        ? [
            res(ASSOCIATION, "waf", {
              resourceArn: "arn:aws:test:eu-west-1:123456789012:alb",
              webAclArn: ACL_ARN,
            }),
          ]
        : []),
    ]),
});
