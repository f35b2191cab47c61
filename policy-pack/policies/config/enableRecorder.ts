import { presencePolicy } from "../lib/presence";

export const configRecorderEnableInRegion = presencePolicy({
  name: "config-recorder-enable-in-region",
  service: "an AWS Config recorder",
  types: ["aws:cfg/recorder:Recorder"],
  remedy: "add an aws.cfg.Recorder, a DeliveryChannel and a RecorderStatus with isEnabled true",
});
