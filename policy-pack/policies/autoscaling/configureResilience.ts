import { resourcePolicy } from "../lib/policy";
import { strings } from "../lib/props";

export const autoscalingGroupConfigureResilience = resourcePolicy(
  {
    name: "autoscaling-group-configure-resilience",
    description:
      "Auto Scaling groups span at least two AZs (subnets) and, behind a load balancer, use ELB health checks.",
    enforcementLevel: "advisory",
    severity: "medium",
    hipaa: ["164.308(a)(7)(i)", "164.308(a)(7)(ii)(C)"],
    remediationSteps:
      'Set vpcZoneIdentifiers to an app subnet in each AZ and healthCheckType "ELB".',
    levelReason: "An outage keeps patients from their records but exposes nothing: advisory.",
  },
  {
    "aws:autoscaling/group:Group": (r, report) => {
      const zones =
        strings(r.props.vpcZoneIdentifiers).length || strings(r.props.availabilityZones).length;
      if (zones < 2)
        report(
          `${r.name} runs in ${zones} AZ: set vpcZoneIdentifiers to subnets in at least two AZs`,
        );
      const balanced =
        strings(r.props.targetGroupArns).length > 0 || strings(r.props.loadBalancers).length > 0;
      if (balanced && r.props.healthCheckType !== "ELB") {
        report(
          `${r.name} replaces instances only when EC2 says they are down: set healthCheckType to "ELB"`,
        );
      }
    },
  },
);
