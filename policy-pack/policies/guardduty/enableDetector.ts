import { presencePolicy } from "../lib/presence";

export const guarddutyDetectorEnableInRegion = presencePolicy({
  name: "guardduty-detector-enable-in-region",
  service: "GuardDuty",
  types: ["aws:guardduty/detector:Detector"],
  holds: (props) => props.enable !== false,
  remedy: "add an aws.guardduty.Detector with enable true and S3 and malware protection features",
});
