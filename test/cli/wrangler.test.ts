// The KV flags reach wrangler as they should: the default local store is the one
// `npm run dev` seeds, --config and --env pick the namespace, and wrangler's own error
// message comes through when it fails (local misconfiguration, or --remote without a login).
import { copyFile, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { getPlatformProxy } from "wrangler";
import { putAllowlistArgs, runWrangler } from "../../tools/wrangler.ts";
import { cli, expectNoStackTrace, ROOT, withTempDirs } from "../support/cli.ts";

let project: string;
/** An empty home directory: no wrangler login to find. */
let home: string;

withTempDirs(async (make) => {
	home = await make();
	// A project directory of its own, so the default .wrangler/state is a fresh one.
	project = await make();
	await copyFile(join(ROOT, "wrangler.toml"), join(project, "wrangler.toml"));
	await mkdir(join(project, "public"));
	await writeFile(join(project, "allowlist.json"), JSON.stringify({ origins: ["https://dev.example.com"] }));
});

describe("wrangler flags", () => {
	it("without --persist-to: the local KV that `npm run dev` seeds (.wrangler/state)", async () => {
		// scripts/dev.ts seeds with these very arguments.
		const put = await runWrangler(putAllowlistArgs("allowlist.json"), project);
		expect(put.code).toBe(0);
		const run = await cli(["list"], { cwd: project });
		expect(run.stdout).toBe("https://dev.example.com\n");
		expect(run.code).toBe(0);
	});

	it("the id-less namespace: what the command line writes locally, `npm run dev`'s Worker reads", async () => {
		const persistTo = join(project, "state");
		const push = await cli(["push", "allowlist.json", "--yes", "--persist-to", persistTo], { cwd: project });
		expect(push.code).toBe(0);
		// The bindings wrangler dev gives the Worker of wrangler.demo.toml, on that local store.
		const proxy = await getPlatformProxy<{ ALLOWLIST: KVNamespace }>({
			configPath: join(ROOT, "wrangler.demo.toml"),
			persist: { path: join(persistTo, "v3") },
			remoteBindings: false,
		});
		try {
			expect(JSON.parse((await proxy.env.ALLOWLIST.get("allowlist")) ?? "null")).toMatchObject({
				origins: ["https://dev.example.com"],
			});
		} finally {
			await proxy.dispose();
		}
	});

	// Locally an id-less namespace is named after its binding in every environment, so an
	// environment's local store is its own only with an id, as here.
	it("--config and --env: the environment's own ALLOWLIST namespace", async () => {
		const config = join(project, "staging.toml");
		await writeFile(
			config,
			`name = "cors-gateway"
main = "src/index.ts"
compatibility_date = "2026-11-09"

[[kv_namespaces]]
binding = "ALLOWLIST"

[env.staging]
[[env.staging.kv_namespaces]]
binding = "ALLOWLIST"
id = "11111111111111111111111111111111"
`,
		);
		const add = await cli(["add", "https://staging.example.com", "--yes", "--env", "staging", "--config", config], {
			cwd: project,
		});
		expect(add.stdout).toContain("Nothing is stored in local KV (.wrangler/state, env staging) yet");
		expect(add.code).toBe(0);
		expect((await cli(["list", "--env", "staging", "--config", config], { cwd: project })).stdout).toBe(
			"https://staging.example.com\n",
		);
		// The default namespace, in the same directory, is untouched.
		expect((await cli(["list", "--config", config], { cwd: project })).stdout).toBe("https://dev.example.com\n");
	});
});

describe("wrangler failures pass through (exit 1, wrangler's message, no stack trace)", () => {
	it("a wrangler config without the ALLOWLIST binding", async () => {
		const config = join(project, "no-kv.toml");
		await writeFile(config, 'name = "x"\nmain = "src/index.ts"\ncompatibility_date = "2026-11-09"\n');
		const run = await cli(["list", "--config", config], { cwd: project });
		expect(run.stderr).toBe(
			'cors-gateway: no KV namespace is bound as ALLOWLIST in the wrangler config: add [[kv_namespaces]] with binding = "ALLOWLIST" (see wrangler.toml)\n',
		);
		expect(run.stderr).not.toContain("\u001b[");
		expectNoStackTrace(run);
		expect(run.code).toBe(1);
	});

	it("--remote without a Cloudflare login, in CI", async () => {
		const run = await cli(["pull", "--remote"], {
			cwd: project,
			env: { HOME: home, XDG_CONFIG_HOME: home, CLOUDFLARE_API_TOKEN: undefined, CLOUDFLARE_ACCOUNT_ID: undefined },
		});
		expect(run.stderr).toContain(
			"In a non-interactive environment, it's necessary to set a CLOUDFLARE_API_TOKEN environment variable for wrangler to work.",
		);
		expectNoStackTrace(run);
		expect(run.code).toBe(1);
	});
});
