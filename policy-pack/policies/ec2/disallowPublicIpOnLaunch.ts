import { resourcePolicy } from "../lib/policy";
import { isTrue } from "../lib/props";

/** No subnet hands out public IPs by itself: public addresses are given explicitly, or not at all. */
export const ec2SubnetDisallowPublicIpOnLaunch = resourcePolicy(
  {
    name: "ec2-subnet-disallow-public-ip-on-launch",
    description: "Subnets do not assign public IPv4 addresses on launch, public or private.",
    enforcementLevel: "mandatory",
    severity: "high",
    hipaa: ["164.312(e)(1)", "164.312(a)(1)"],
    remediationSteps:
      "Set mapPublicIpOnLaunch to false; give a public address explicitly to the few resources that need one (NAT gateways, a bastion).",
    levelReason:
      "Auto-assigned public IPs put every instance launched there on the internet, including ones nobody meant to expose.",
  },
  {
    "aws:ec2/subnet:Subnet": (r, report) => {
      if (isTrue(r.props.mapPublicIpOnLaunch)) {
        report(
          `${r.name} assigns a public IP to every instance launched in it: set mapPublicIpOnLaunch to false`,
        );
      }
    },
    "aws:ec2/defaultSubnet:DefaultSubnet": (r, report) => {
      if (r.props.mapPublicIpOnLaunch !== false) {
        report(
          `${r.name} (a default subnet) assigns public IPs on launch: set mapPublicIpOnLaunch to false`,
        );
      }
    },
  },
);
