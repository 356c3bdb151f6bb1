// The wrangler command lines the CLI builds, --remote included (no account here to run it
// against), how a wrangler `get` that found nothing is recognized, and the last guard
// before every write.
import { describe, expect, it } from "vitest";
import {
	describeTarget,
	getSaysMissing,
	type KvAction,
	type KvTarget,
	saysNotDeployed,
	wranglerArgs,
	writeAllowlist,
} from "../../src/cli/kv.ts";

describe("wrangler arguments", () => {
	it.each([
		[
			"get, local by default",
			{ get: true } as const,
			{ remote: false },
			"kv key get allowlist --binding ALLOWLIST --local",
		],
		[
			"get, remote, with env and config",
			{ get: true } as const,
			{ remote: true, env: "production", config: "deploy/wrangler.toml" },
			"kv key get allowlist --binding ALLOWLIST --remote --env production --config deploy/wrangler.toml",
		],
		[
			"put from a file, remote",
			{ put: "/tmp/x/allowlist.json" },
			{ remote: true },
			"kv key put allowlist --path /tmp/x/allowlist.json --binding ALLOWLIST --remote",
		],
		[
			"put, remote, an environment's namespace",
			{ put: "/tmp/x/allowlist.json" },
			{ remote: true, env: "staging" },
			"kv key put allowlist --path /tmp/x/allowlist.json --binding ALLOWLIST --remote --env staging",
		],
		[
			"list, local, in a chosen directory",
			{ list: "allowlist" },
			{ remote: false, persistTo: "/tmp/kv" },
			"kv key list --prefix allowlist --binding ALLOWLIST --local --persist-to /tmp/kv",
		],
		[
			"bulk put, remote",
			{ bulkPut: "/tmp/x/bulk.json" },
			{ remote: true },
			"kv bulk put /tmp/x/bulk.json --binding ALLOWLIST --remote",
		],
		[
			"bulk get, remote, env",
			{ bulkGet: "/tmp/x/bulk.json" },
			{ remote: true, env: "production" },
			"kv bulk get /tmp/x/bulk.json --binding ALLOWLIST --remote --env production",
		],
		[
			"bulk delete, without wrangler's own prompt",
			{ bulkDelete: "/tmp/x/bulk.json" },
			{ remote: true },
			"kv bulk delete /tmp/x/bulk.json --force --binding ALLOWLIST --remote",
		],
	] as [string, KvAction, KvTarget, string][])("%s", (_what, action, target, expected) => {
		expect(wranglerArgs(action, target).join(" ")).toBe(expected);
	});

	it("names where the document lives", () => {
		expect(describeTarget({ remote: false })).toBe("local KV (.wrangler/state)");
		expect(describeTarget({ remote: true, env: "staging" })).toBe("remote KV, env staging");
	});
});

describe("a remote get that found nothing", () => {
	it.each([
		[
			"the API's 404",
			{
				code: 1,
				stdout: "",
				stderr:
					"✘ [ERROR] Failed to fetch https://api.cloudflare.com/client/v4/accounts/a/storage/kv/namespaces/n/values/allowlist - 404: Not Found",
			},
			true,
		],
		["any other failure", { code: 1, stdout: "", stderr: "✘ [ERROR] Authentication error [code: 10000]" }, false],
	] as [string, { code: number; stdout: string; stderr: string }, boolean][])("%s", (_what, result, missing) => {
		expect(getSaysMissing(result)).toBe(missing);
	});
});

describe("a remote command before the first deploy", () => {
	// wrangler resolves the id-less ALLOWLIST through the deployed Worker's settings.
	const settings404 =
		"✘ [ERROR] A request to the Cloudflare API (/accounts/a/workers/scripts/cors-gateway-staging/settings) failed.\n\n  This Worker does not exist on your account. [code: 10007]";
	it.each([
		["the Worker does not exist", settings404, true],
		[
			"the Worker is deployed without ALLOWLIST",
			'✘ [ERROR] No KV namespace ID found for binding "ALLOWLIST" in the deployed Worker settings for "cors-gateway". Deploy the Worker so the binding is provisioned, or use `--namespace-id` instead.',
			true,
		],
		[
			"another failure of the settings request",
			"✘ [ERROR] A request to the Cloudflare API (/accounts/a/workers/scripts/cors-gateway/settings) failed.\n\n  Authentication error [code: 10000]",
			false,
		],
		["a missing key", "✘ [ERROR] Failed to fetch …/values/allowlist - 404: Not Found", false],
	])("%s", (_what, stderr, notDeployed) => {
		expect(saysNotDeployed(stderr)).toBe(notDeployed);
	});
});

describe("the one write path", () => {
	it("refuses an invalid document whatever the caller, before wrangler runs", async () => {
		// --remote with no login would fail inside wrangler; the guard answers first.
		await expect(writeAllowlist({ remote: true }, '{"origins": ["https://a.example/"]}')).rejects.toThrow(
			"refusing to write an invalid allowlist document",
		);
	});
});
