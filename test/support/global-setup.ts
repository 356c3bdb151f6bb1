// Vitest globalSetup of the `worker` project (runs in Node, before workerd starts).
// Starts the real upstream servers the Worker forwards to and provides their addresses;
// vitest.config.ts reads them with `inject` to set the UPSTREAM_URL binding, and test files
// can read them with `inject` from "vitest" (see test/support/gateway.ts).
import type { TestProject } from "vitest/node";
import { startScriptedUpstream, unreachableUrl } from "../../tools/upstream.ts";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
	const upstream = await startScriptedUpstream();
	const decoy = await startScriptedUpstream();
	project.provide("upstreamUrl", upstream.url);
	project.provide("decoyUrl", decoy.url);
	project.provide("unreachableUrl", await unreachableUrl());
	return async () => {
		await Promise.all([upstream.close(), decoy.close()]);
	};
}
