// The pack itself: constructing a PolicyPack starts the analyzer's gRPC server, so this file does
// nothing else. Tests and the offline plan import ./policies instead.
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

new PolicyPack("ehealth-hipaa", { policies: [...policies] });
