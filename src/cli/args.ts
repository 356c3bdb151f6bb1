// Parses one subcommand's arguments strictly (an unknown option or a missing value is a
// usage error, never ignored) and turns the KV flags into a wrangler target.
import { type ParseArgsOptionsConfig, parseArgs } from "node:util";
import { formatProblem, parseRouteKey, type RouteKey } from "../policy/index.ts";
import { errorMessage } from "../worker/log.ts";
import { UsageError } from "./errors.ts";
import { HISTORY_KEEP } from "./history.ts";
import type { KvTarget } from "./kv.ts";
import { SHARD_ABOVE } from "./sharded-store.ts";
import type { WriteOptions } from "./write.ts";

export const KV_OPTIONS = {
	local: { type: "boolean" },
	remote: { type: "boolean" },
	env: { type: "string" },
	config: { type: "string" },
	"persist-to": { type: "string" },
} as const satisfies ParseArgsOptionsConfig;

const YES_OPTION = { yes: { type: "boolean", short: "y" } } as const satisfies ParseArgsOptionsConfig;

export const WRITE_OPTIONS = {
	...YES_OPTION,
	"shard-above": { type: "string" },
	"keep-history": { type: "string" },
} as const satisfies ParseArgsOptionsConfig;

/**
 * The flags of a write: `--yes`; `--shard-above N`, past N exact and wildcard entries the
 * document is written as shards; `--keep-history N`, the replaced documents history keeps.
 */
export function writeOptions(values: Values, command: string): WriteOptions {
	return {
		yes: values.yes === true,
		shardAbove: wholeNumber(values, "shard-above", SHARD_ABOVE, 0, command),
		keepHistory: wholeNumber(values, "keep-history", HISTORY_KEEP, 1, command),
	};
}

function wholeNumber(values: Values, option: string, fallback: number, least: number, command: string): number {
	const raw = values[option];
	if (raw === undefined) return fallback;
	const n = Number(raw);
	if (typeof raw !== "string" || !/^\d+$/.test(raw) || !Number.isSafeInteger(n) || n < least) {
		const atLeast = least > 0 ? ` (at least ${least})` : "";
		throw new UsageError(`${command}: --${option} needs a whole number of entries${atLeast}, got "${String(raw)}"`);
	}
	return n;
}

export const ROUTE_OPTION = { route: { type: "string" } } as const satisfies ParseArgsOptionsConfig;

/** `--route KEY`, parsed and normalized as the validator does the document's keys; undefined when not given. */
export function routeArg(values: Values, command: string): RouteKey | undefined {
	const raw = values.route;
	if (typeof raw !== "string") return undefined;
	const key = parseRouteKey(raw);
	if ("rule" in key) {
		const problem = { path: "--route", rule: key.rule, message: `${JSON.stringify(raw)}: ${key.message}` };
		throw new UsageError(
			`${command}: ${formatProblem(key.fix === undefined ? problem : { ...problem, fix: key.fix })}`,
		);
	}
	return key;
}

export type Values = Record<string, string | boolean | string[] | undefined>;

export interface Parsed {
	values: Values;
	positionals: string[];
}

export interface ArgSpec {
	/** The command's name, for messages: `check`. */
	name: string;
	options: ParseArgsOptionsConfig;
	/** How many positional arguments, and what they are called in messages. */
	positionals: { min: number; max: number; what: string };
	/**
	 * For a program of its own (`npm run deploy`), which names itself in its messages: where
	 * a usage error points instead of `cors-gateway NAME --help`, and no NAME before it.
	 */
	hint?: string;
}

export function parseCommand(spec: ArgSpec, argv: string[]): Parsed {
	const hint = spec.hint ?? `run "cors-gateway ${spec.name} --help"`;
	const who = spec.hint === undefined ? `${spec.name}: ` : "";
	let parsed: Parsed;
	try {
		parsed = parseArgs({
			args: argv,
			options: { ...spec.options, help: { type: "boolean", short: "h" } },
			allowPositionals: true,
			strict: true,
		}) as Parsed;
	} catch (error) {
		throw new UsageError(`${who}${describeParseError(error)}; ${hint}`);
	}
	if (parsed.values.help) return parsed;
	const n = parsed.positionals.length;
	const { min, max, what } = spec.positionals;
	if (n < min) throw new UsageError(`${who}missing ${what}; ${hint}`);
	if (n > max) {
		const extra = parsed.positionals[max] as string;
		throw new UsageError(`${who}unexpected argument "${extra}"; ${hint}`);
	}
	return parsed;
}

function describeParseError(error: unknown): string {
	const code = (error as { code?: string }).code;
	const message = errorMessage(error);
	const option = /'(-[^' ]+)/.exec(message)?.[1];
	if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" && option) return `unknown option ${option}`;
	if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE" && option) {
		if (message.includes("argument missing")) return `${option} needs a value`;
		if (message.includes("does not take")) return `${option} takes no value`;
	}
	return message.split(". ")[0] as string;
}

/** The KV namespace the flags name: local by default, as wrangler does. */
export function kvTarget(values: Values, command: string): KvTarget {
	if (values.local && values.remote) throw new UsageError(`${command}: --local and --remote exclude each other`);
	const persistTo = values["persist-to"] as string | undefined;
	if (values.remote && persistTo !== undefined) {
		throw new UsageError(`${command}: --persist-to names a local directory and cannot go with --remote`);
	}
	const target: KvTarget = { remote: values.remote === true };
	if (typeof values.env === "string") target.env = values.env;
	if (typeof values.config === "string") target.config = values.config;
	if (persistTo !== undefined) target.persistTo = persistTo;
	return target;
}
