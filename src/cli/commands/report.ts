// `report`: the top refused origins per route and reason over a time window, each with the
// command that would allow it, and report-only mode's differences apart; from a log
// stream (`wrangler tail --format json`, or `wrangler dev` output) or from the
// CORS_ANALYTICS dataset through the Analytics Engine SQL API (`--remote`).
import { createReadStream } from "node:fs";
import { routeArg, type Values } from "../args.ts";
import { Refusal, UsageError } from "../errors.ts";
import { say } from "../output.ts";
import {
	apiBase,
	buildQuery,
	credentialsFrom,
	datasetFromConfig,
	queryAnalytics,
	type Window,
} from "../report/analytics-source.ts";
import { formatJson, formatText, type ReportHeader } from "../report/format.ts";
import { readLogStream } from "../report/log-source.ts";
import { type Tallied, tallyCounted, tallyObservations, topGroups } from "../report/tally.ts";
import type { Command } from "./command.ts";

const DEFAULT_SINCE = "24h";
const DEFAULT_TOP = 10;
const UNITS = {
	m: { ms: 60_000, sql: "MINUTE", word: "minute" },
	h: { ms: 3_600_000, sql: "HOUR", word: "hour" },
	d: { ms: 86_400_000, sql: "DAY", word: "day" },
} as const;

export interface Since {
	/** The earliest time counted, ms. */
	from: number;
	/** The same for the SQL API. */
	window: Window;
	/** In words. */
	text: string;
}

/** `--since`: `30m`, `1h`, `2d` back from now, or an ISO 8601 time. */
export function parseSince(raw: string, now: number): Since {
	const relative = /^(\d{1,6})([mhd])$/.exec(raw);
	if (relative !== null) {
		const amount = Number(relative[1]);
		const unit = UNITS[relative[2] as keyof typeof UNITS];
		if (amount === 0) throw new UsageError(`report: --since ${raw} is an empty window; give e.g. 1h`);
		return { from: now - amount * unit.ms, window: { amount, unit: unit.sql }, text: `the last ${raw}` };
	}
	const time = /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(raw) ? Date.parse(raw) : Number.NaN;
	if (!Number.isFinite(time)) {
		throw new UsageError(
			`report: --since needs a duration back from now (30m, 1h, 2d) or an ISO 8601 time (2026-12-04T12:00:00Z), got ${JSON.stringify(raw)}`,
		);
	}
	if (time > now) throw new UsageError(`report: --since ${raw} is in the future`);
	const from = new Date(time);
	return { from: time, window: { from }, text: `since ${from.toISOString()}` };
}

function parseTop(raw: Values["top"]): number {
	if (raw === undefined) return DEFAULT_TOP;
	const n = Number(raw);
	if (typeof raw !== "string" || !/^\d{1,6}$/.test(raw) || n < 1) {
		throw new UsageError(`report: --top needs a whole number from 1, got ${JSON.stringify(raw)}`);
	}
	return n;
}

/** Reads stdin or FILE as a stream; Ctrl+C while reading stdin (a live `wrangler tail`) ends it and reports what came. */
async function readLogs(file: string) {
	if (file !== "-") {
		const stream = createReadStream(file);
		try {
			return await readLogStream(stream);
		} catch (error) {
			const code = (error as { code?: string }).code;
			const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a directory" : String(error);
			throw new Refusal(`report: cannot read ${file}: ${why}`);
		}
	}
	if (process.stdin.isTTY) {
		throw new UsageError(
			'report: --logs - reads stdin; pipe a log in ("npx wrangler tail --format json | npx cors-gateway report --logs -") or give a FILE',
		);
	}
	const stop = () => process.stdin.destroy();
	process.once("SIGINT", stop);
	try {
		return await readLogStream(stdinUntilClosed());
	} finally {
		process.off("SIGINT", stop);
	}
}

