// `npm run deploy`: validate the allowlist, deploy the Worker, and push the allowlist when
// the deployed ALLOWLIST namespace holds none (the first deploy creates that namespace:
// wrangler.toml gives it no id). Options: scripts/deploy/plan.ts, or `npm run deploy -- --help`.
//
// Every check and write is the command line's own (src/cli): its validator, its read of
// the stored document, its one write path. The deploy runs first: if it fails, nothing is
// pushed. A stored allowlist, valid or not, is never replaced here; only `cors-gateway
// push --remote` does that, with a diff. It never waits for stdin when CI is set or there
// is no terminal: pushing then takes --yes.
import { existsSync } from "node:fs";
import { relative } from "node:path";
import { experimental_readRawConfig } from "wrangler";
import { canPrompt } from "../src/cli/confirm.ts";
import { diffDocuments } from "../src/cli/document-diff.ts";
import { Refusal, UsageError } from "../src/cli/errors.ts";
import { HISTORY_KEEP } from "../src/cli/history.ts";
import { wranglerArgs } from "../src/cli/kv.ts";
import { reportFailure } from "../src/cli/main.ts";
import { note, plural, printProblems, say } from "../src/cli/output.ts";
import { SHARD_ABOVE } from "../src/cli/sharded-store.ts";
import { readDocumentToWrite, readStored } from "../src/cli/source.ts";
import { applyChange } from "../src/cli/write.ts";
import { runWranglerAttached } from "../tools/wrangler.ts";
import { configProblem, type DeployPlan, deployPlan, describePlan, parseDeployArgs, USAGE } from "./deploy/plan.ts";

/** CI as wrangler and most tools read it: set, and not "false" or "0". */
function inCi(): boolean {
	const ci = process.env.CI;
	return ci !== undefined && ci !== "" && ci !== "false" && ci !== "0";
}

function cli(plan: DeployPlan, command: "diff" | "push", yes = false): string {
	const env = plan.target.env === undefined ? "" : ` --env ${plan.target.env}`;
	return `npx cors-gateway ${command} ${plan.allowlist} --remote${env}${yes ? " --yes" : ""}`;
}

async function deploy(argv: string[]): Promise<number> {
	const options = parseDeployArgs(argv);
	if (options === "help") {
		say(USAGE);
		return 0;
	}
	const plan = deployPlan(options);
	const { rawConfig, configPath } = experimental_readRawConfig({});
	const problem = configProblem(rawConfig, relative(process.cwd(), configPath ?? "wrangler.toml"), options.env);
	if (problem !== undefined) throw new UsageError(`${problem}; nothing deployed`);

	// 1. The allowlist, before anything reaches Cloudflare.
	if (!existsSync(plan.allowlist)) {
		throw new Refusal(
			`no ${plan.allowlist}: it is the allowlist pushed when the deployed namespace holds none. Create it (cp allowlist.example.json ${plan.allowlist}, then list your origins) or name another with --allowlist FILE; nothing deployed`,
		);
	}
	const next = await readDocumentToWrite(plan.allowlist, "; nothing deployed");
	say(`deploy: ${plan.allowlist} is a valid allowlist (${plural(next.document.origins.length, "origin")})`);

	if (options.dryRun) {
		say("deploy: --dry-run: the plan; only the build below runs, nothing is deployed or written:");
		for (const step of describePlan(plan)) say(`  ${step}`);
		const build = await runWranglerAttached([...plan.deploy, "--dry-run"], process.cwd());
		if (build !== 0) note(`deploy: the build failed (wrangler exit ${build}); see wrangler's message above`);
		return build;
	}

	// 2. The deploy. wrangler creates the id-less namespace on the first one and keeps the
	// deployed Worker's on later ones.
	say(`deploy: wrangler ${plan.deploy.join(" ")}`);
	const deployed = await runWranglerAttached(plan.deploy, process.cwd());
	if (deployed !== 0) {
		note(`deploy: wrangler deploy failed (exit ${deployed}); see its message above. Nothing pushed.`);
		return deployed;
	}

	// 3. What the namespace holds.
	say(`deploy: deployed; reading the allowlist (wrangler ${wranglerArgs({ get: true }, plan.target).join(" ")})`);
	const stored = await readStored(plan.target);
	if (stored.text !== null) {
		if (!stored.validation.ok) {
			printProblems(stored.validation.problems, []);
			throw new Refusal(
				`deployed, but the allowlist stored in ${stored.where} is invalid, so the gateway refuses every cross-origin request; left as it is. Compare: "${cli(plan, "diff")}"; replace it: "${cli(plan, "push")}"`,
			);
		}
		const same = diffDocuments(stored.validation.document, next.document).length === 0;
		say(
			same
				? `deploy: ${stored.where} already holds an allowlist, the same as ${plan.allowlist}; left as it is.`
				: `deploy: ${stored.where} already holds an allowlist, which differs from ${plan.allowlist}; left as it is (a deploy never replaces it). See how: "${cli(plan, "diff")}"; replace it: "${cli(plan, "push")}".`,
		);
		return 0;
	}

	// 4. None stored: push, through the command line's one write path, with the empty read
	// above as its base, so a document written by someone else meanwhile is never replaced.
	if (!options.yes && (inCi() || !canPrompt())) {
		throw new Refusal(
			`deployed, but nothing pushed: ${stored.where} holds no allowlist, so the gateway refuses every cross-origin request. Pushing needs --yes without a terminal or when CI is set: "${cli(plan, "push", true)}", or re-run with --yes`,
		);
	}
	try {
		return await applyChange(
			plan.target,
			stored,
			next.document,
			{ what: `deploy ${plan.allowlist}` },
			{ yes: options.yes, shardAbove: SHARD_ABOVE, keepHistory: HISTORY_KEEP },
		);
	} catch (error) {
		const code = reportFailure(error, "deploy");
		note(
			`deploy: the Worker is deployed, and refuses every cross-origin request until an allowlist is stored: "${cli(plan, "push")}"`,
		);
		return code;
	}
}

try {
	process.exitCode = await deploy(process.argv.slice(2));
} catch (error) {
	process.exitCode = reportFailure(error, "deploy");
}
