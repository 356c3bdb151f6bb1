// `npm run deploy`: its options, and its plan, the exact commands it runs in order. The
// plan is what --dry-run prints and what test/cli/deploy.test.ts checks, offline.
import { parseCommand } from "../../src/cli/args.ts";
import { type KvTarget, wranglerArgs } from "../../src/cli/kv.ts";

export const DEFAULT_ALLOWLIST = "allowlist.json";

export interface DeployOptions {
	/** The allowlist document validated first and pushed when the namespace holds none. */
	allowlist: string;
	/** The wrangler environment (`[env.NAME]`): its Worker and its own ALLOWLIST namespace. */
	env?: string;
	/** Push without asking (required to push without a terminal, and whenever CI is set). */
	yes: boolean;
	/** Validate and build, deploy nothing, write nothing; print the plan. */
	dryRun: boolean;
}

export const USAGE = `Usage: npm run deploy [-- [--allowlist FILE] [--env NAME] [--yes] [--dry-run]]

Validates the allowlist, deploys the Worker (the first deploy creates its ALLOWLIST KV
namespace), then pushes the allowlist if that namespace holds none. A stored allowlist
is never replaced: "npx cors-gateway diff/push FILE --remote" do that.

Options:
  --allowlist FILE    the allowlist document (default: ${DEFAULT_ALLOWLIST})
  --env NAME          deploy the wrangler environment [env.NAME], with its own namespace
  -y, --yes           push without asking (needed without a terminal, and when CI is set)
  --dry-run           validate and build (wrangler deploy --dry-run), print the plan;
                      nothing reaches Cloudflare
  -h, --help          show this help`;

/** The options, or "help"; a mistake is a UsageError (exit 2). */
export function parseDeployArgs(argv: string[]): DeployOptions | "help" {
	const { values } = parseCommand(
		{
			name: "deploy",
			options: {
				allowlist: { type: "string" },
				env: { type: "string" },
				yes: { type: "boolean", short: "y" },
				"dry-run": { type: "boolean" },
			},
			positionals: { min: 0, max: 0, what: "" },
			hint: 'run "npm run deploy -- --help"',
		},
		argv,
	);
	if (values.help) return "help";
	const options: DeployOptions = {
		allowlist: typeof values.allowlist === "string" ? values.allowlist : DEFAULT_ALLOWLIST,
		yes: values.yes === true,
		dryRun: values["dry-run"] === true,
	};
	if (typeof values.env === "string") options.env = values.env;
	return options;
}

/** The parts of a raw wrangler configuration the deploy depends on. */
export interface RawConfig {
	kv_namespaces?: { binding?: string }[];
	env?: Record<string, { kv_namespaces?: { binding?: string }[] } | undefined>;
}

/**
 * What in the configuration would make the deploy go wrong, before anything runs: wrangler
 * deploys the top level (with a warning) for an --env it has no section for, and does not
 * carry kv_namespaces into an environment, so each must bind ALLOWLIST itself.
 */
export function configProblem(config: RawConfig, configPath: string, env?: string): string | undefined {
	const bindsAllowlist = (kv?: { binding?: string }[]) => kv?.some((ns) => ns.binding === "ALLOWLIST") === true;
	if (env === undefined) {
		return bindsAllowlist(config.kv_namespaces)
			? undefined
			: `${configPath} binds no KV namespace as ALLOWLIST; add [[kv_namespaces]] with binding = "ALLOWLIST" (no id: the first deploy creates it)`;
	}
	const section = config.env?.[env];
	if (section === undefined) {
		return `--env ${env}: ${configPath} has no [env.${env}] section; add one (wrangler.toml's comments show it), with its own [[env.${env}.kv_namespaces]] binding = "ALLOWLIST"`;
	}
	return bindsAllowlist(section.kv_namespaces)
		? undefined
		: `--env ${env}: [env.${env}] in ${configPath} binds no ALLOWLIST namespace (wrangler does not inherit kv_namespaces); add [[env.${env}.kv_namespaces]] with binding = "ALLOWLIST"`;
}

export interface DeployPlan {
	allowlist: string;
	/** wrangler's arguments for the deploy. */
	deploy: string[];
	/** The namespace read after the deploy, and written when it holds no allowlist. */
	target: KvTarget;
	/** The cors-gateway command whose write the push is: the same code, so diffed, confirmed unless --yes, re-read before writing. */
	push: string[];
}

export function deployPlan(options: DeployOptions): DeployPlan {
	const env = options.env === undefined ? [] : ["--env", options.env];
	const target: KvTarget = { remote: true };
	if (options.env !== undefined) target.env = options.env;
	return {
		allowlist: options.allowlist,
		deploy: ["deploy", ...env],
		target,
		push: ["push", options.allowlist, "--remote", ...env, ...(options.yes ? ["--yes"] : [])],
	};
}

/** The plan in words, one step a line, each with the command it runs. */
export function describePlan(plan: DeployPlan): string[] {
	return [
		`1. validate ${plan.allowlist} (as cors-gateway push does); stop if it is invalid`,
		`2. wrangler ${plan.deploy.join(" ")}  (the first deploy creates the ALLOWLIST namespace); stop if it fails`,
		`3. wrangler ${wranglerArgs({ get: true }, plan.target).join(" ")}  (is an allowlist stored?)`,
		`4. only if none is: write ${plan.allowlist} there as "cors-gateway ${plan.push.join(" ")}" does; a stored one is left as it is`,
	];
}
