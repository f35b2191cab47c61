// Imported by tests/setup.ts before anything that loads the Pulumi SDK: the SDK's closure
// serialization (the TypeScript compiler, @npmcli/arborist) loads on first use, as in evaluation
// workers (tools/engine/sdk.ts deferClosureSerialization, which says why this thread keeps
// @pulumi/aws's namespaces as the SDK loads them).
import { deferClosureSerialization } from "../../tools/engine/sdk";

deferClosureSerialization();
