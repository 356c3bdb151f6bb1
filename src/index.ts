// Worker entry (docs/SPEC.md): the default export is the gateway, a module Worker.
import { createGateway } from "./worker/gateway.ts";

export default createGateway();
