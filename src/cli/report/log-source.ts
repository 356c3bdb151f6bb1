// `report --logs`: the gateway's refusal and report lines read back from a log stream, in
// either of the two forms a developer has at hand:
//   - `npx wrangler tail --format json`: a stream of JSON objects, one per invocation
//     (pretty-printed over many lines, or one per line), each with `eventTimestamp` and
//     `logs: [{message: [<our JSON line>, …], level, timestamp}]`;
//   - `npm run dev` / `wrangler dev` output: text in which our JSON lines stand on lines of
//     their own, among wrangler's (`[wrangler:info] GET /api 403 Forbidden`), perhaps
//     with ANSI colour codes; no timestamps.
// One streaming splitter reads both: it finds each top-level `{…}` in the text, skipping
// whatever lies between, and a span that is not JSON is skipped from its `{` on, so a stray
// brace in wrangler's chatter never hides a line after it.
import { stripVTControlCharacters } from "node:util";

export type Kind = "refused" | "report";

/** One `cors-refused` or `cors-report` line: one refusal, or one difference. */
export interface LineObservation {
	type: "line";
	kind: Kind;
	/** The route key whose policy decided; null for the top level. */
	route: string | null;
	reason: string;
	origin: string | null;
	method: string;
	/** What a fix names: the refused method or header (`detail` of a refusal, or the allowlist's verdict in a report). */
	detail: string | null;
	/** ms since the epoch, when the stream says (tail); null in `wrangler dev` output. */
	time: number | null;
}

/** One `cors-refused-summary` or `cors-report-summary` line: the counts of one isolate's minute. */
export interface SummaryObservation {
	type: "summary";
	kind: Kind;
	/** Start of the minute the summary counts (its `since`), else when the line was written; null if unknown. */
	time: number | null;
	/** Length of that minute, ms. */
	windowMs: number;
	/** Refusals (or differences) of the minute that have no line of their own. */
	unlogged: number;
	/** The most counted pairs; `count` includes the ones logged in full. */
	top: { reason: string; origin: string | null; count: number }[];
}

export type Observation = LineObservation | SummaryObservation;

/** What the stream held besides the observations. */
export interface StreamStats {
	/** JSON objects found (tail records, or our lines). */
	objects: number;
	/** Observations without a timestamp (`wrangler dev` output). */
	untimed: number;
	/** Observations with one. */
	timed: number;
}

/** A span starting at `{` longer than this is no line of ours: skipped from its `{` on. */
const MAX_OBJECT_CHARS = 4 * 1024 * 1024;

/**
 * Splits text into top-level JSON object spans, fed in pieces. Whatever lies outside a
 * `{…}` is skipped; braces inside JSON strings are respected. The caller parses each span
 * and, when it is not JSON, calls `resync` so scanning resumes just after its `{`.
 */
export class ObjectSplitter {
	private buffer = "";
	/** Where scanning resumes in `buffer`. */
	private pos = 0;
	/** Start of the object being scanned, or -1 outside one. */
	private start = -1;
	private depth = 0;
	private inString = false;
	private escaped = false;

	/** Adds text; returns the complete object spans it closes. */
	push(text: string): string[] {
		this.buffer += text;
		return this.scan();
	}

	/** The stream has ended: an unclosed object is rescanned from after its `{`, since its inner lines may be ours. */
	end(): string[] {
		const out: string[] = [];
		while (this.start >= 0) {
			this.restartAfter(this.start);
			out.push(...this.scan());
		}
		return out;
	}

	private restartAfter(index: number): void {
		this.restartAt(index + 1);
	}

	/** Scanning resumes at `pos`, outside any object. */
	private restartAt(pos: number): void {
		this.pos = pos;
		this.start = -1;
		this.depth = 0;
		this.inString = false;
		this.escaped = false;
	}

	/** Rescans from just after the `{` of `span`, which `push` or `end` returned and which is not JSON. */
	resync(span: string, rest: string[]): string[] {
		// The spans after it were cut from text that followed it; what lay between them held
		// no `{`, so newlines stand in for it (a JSON string never crosses one). An object in
		// progress is scanned again from its start, the rest from where scanning stopped.
		const unscanned = this.buffer.slice(this.start >= 0 ? this.start : this.pos);
		this.buffer = [span.slice(1), ...rest, unscanned].join("\n");
		this.restartAt(0);
		return this.scan();
	}

	private scan(): string[] {
		const out: string[] = [];
		const b = this.buffer;
		let i = this.pos;
		for (; i < b.length; i++) {
			const c = b.charCodeAt(i);
			if (this.start >= 0 && i - this.start > MAX_OBJECT_CHARS) {
				const from = this.start;
				this.restartAfter(from);
				i = from;
				continue;
			}
			if (this.start < 0) {
				if (c === 0x7b /* { */) {
					this.start = i;
					this.depth = 1;
				}
				continue;
			}
			if (this.inString) {
				if (this.escaped) this.escaped = false;
				else if (c === 0x5c /* \ */) this.escaped = true;
				else if (c === 0x22 /* " */) this.inString = false;
				// JSON strings never span lines: an unbalanced quote in text is not a string.
				else if (c === 0x0a) this.inString = false;
				continue;
			}
			if (c === 0x22) this.inString = true;
			else if (c === 0x7b) this.depth++;
			else if (c === 0x7d /* } */ && --this.depth === 0) {
				out.push(b.slice(this.start, i + 1));
				this.start = -1;
			}
		}
		// Keep only what is still needed: the object in progress, nothing before it.
		const keepFrom = this.start >= 0 ? this.start : i;
		this.buffer = b.slice(keepFrom);
		if (this.start >= 0) this.start -= keepFrom;
		this.pos = i - keepFrom;
		return out;
	}
}

