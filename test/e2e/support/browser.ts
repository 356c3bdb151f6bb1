// Runs `fetch` in real pages of real origins in Chromium, and records what the browser let
// the page read: status, body and readable headers, or the TypeError of a CORS failure
// together with Chromium's own reason for it (CDP Network.loadingFailed corsErrorStatus).
// The headers the gateway really sent, `Access-Control-*` included, which no page may read,
// come from CDP too (Network.responseReceivedExtraInfo).
import { type Browser, type BrowserContext, type CDPSession, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, inject } from "vitest";
import { GATEWAY } from "./origins.ts";

/** The parts of RequestInit the cases use (it crosses into the page as JSON). */
export interface FetchInit {
	method?: string;
	headers?: Record<string, string>;
	body?: string;
	credentials?: "omit" | "same-origin" | "include";
	cache?: "default" | "no-store";
}

export type Outcome =
	| { read: true; status: number; body: string; headers: Record<string, string> }
	| { read: false; error: string; corsError: string | null; corsParameter: string };

/** One line per outcome, for table rows: `read 200` or `blocked HeaderDisallowedByPreflightResponse x-foo`. */
export function summary(outcome: Outcome): string {
	if (outcome.read) return `read ${outcome.status}`;
	return ["blocked", outcome.corsError ?? outcome.error, outcome.corsParameter].filter(Boolean).join(" ");
}

/** CDP events about a request may arrive a moment after the page's fetch settled. */
const CDP_EVENT_WAIT_MS = 2_000;
let unique = 0;

/** A path nobody used before in this run, so no cache (HTTP or preflight) and no record is shared between cases. */
export function uniquePath(label: string): string {
	unique += 1;
	return `/e2e/${label}/${process.pid}-${unique}-${Date.now().toString(36)}`;
}

export interface FileBrowser {
	/** A new browser context (empty caches and cookie jar), closed after the file's tests. */
	newSession(): Promise<BrowserSession>;
}

/** Connects to the suite's Chromium before this file's tests and closes every session and the connection after them. */
export function useBrowser(): FileBrowser {
	let browser: Browser | undefined;
	const sessions: BrowserSession[] = [];
	beforeAll(async () => {
		browser = await chromium.connect(inject("e2e").browserWsEndpoint);
	});
	afterAll(async () => {
		for (const session of sessions) await session.close();
		await browser?.close();
	});
	return {
		async newSession() {
			const session = await BrowserSession.start(browser as Browser);
			sessions.push(session);
			return session;
		},
	};
}

interface CorsFailure {
	corsError: string;
	corsParameter: string;
}

