// `npm run deploy` without a network: the exact commands of its plan (--env and --yes
// passed on), the configuration checks that stop it before wrangler runs, its refusals
// (no stack trace, nothing deployed), a --dry-run that builds the id-less configuration
// and prints the plan, and a deploy wrangler refuses (no login in CI): nothing pushed.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { configProblem, deployPlan, describePlan, parseDeployArgs } from "../../scripts/deploy/plan.ts";
import { runScript } from "../../tools/cli.ts";
import { expectNoStackTrace, ROOT, withTempDirs, writeDocument } from "../support/cli.ts";

const DEPLOY = join(ROOT, "scripts", "deploy.ts");
const deploy = (args: string[], env: Record<string, string | undefined> = {}) => runScript(DEPLOY, args, { env });

let dir: string;
let home: string;
withTempDirs(async (make) => {
	dir = await make();
	home = await make();
});

describe("the plan", () => {
	it("by default: allowlist.json, the top level, asking before the push", () => {
		const options = parseDeployArgs([]);
		expect(options).toEqual({ allowlist: "allowlist.json", yes: false, dryRun: false });
		const plan = deployPlan(options as Exclude<typeof options, "help">);
		expect(plan.deploy).toEqual(["deploy"]);
		expect(plan.target).toEqual({ remote: true });
		expect(plan.push).toEqual(["push", "allowlist.json", "--remote"]);
	});

	it("--env and --yes reach every command; the read is the command line's own", () => {
		const options = parseDeployArgs(["--allowlist", "lists/staging.json", "--env", "staging", "--yes"]);
		const plan = deployPlan(options as Exclude<typeof options, "help">);
		expect(describePlan(plan)).toEqual([
			"1. validate lists/staging.json (as cors-gateway push does); stop if it is invalid",
			"2. wrangler deploy --env staging  (the first deploy creates the ALLOWLIST namespace); stop if it fails",
			"3. wrangler kv key get allowlist --binding ALLOWLIST --remote --env staging  (is an allowlist stored?)",
			'4. only if none is: write lists/staging.json there as "cors-gateway push lists/staging.json --remote --env staging --yes" does; a stored one is left as it is',
		]);
	});

	it("a mistake in the options is a usage error pointing at the help", () => {
		expect(() => parseDeployArgs(["--envv", "x"])).toThrow('unknown option --envv; run "npm run deploy -- --help"');
		expect(() => parseDeployArgs(["allowlist.json"])).toThrow('unexpected argument "allowlist.json"');
	});
});

describe("the configuration, checked before wrangler runs", () => {
	const allowlist = [{ binding: "ALLOWLIST" }];
	it.each([
		["the top level binds ALLOWLIST", { kv_namespaces: allowlist }, undefined, undefined],
		["the top level binds nothing", {}, undefined, "wrangler.toml binds no KV namespace as ALLOWLIST"],
		[
			"an environment with its own ALLOWLIST",
			{ kv_namespaces: allowlist, env: { staging: { kv_namespaces: allowlist } } },
			"staging",
			undefined,
		],
		[
			"an environment wrangler would not find (it would deploy the top level)",
			{ kv_namespaces: allowlist },
			"staging",
			"--env staging: wrangler.toml has no [env.staging] section",
		],
		[
			"an environment without ALLOWLIST (kv_namespaces are not inherited)",
			{ kv_namespaces: allowlist, env: { production: {} } },
			"production",
			"[env.production] in wrangler.toml binds no ALLOWLIST namespace",
		],
	])("%s", (_what, config, env, problem) => {
		const found = configProblem(config, "wrangler.toml", env);
		if (problem === undefined) expect(found).toBeUndefined();
		else expect(found).toContain(problem);
	});
});

describe("npm run deploy, offline", () => {
	it("no allowlist file: refused, nothing deployed", async () => {
		const run = await deploy(["--allowlist", join(dir, "allowlist.json")]);
		expect(run.stderr).toContain(`deploy: no ${join(dir, "allowlist.json")}: it is the allowlist pushed`);
		expect(run.stderr).toContain("nothing deployed");
		expectNoStackTrace(run);
		expect(run.code).toBe(1);
	});

	it("an invalid allowlist: its problems, nothing deployed", async () => {
		const file = await writeDocument(dir, "bad.json", { origins: ["https://app.example.com/"] });
		const run = await deploy(["--allowlist", file]);
		expect(run.stderr).toContain("error: origins[0]");
		expect(run.stderr).toContain(`deploy: ${file} is not a valid allowlist document; nothing deployed`);
		expectNoStackTrace(run);
		expect(run.code).toBe(1);
	});

	it("an --env wrangler.toml has no section for: a usage error, nothing deployed", async () => {
		const run = await deploy(["--allowlist", "allowlist.example.json", "--env", "staging"]);
		expect(run.stderr).toContain("deploy: --env staging: wrangler.toml has no [env.staging] section");
		expect(run.code).toBe(2);
	});

	it("--dry-run: validates, prints the plan, builds the id-less configuration", async () => {
		const run = await deploy(["--allowlist", "allowlist.example.json", "--dry-run"]);
		expect(run.stdout).toContain("deploy: allowlist.example.json is a valid allowlist (5 origins)");
		expect(run.stdout).toContain("  2. wrangler deploy  (the first deploy creates the ALLOWLIST namespace)");
		expect(run.stdout).toContain(
			"  3. wrangler kv key get allowlist --binding ALLOWLIST --remote  (is an allowlist stored?)",
		);
		expect(run.stdout).toMatch(/env\.ALLOWLIST\s+KV Namespace/);
		expect(run.stdout).toContain("--dry-run: exiting now.");
		expect(run.code).toBe(0);
	});

	it("a deploy wrangler refuses (no login, in CI): its message, nothing pushed", async () => {
		const run = await deploy(["--allowlist", "allowlist.example.json", "--yes"], {
			HOME: home,
			XDG_CONFIG_HOME: home,
			CLOUDFLARE_API_TOKEN: undefined,
			CLOUDFLARE_ACCOUNT_ID: undefined,
		});
		expect(run.stderr).toContain("it's necessary to set a CLOUDFLARE_API_TOKEN environment variable");
		expect(run.stderr).toContain("deploy: wrangler deploy failed (exit 1); see its message above. Nothing pushed.");
		expect(run.stdout).not.toContain("reading the allowlist");
		expect(run.code).toBe(1);
	});
});