const EVENTS: Readonly<Record<string, { kind: Kind; summary: boolean }>> = {
	"cors-refused": { kind: "refused", summary: false },
	"cors-refused-summary": { kind: "refused", summary: true },
	"cors-report": { kind: "report", summary: false },
	"cors-report-summary": { kind: "report", summary: true },
};

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
	typeof value === "object" && value !== null && !Array.isArray(value);
const str = (value: unknown): string | null => (typeof value === "string" ? value : null);
const count = (value: unknown): number =>
	typeof value === "number" && Number.isSafeInteger(value) && value >= 0 ? value : 0;
const finiteTime = (value: unknown): number | null =>
	typeof value === "number" && Number.isFinite(value) && value > 0 ? value : null;

/** One of our log events as an observation, or null when it is not one `report` counts. */
export function observationOf(event: Json, time: number | null): Observation | null {
	const known = typeof event.event === "string" ? EVENTS[event.event] : undefined;
	if (known === undefined) return null;
	const { kind } = known;
	if (known.summary) {
		const counted = kind === "refused" ? "refused" : "reported";
		const since = typeof event.since === "string" ? Date.parse(event.since) : Number.NaN;
		const seconds = typeof event.seconds === "number" && event.seconds > 0 ? event.seconds : 60;
		const top = Array.isArray(event.top)
			? event.top.filter(isObject).flatMap((pair) => {
					const reason = str(pair.reason);
					return reason === null ? [] : [{ reason, origin: str(pair.origin), count: count(pair[counted]) }];
				})
			: [];
		return {
			type: "summary",
			kind,
			time: Number.isFinite(since) ? since : time,
			windowMs: seconds * 1000,
			unlogged: count(event.unlogged),
			top,
		};
	}
	const reason = str(event.reason);
	if (reason === null) return null;
	return {
		type: "line",
		kind,
		route: str(event.route),
		reason,
		origin: str(event.origin),
		method: str(event.method) ?? "",
		detail: detailOf(kind, event),
		time,
	};
}

/** What a fix would name: a refusal's detail; in a report, the allowlist's refusal detail. */
function detailOf(kind: Kind, event: Json): string | null {
	if (kind === "refused") return str(event.detail);
	const allowlist = event.allowlist;
	return isObject(allowlist) ? str(allowlist.detail) : null;
}

/** The observations in one top-level JSON object of the stream: a tail record, or one of our lines. */
export function observationsOf(value: Json): Observation[] {
	if (Array.isArray(value.logs)) {
		const eventTime = finiteTime(value.eventTimestamp);
		const out: Observation[] = [];
		for (const log of value.logs) {
			if (!isObject(log) || !Array.isArray(log.message)) continue;
			const time = finiteTime(log.timestamp) ?? eventTime;
			for (const part of log.message) {
				if (isObject(part)) {
					const one = observationOf(part, time);
					if (one !== null) out.push(one);
				} else if (typeof part === "string") {
					for (const event of jsonObjectsIn(part)) {
						const one = observationOf(event, time);
						if (one !== null) out.push(one);
					}
				}
			}
		}
		return out;
	}
	const one = observationOf(value, null);
	return one === null ? [] : [one];
}

/** The JSON objects in a complete text. */
function jsonObjectsIn(text: string): Json[] {
	const out: Json[] = [];
	const splitter = new ObjectSplitter();
	drain(splitter, splitter.push(text), out);
	drain(splitter, splitter.end(), out);
	return out;
}

/** Parses the spans; a span that is not a JSON object is rescanned from after its `{`. */
function drain(splitter: ObjectSplitter, spans: string[], out: Json[]): void {
	let queue = spans;
	while (queue.length > 0) {
		const span = queue.shift() as string;
		let value: unknown;
		try {
			value = JSON.parse(span);
		} catch {
			queue = splitter.resync(span, queue);
			continue;
		}
		if (isObject(value)) out.push(value);
	}
}

/**
 * Reads a log stream to its end: the observations in it, and how many objects and
 * timestamps it had. Text is taken line by line, ANSI codes removed.
 */
export async function readLogStream(
	stream: AsyncIterable<string | Buffer>,
): Promise<{ observations: Observation[]; stats: StreamStats }> {
	const observations: Observation[] = [];
	const stats: StreamStats = { objects: 0, untimed: 0, timed: 0 };
	const splitter = new ObjectSplitter();
	const decoder = new TextDecoder();
	let partial = "";
	const take = (values: Json[]) => {
		for (const value of values) {
			stats.objects++;
			for (const one of observationsOf(value)) {
				observations.push(one);
				if (one.time === null) stats.untimed++;
				else stats.timed++;
			}
		}
	};
	const feed = (text: string) => {
		const values: Json[] = [];
		drain(splitter, splitter.push(stripVTControlCharacters(text)), values);
		take(values);
	};
	for await (const chunk of stream) {
		partial += typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true });
		const lastNewline = partial.lastIndexOf("\n");
		if (lastNewline < 0) continue;
		feed(partial.slice(0, lastNewline + 1));
		partial = partial.slice(lastNewline + 1);
	}
	partial += decoder.decode();
	if (partial !== "") feed(`${partial}\n`);
	const rest: Json[] = [];
	drain(splitter, splitter.end(), rest);
	take(rest);
	return { observations, stats };
}