/** stdin's chunks; a destroyed stdin (Ctrl+C) ends them instead of failing. */
async function* stdinUntilClosed(): AsyncGenerator<Buffer> {
	try {
		for await (const chunk of process.stdin) yield chunk as Buffer;
	} catch (error) {
		if ((error as { code?: string }).code !== "ERR_STREAM_PREMATURE_CLOSE") throw error;
	}
}

export const report: Command = {
	name: "report",
	usage: "cors-gateway report (--logs FILE | --logs - | --remote) [--since 24h] [--top N] [--route KEY] [--json]",
	summary:
		"the top refused origins per route and reason, with the command that allows each; report-only differences apart",
	help: `  --logs FILE         read \`npx wrangler tail --format json\` output, or \`npm run dev\` /
                      \`wrangler dev\` output; - reads stdin (Ctrl+C ends a live tail and reports)
  --remote            query the CORS_ANALYTICS dataset through the Analytics Engine SQL API
                      (env CLOUDFLARE_ACCOUNT_ID and CLOUDFLARE_API_TOKEN, with the
                      "Account Analytics: Read" permission)
  --dataset NAME      the dataset to query (default: the CORS_ANALYTICS binding's dataset
                      in the wrangler configuration)
  --env NAME          the wrangler environment whose CORS_ANALYTICS dataset to query
  --config PATH       the wrangler configuration file (default: wrangler.toml here)
  --since WHEN        30m, 1h, 2d back from now, or an ISO 8601 time (default ${DEFAULT_SINCE});
                      a log without timestamps (wrangler dev output) is counted whole
  --top N             origins shown per route and reason (default ${DEFAULT_TOP})
  --route KEY         only route KEY
  --json              one JSON object instead of text`,
	options: {
		logs: { type: "string" },
		remote: { type: "boolean" },
		dataset: { type: "string" },
		env: { type: "string" },
		config: { type: "string" },
		since: { type: "string" },
		top: { type: "string" },
		route: { type: "string" },
		json: { type: "boolean" },
	},
	positionals: { min: 0, max: 0, what: "" },
	async run({ values }) {
		const logs = values.logs as string | undefined;
		const remote = values.remote === true;
		if ((logs === undefined) === !remote) {
			throw new UsageError(
				'report: give either --logs FILE (or --logs -) or --remote; run "cors-gateway report --help"',
			);
		}
		if (!remote) {
			for (const option of ["dataset", "env", "config"] as const) {
				if (values[option] !== undefined) throw new UsageError(`report: --${option} goes with --remote only`);
			}
		}
		const since = parseSince((values.since as string | undefined) ?? DEFAULT_SINCE, Date.now());
		const top = parseTop(values.top);
		const route = routeArg(values, "report")?.text;
		const filter = { since: since.from, ...(route === undefined ? {} : { route }) };

		let header: ReportHeader;
		let tallied: Tallied;
		if (logs !== undefined) {
			const { observations, stats } = await readLogs(logs);
			tallied = tallyObservations(observations, filter);
			header = {
				source: `refusals in ${logs === "-" ? "stdin" : logs}`,
				window: stats.untimed > 0 && stats.timed === 0 ? "the whole log" : since.text,
				untimed: stats.untimed,
				truncated: false,
			};
		} else {
			const dataset =
				(values.dataset as string | undefined) ??
				(await datasetFromConfig(values.config as string | undefined, values.env as string | undefined));
			const sql = buildQuery(dataset, since.window, route);
			const answer = await queryAnalytics(apiBase(process.env), credentialsFrom(process.env), sql);
			// The rows are filtered by route here too: a key with characters kept out of the SQL is filtered only here.
			tallied = tallyCounted(answer.rows, filter);
			header = {
				source: `refusals in Analytics Engine dataset ${dataset}`,
				window: since.text,
				untimed: 0,
				truncated: answer.truncated,
			};
		}
		if (route !== undefined) header.route = route;
		const groups = topGroups(tallied.rows, top);
		if (values.json) say(JSON.stringify(formatJson(header, tallied, groups), null, 2));
		else for (const line of formatText(header, tallied, groups)) say(line);
		return 0;
	},
};
