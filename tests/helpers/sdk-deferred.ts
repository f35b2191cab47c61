// Imported by tests/setup.ts before anything that loads the Pulumi SDK: the tests' thread loads
// it as evaluation workers do, with closure serialization and @pulumi/aws's namespaces deferred
// until first use (tools/engine/sdk.ts).
import { deferSdkModules } from "../../tools/engine/sdk";

deferSdkModules();
