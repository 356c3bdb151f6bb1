// The shape of a subcommand: its arguments, its help, and what it does.
import type { ArgSpec, Parsed } from "../args.ts";

export interface Command extends ArgSpec {
	usage: string;
	summary: string;
	/** Option lines for `--help`. */
	help: string;
	/** Resolves to the exit code; failures throw a CliError. */
	run(parsed: Parsed): Promise<number>;
}

export const KV_HELP = `  --local             the local KV that \`npm run dev\` uses (default)
  --remote            the deployed KV namespace (uses wrangler's login)
  --env NAME          the wrangler environment whose ALLOWLIST namespace to use
  --config PATH       the wrangler configuration file (default: wrangler.toml here)
  --persist-to DIR    the local KV directory (default: .wrangler/state)`;

export const WRITE_HELP = `  -y, --yes           write without asking (required without a terminal)
  --shard-above N     store as versioned shards past N exact and wildcard entries
                      (default 10000; docs/LARGE-ALLOWLISTS.md)
  --keep-history N    keep the N newest replaced documents in history (default 50)`;