/** What CDP recorded for `url` (keyed by its serialized form), once it arrived or CDP_EVENT_WAIT_MS passed. */
async function eventFor<T>(recorded: ReadonlyMap<string, T>, url: string): Promise<T | undefined> {
	const href = new URL(url).href;
	const deadline = Date.now() + CDP_EVENT_WAIT_MS;
	while (!recorded.has(href) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
	return recorded.get(href);
}

/** A page at one origin, with a CDP session watching its network traffic. */
class OriginPage {
	private readonly urls = new Map<string, string>();
	private readonly failures = new Map<string, CorsFailure>();
	private readonly preflights = new Map<string, number>();
	private readonly preflightIds = new Set<string>();
	private readonly responses = new Map<string, Record<string, string>>();

	private constructor(
		private readonly page: Page,
		cdp: CDPSession,
	) {
		// Chromium reports URLs serialized (percent-encoded): look them up by `new URL(...).href`.
		cdp.on("Network.requestWillBeSent", (event) => {
			this.urls.set(event.requestId, event.request.url);
			if (event.initiator.type === "preflight") {
				this.preflightIds.add(event.requestId);
				this.preflights.set(event.request.url, (this.preflights.get(event.request.url) ?? 0) + 1);
			}
		});
		// The raw headers off the wire: Network.responseReceived is not sent for an answer CORS blocked.
		cdp.on("Network.responseReceivedExtraInfo", (event) => {
			const url = this.urls.get(event.requestId);
			if (url === undefined || this.preflightIds.has(event.requestId)) return;
			const headers: Record<string, string> = {};
			for (const [name, value] of Object.entries(event.headers)) headers[name.toLowerCase()] = String(value);
			this.responses.set(url, headers);
		});
		cdp.on("Network.loadingFailed", (event) => {
			const url = this.urls.get(event.requestId);
			if (url !== undefined && event.corsErrorStatus !== undefined) {
				this.failures.set(url, {
					corsError: event.corsErrorStatus.corsError,
					corsParameter: event.corsErrorStatus.failedParameter,
				});
			}
		});
	}

	static async open(context: BrowserContext, origin: string): Promise<OriginPage> {
		const page = await context.newPage();
		const cdp = await context.newCDPSession(page);
		await cdp.send("Network.enable");
		const opened = new OriginPage(page, cdp);
		const response = await page.goto(`${origin}/`);
		if (response?.status() !== 200) throw new Error(`the page at ${origin} did not load (${response?.status()})`);
		return opened;
	}

	async fetch(url: string, init: FetchInit): Promise<Outcome> {
		const result = await this.page.evaluate(
			async ([target, options]) => {
				// Chromium's fetch: the project's global types are the Workers runtime's, whose
				// RequestInit lacks some of the browser's cache modes.
				const browserFetch = fetch as (input: string, init: object) => Promise<Response>;
				try {
					const response = await browserFetch(target, options);
					const headers: Record<string, string> = {};
					response.headers.forEach((value, name) => {
						headers[name] = value;
					});
					return { read: true as const, status: response.status, body: await response.text(), headers };
				} catch (error) {
					return { read: false as const, error: String(error) };
				}
			},
			[url, { cache: "no-store", ...init }] as const,
		);
		if (result.read) return result;
		// Chromium reports the reason a moment after the promise rejected.
		const failure = await eventFor(this.failures, url);
		return { ...result, corsError: failure?.corsError ?? null, corsParameter: failure?.corsParameter ?? "" };
	}

	/**
	 * The headers of the last answer (not a preflight's) Chromium received for `url`, lowercased
	 * names, whether or not the page could read them; null when none arrived.
	 */
	async responseHeadersOf(url: string): Promise<Record<string, string> | null> {
		return (await eventFor(this.responses, url)) ?? null;
	}

	/** CORS preflights this page sent to `url`, as Chromium reports them. */
	preflightsSentTo(url: string): number {
		return this.preflights.get(new URL(url).href) ?? 0;
	}
}

/** A browser context (its own cookie jar and preflight cache) with one page per origin. */
export class BrowserSession {
	private readonly pages = new Map<string, Promise<OriginPage>>();

	private constructor(readonly context: BrowserContext) {}

	static async start(browser: Browser): Promise<BrowserSession> {
		return new BrowserSession(await browser.newContext());
	}

	page(origin: string): Promise<OriginPage> {
		let page = this.pages.get(origin);
		if (page === undefined) {
			page = OriginPage.open(this.context, origin);
			this.pages.set(origin, page);
		}
		return page;
	}

	/** `fetch(GATEWAY + path, init)` from a page at `origin`. */
	async fetch(origin: string, path: string, init: FetchInit = {}): Promise<Outcome> {
		return (await this.page(origin)).fetch(`${GATEWAY}${path}`, init);
	}

	async responseHeadersOf(origin: string, path: string): Promise<Record<string, string> | null> {
		return (await this.page(origin)).responseHeadersOf(`${GATEWAY}${path}`);
	}

	async preflightsSentTo(origin: string, path: string): Promise<number> {
		return (await this.page(origin)).preflightsSentTo(`${GATEWAY}${path}`);
	}

	close(): Promise<void> {
		return this.context.close();
	}
}
