// The gateway's log: one JSON object per line, as `wrangler tail` and Workers Logs show
// it, and the bound on what refusals write to it.

export type Logger = (event: Record<string, unknown>) => void;

export const jsonLog: Logger = (event) => console.log(JSON.stringify(event));

/** What a caught value says, for logs and messages: anything can be thrown in JavaScript. */
export function errorMessage(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}

// A bot or a misconfigured client repeating one refused request must not write one line
// per request into Workers Logs. Within each window the first `perKey` refusals of a
// (reason, origin) pair are logged in full (at most `perWindow` in all), the rest only
// counted; the window's counts then go out as one `cors-refused-summary` line. Report-only
// mode's `cors-report` lines are held to the same bounds by a second log of this kind.

export interface RefusalLogOptions {
	/** Full lines per (reason, origin) per window. */
	perKey: number;
	/** The bounded lines' event: the summary is `<event>-summary` (default `cors-refused`). */
	event?: string;
	/** What the summary calls the lines it counts (default `refused`). */
	counted?: string;
	/** Window length in ms. */
	windowMs?: number;
	now?: () => number;
}

const WINDOW_MS = 60_000;
/** Full lines per window, all pairs together, as a multiple of `perKey`. */
const KEYS_LOGGED_IN_FULL = 20;
/** Pairs counted per window; refusals of further pairs count as "other". */
const MAX_KEYS = 1_000;
/** Pairs a summary names, most refused first. */
const SUMMARY_TOP = 10;

interface Count {
	reason: string;
	origin: string | null;
	refused: number;
}

export class RefusalLog {
	private readonly log: Logger;
	private readonly perKey: number;
	private readonly perWindow: number;
	private readonly windowMs: number;
	private readonly now: () => number;
	private readonly summaryEvent: string;
	private readonly counted: string;
	private counts = new Map<string, Count>();
	private windowStart = 0;
	private windowEnd = -1;
	private refused = 0;
	private logged = 0;
	/** Refusals of pairs past MAX_KEYS in this window. */
	private other = 0;

	constructor(log: Logger, options: RefusalLogOptions) {
		this.log = log;
		this.perKey = options.perKey;
		this.perWindow = options.perKey * KEYS_LOGGED_IN_FULL;
		this.windowMs = options.windowMs ?? WINDOW_MS;
		this.now = options.now ?? Date.now;
		this.summaryEvent = `${options.event ?? "cors-refused"}-summary`;
		this.counted = options.counted ?? "refused";
	}

	/**
	 * Counts one refusal; true when it is to be logged in full (the caller builds the line,
	 * so a refusal that is only counted costs no more than a map lookup).
	 */
	admit(reason: string, origin: string | null): boolean {
		const now = this.now();
		if (now >= this.windowEnd) this.startWindow(now);
		this.refused++;
		const key = `${reason} ${origin}`;
		let count = this.counts.get(key);
		if (count === undefined) {
			if (this.counts.size >= MAX_KEYS) {
				this.other++;
				return false;
			}
			count = { reason, origin, refused: 0 };
			this.counts.set(key, count);
		}
		count.refused++;
		if (count.refused > this.perKey || this.logged >= this.perWindow) return false;
		this.logged++;
		return true;
	}

	/** Writes the summary of a window that has ended, if it left refusals unlogged. */
	flushIfDue(): void {
		if (this.refused === this.logged) return;
		const now = this.now();
		if (now >= this.windowEnd) this.startWindow(now);
	}

	private startWindow(now: number): void {
		if (this.refused > this.logged) this.summarize();
		this.counts = new Map();
		this.windowStart = now;
		this.windowEnd = now + this.windowMs;
		this.refused = 0;
		this.logged = 0;
		this.other = 0;
	}

	private summarize(): void {
		const top = [...this.counts.values()]
			.sort((a, b) => b.refused - a.refused)
			.slice(0, SUMMARY_TOP)
			.map(({ reason, origin, refused }) => ({ reason, origin, [this.counted]: refused }));
		this.log({
			event: this.summaryEvent,
			since: new Date(this.windowStart).toISOString(),
			seconds: this.windowMs / 1000,
			[this.counted]: this.refused,
			logged: this.logged,
			unlogged: this.refused - this.logged,
			top,
			...(this.other > 0 ? { otherPairs: this.other } : {}),
		});
	}
}
