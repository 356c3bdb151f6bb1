// `report --remote`: the counts from the CORS_ANALYTICS dataset (docs/SPEC.md
// "Observability"), through the Analytics Engine SQL API: one POST with the query as its
// body, the account and token from wrangler's own environment variables. Every data
// point stands for `_sample_interval` events (Analytics Engine samples), so counts are
// `SUM(_sample_interval)`. Nothing a user types reaches the SQL unchecked: the dataset
// name is an identifier, the window is built from numbers, and a route key is put in
// only when every character is a safe one (else rows are filtered here instead).
import { Refusal, UsageError } from "../errors.ts";
import type { CountedRow } from "./tally.ts";

/** The default API root; CORS_GATEWAY_API_BASE replaces it (for tests). */
export const API_BASE = "https://api.cloudflare.com/client/v4";
/** Rows asked for: the top origins of each (route, reason) are chosen here, from these. */
export const ROW_LIMIT = 10_000;
/** The most of an error answer printed. */
const MAX_ERROR_CHARS = 600;

export type Window = { amount: number; unit: "MINUTE" | "HOUR" | "DAY" } | { from: Date };

const DATASET = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
/** Characters a route key may have and the SQL may carry inside quotes with no escaping at all. */
const SAFE_ROUTE = /^[A-Za-z0-9/._~:-]{1,512}$/;

/** `WHERE` text for the window: an interval from NOW(), or a fixed UTC time, from numbers only. */
function windowCondition(window: Window): string {
	if ("from" in window) {
		const iso = window.from.toISOString(); // 2026-12-04T12:00:00.000Z: digits and separators only
		return `timestamp >= toDateTime('${iso.slice(0, 10)} ${iso.slice(11, 19)}')`;
	}
	return `timestamp > NOW() - INTERVAL '${Math.trunc(window.amount)}' ${window.unit}`;
}

/** Whether a (normalized) route key can go into the SQL as it is. */
export function sqlSafeRoute(route: string): boolean {
	return SAFE_ROUTE.test(route);
}

/** The query: counts per route, reason, origin and kind in the window, most first. */
export function buildQuery(dataset: string, window: Window, route: string | undefined): string {
	if (!DATASET.test(dataset))
		throw new UsageError(`report: ${JSON.stringify(dataset)} is no dataset name (letters, digits and _)`);
	const routeCondition = route !== undefined && sqlSafeRoute(route) ? ` AND blob1 = '${route}'` : "";
	return [
		"SELECT blob1, blob2, blob3, blob5, SUM(_sample_interval) AS n",
		`FROM ${dataset}`,
		`WHERE ${windowCondition(window)}${routeCondition}`,
		"GROUP BY blob1, blob2, blob3, blob5",
		"ORDER BY n DESC",
		`LIMIT ${ROW_LIMIT}`,
		"FORMAT JSON",
	].join("\n");
}

export interface Credentials {
	accountId: string;
	token: string;
}

/** CLOUDFLARE_ACCOUNT_ID and CLOUDFLARE_API_TOKEN, as wrangler names them; a missing one is a usage mistake. */
export function credentialsFrom(env: NodeJS.ProcessEnv): Credentials {
	const accountId = env.CLOUDFLARE_ACCOUNT_ID?.trim() ?? "";
	const token = env.CLOUDFLARE_API_TOKEN?.trim() ?? "";
	if (accountId === "") {
		throw new UsageError(
			'report --remote: set CLOUDFLARE_ACCOUNT_ID to your Cloudflare account id ("npx wrangler whoami" prints it; so does the dashboard\'s Workers & Pages overview)',
		);
	}
	if (!/^[A-Za-z0-9]{1,64}$/.test(accountId)) {
		throw new UsageError("report --remote: CLOUDFLARE_ACCOUNT_ID is not an account id (32 hexadecimal characters)");
	}
	if (token === "") {
		throw new UsageError(
			'report --remote: set CLOUDFLARE_API_TOKEN to an API token with the "Account Analytics: Read" permission (create one at https://dash.cloudflare.com/profile/api-tokens)',
		);
	}
	return { accountId, token };
}

/** The API root: CORS_GATEWAY_API_BASE (for tests), else Cloudflare's. */
export function apiBase(env: NodeJS.ProcessEnv): string {
	const base = env.CORS_GATEWAY_API_BASE?.trim();
	return (base === undefined || base === "" ? API_BASE : base).replace(/\/+$/, "");
}

export interface AnalyticsAnswer {
	rows: CountedRow[];
	/** The query hit its row limit: some rows are missing. */
	truncated: boolean;
}

