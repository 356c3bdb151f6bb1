// The two wrangler configurations, as wrangler itself reads them: wrangler.toml (what
// `wrangler deploy` ships) serves no static assets, so no request pays for the assets
// router; wrangler.demo.toml (`npm run dev`, the Worker tests) is the same Worker with
// [assets] on, run_worker_first so that assets pass the CORS layer too. Neither pastes a
// KV namespace id (README: "Deploying").
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { unstable_readConfig } from "wrangler";
import { ROOT } from "../support/cli.ts";

const read = (file: string) => unstable_readConfig({ config: join(ROOT, file) });
const deployed = read("wrangler.toml");
const demo = read("wrangler.demo.toml");

describe("wrangler configurations", () => {
	it("the deployed default declares no [assets]", () => {
		expect(deployed.assets).toBeUndefined();
	});

	it("ALLOWLIST has no id: the first deploy creates the namespace, locally it is named after the binding", () => {
		expect(deployed.kv_namespaces).toEqual([{ binding: "ALLOWLIST" }]);
	});

	it("the demo declares [assets] with the ASSETS binding and run_worker_first", () => {
		expect(demo.assets).toEqual({ directory: "./public", binding: "ASSETS", run_worker_first: true });
	});

	it.each([
		"name",
		"main",
		"compatibility_date",
		"compatibility_flags",
		"send_metrics",
		"kv_namespaces",
		"vars",
		"dev",
	] as const)("the demo repeats wrangler.toml's %s", (field) => {
		expect(demo[field]).toEqual(deployed[field]);
	});
});
