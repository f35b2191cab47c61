import { presencePolicy } from "../lib/presence";

export const securityhubAccountEnableInRegion = presencePolicy({
  name: "securityhub-account-enable-in-region",
  service: "Security Hub",
  types: ["aws:securityhub/account:Account"],
  remedy:
    "add an aws.securityhub.Account and subscribe the AWS Foundational Security Best Practices and CIS standards",
});
