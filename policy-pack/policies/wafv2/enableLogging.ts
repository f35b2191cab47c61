import { AUDIT } from "../lib/levels";
import { stackPolicy } from "../lib/policy";
import { ofType } from "../lib/types";

const ACL = "aws:wafv2/webAcl:WebAcl";
const LOGGING = "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration";

export const wafv2WebAclEnableLogging = stackPolicy(
  {
    name: "wafv2-webacl-enable-logging",
    description: "Every WAFv2 web ACL has a logging configuration.",
    enforcementLevel: "mandatory",
    severity: "medium",
    hipaa: [...AUDIT],
    remediationSteps:
      "Add an aws.wafv2.WebAclLoggingConfiguration with resourceArn the ACL and a log destination named aws-waf-logs-*.",
    levelReason:
      "Blocked and allowed requests at the edge are evidence in any investigation of an attack on the portal.",
  },
  [ACL, LOGGING],
  (resources, report) => {
    const logged = new Set(ofType(resources, LOGGING).map((l) => l.props.resourceArn));
    for (const acl of ofType(resources, ACL)) {
      if (!logged.has(acl.props.arn))
        report(
          `${acl.name} logs nothing: add an aws.wafv2.WebAclLoggingConfiguration for it`,
          acl.urn,
        );
    }
  },
);

const ALB_TYPES = ["aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"];
const ASSOCIATION = "aws:wafv2/webAclAssociation:WebAclAssociation";

export const wafv2LoadBalancerEnableWebAcl = stackPolicy(
  {
    name: "wafv2-loadbalancer-enable-webacl",
    description:
      "Every internet-facing application load balancer is associated with a WAFv2 web ACL.",
    enforcementLevel: "mandatory",
    severity: "high",
    hipaa: ["164.308(a)(1)(ii)(B)", "164.312(e)(1)"],
    remediationSteps:
      "Add an aws.wafv2.WebAclAssociation of the load balancer with a web ACL using the AWS managed rule groups.",
    levelReason:
      "The patient portal faces the internet; the web ACL is what filters injection and known-bad traffic before it reaches code that touches PHI.",
  },
  [...ALB_TYPES, ASSOCIATION],
  (resources, report) => {
    const protectedArns = new Set(ofType(resources, ASSOCIATION).map((a) => a.props.resourceArn));
    for (const lb of ofType(resources, ...ALB_TYPES)) {
      const application = (lb.props.loadBalancerType ?? "application") === "application";
      if (application && lb.props.internal !== true && !protectedArns.has(lb.props.arn)) {
        report(
          `${lb.name} faces the internet without a web ACL: add an aws.wafv2.WebAclAssociation for it`,
          lb.urn,
        );
      }
    }
  },
);