/** Runs `sql` against the account's Analytics Engine; failures are refusals with the API's own words. */
export async function queryAnalytics(base: string, credentials: Credentials, sql: string): Promise<AnalyticsAnswer> {
	const url = `${base}/accounts/${credentials.accountId}/analytics_engine/sql`;
	let response: Response;
	try {
		response = await fetch(url, {
			method: "POST",
			headers: { authorization: `Bearer ${credentials.token}`, "content-type": "text/plain" },
			body: sql,
			signal: AbortSignal.timeout(60_000),
		});
	} catch (error) {
		const cause = (error as { cause?: { message?: string } }).cause?.message;
		throw new Refusal(
			`report --remote: cannot reach ${base} (${cause ?? (error instanceof Error ? error.message : String(error))})`,
		);
	}
	const text = await response.text();
	if (!response.ok) {
		const hint =
			response.status === 401 || response.status === 403
				? '; check that CLOUDFLARE_API_TOKEN is valid and has "Account Analytics: Read" for this account'
				: "";
		throw new Refusal(
			`report --remote: the Analytics Engine SQL API answered ${response.status} ${response.statusText}${hint}:\n${cut(errorText(text))}`,
		);
	}
	return parseAnswer(text);
}

/** Cloudflare's `{"errors":[{"message":…}]}` as its messages; any other body as it is. */
function errorText(body: string): string {
	try {
		const parsed = JSON.parse(body) as { errors?: { code?: number; message?: string }[] };
		const messages = (parsed.errors ?? []).filter((e) => typeof e?.message === "string");
		if (messages.length > 0)
			return messages.map((e) => (e.code === undefined ? e.message : `${e.message} (code ${e.code})`)).join("\n");
	} catch {
		// Not JSON: the text is the message.
	}
	return body.trim() === "" ? "(empty body)" : body.trim();
}

function cut(text: string): string {
	return text.length <= MAX_ERROR_CHARS ? text : `${text.slice(0, MAX_ERROR_CHARS)}… (${text.length} characters)`;
}

/** A count: a number, or the numeric string ClickHouse gives for 64-bit aggregates. */
function countOf(value: unknown): number | null {
	const n =
		typeof value === "number"
			? value
			: typeof value === "string" && /^\d+(\.\d+)?$/.test(value)
				? Number(value)
				: Number.NaN;
	return Number.isFinite(n) && n >= 0 ? Math.round(n) : null;
}

/** The documented `FORMAT JSON` answer: `{meta, data: [{blob1, …, n}], rows, rows_before_limit_at_least}`. */
export function parseAnswer(text: string): AnalyticsAnswer {
	let parsed: unknown;
	try {
		parsed = JSON.parse(text);
	} catch {
		throw new Refusal(`report --remote: the Analytics Engine SQL API's answer is not JSON:\n${cut(text)}`);
	}
	const data = (parsed as { data?: unknown }).data;
	if (!Array.isArray(data)) {
		throw new Refusal(`report --remote: the Analytics Engine SQL API's answer has no "data" list:\n${cut(text)}`);
	}
	const rows: CountedRow[] = [];
	for (const item of data) {
		const row = item as Record<string, unknown>;
		const count = countOf(row.n);
		const kind = row.blob5;
		if (count === null || (kind !== "refused" && kind !== "report") || typeof row.blob2 !== "string") {
			throw new Refusal(`report --remote: unexpected row in the Analytics Engine answer: ${cut(JSON.stringify(item))}`);
		}
		const route = typeof row.blob1 === "string" && row.blob1 !== "" ? row.blob1 : null;
		const origin = typeof row.blob3 === "string" && row.blob3 !== "" ? row.blob3 : null;
		rows.push({ kind, route, reason: row.blob2, origin, count });
	}
	const before = countOf((parsed as { rows_before_limit_at_least?: unknown }).rows_before_limit_at_least);
	return { rows, truncated: before !== null && before > rows.length };
}

/** The dataset bound as CORS_ANALYTICS in the wrangler configuration (of `env`), as wrangler reads it. */
export async function datasetFromConfig(config: string | undefined, env: string | undefined): Promise<string> {
	const where = config ?? "wrangler.toml";
	const missing = `report --remote: no [[analytics_engine_datasets]] entry with binding = "CORS_ANALYTICS" in ${where}${env === undefined ? "" : ` (env ${env})`}; name the dataset with --dataset NAME, or bind it (README: "Analytics")`;
	const { unstable_readConfig } = await import("wrangler");
	let datasets: readonly { binding: string; dataset?: string }[];
	try {
		const read = unstable_readConfig({
			...(config === undefined ? {} : { config }),
			...(env === undefined ? {} : { env }),
		});
		if (config === undefined && read.configPath === undefined) throw new UsageError(missing);
		datasets = read.analytics_engine_datasets;
	} catch (error) {
		if (error instanceof UsageError) throw error;
		throw new UsageError(
			`report --remote: cannot read ${where}: ${error instanceof Error ? error.message.trim() : String(error)}`,
		);
	}
	const bound = datasets.find((d) => d.binding === "CORS_ANALYTICS");
	if (bound === undefined) throw new UsageError(missing);
	return bound.dataset ?? "CORS_ANALYTICS";
}
