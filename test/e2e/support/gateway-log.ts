// wrangler dev logs one line per request it served ("OPTIONS /path 204 No Content (3ms)"):
// the gateway's own count of the preflights that reached it.
import { readFile } from "node:fs/promises";
import { request } from "node:http";
import { inject } from "vitest";
import { PORTS } from "./ports.ts";

const SENTINEL_WAIT_MS = 10_000;
let sentinels = 0;

function get(path: string): Promise<void> {
	return new Promise((resolve, reject) => {
		const req = request({ host: "127.0.0.1", port: PORTS.gateway, path }, (res) => {
			res.resume();
			res.on("end", resolve);
		});
		req.on("error", reject);
		req.end();
	});
}

/** The gateway log once every request served so far is in it (a sentinel request marks the point). */
export async function gatewayLog(): Promise<string> {
	sentinels += 1;
	const sentinel = `/__e2e/log-sentinel/${process.pid}-${sentinels}`;
	await get(sentinel);
	const deadline = Date.now() + SENTINEL_WAIT_MS;
	for (;;) {
		const log = await readFile(inject("e2e").gatewayLog, "utf8");
		if (log.includes(`GET ${sentinel} `)) return log;
		if (Date.now() > deadline) throw new Error(`wrangler dev never logged ${sentinel}`);
		await new Promise((resolve) => setTimeout(resolve, 50));
	}
}

/** Preflights (OPTIONS requests) for exactly `path` that the gateway served. */
export async function preflightsServed(path: string): Promise<number> {
	const log = await gatewayLog();
	return log.split("\n").filter((line) => line.includes(`OPTIONS ${path} `)).length;
}

export interface Refusal {
	reason: string;
	detail: string;
	method: string;
	/** The route key whose policy refused; null: the top level's. */
	route: string | null;
}

/** The gateway's `event` log lines (`cors-refused`, `cors-report`) for exactly `path`, parsed. */
export async function eventsLogged(event: string, path: string): Promise<Record<string, unknown>[]> {
	const log = await gatewayLog();
	const events: Record<string, unknown>[] = [];
	for (const line of log.split("\n")) {
		if (!line.includes(`"${event}"`)) continue;
		const parsed = JSON.parse(line.slice(line.indexOf("{"))) as Record<string, unknown>;
		if (parsed.event === event && parsed.path === path) events.push(parsed);
	}
	return events;
}

/** The gateway's `cors-refused` log events for exactly `path`: why it refused. */
export async function refusalsLogged(path: string): Promise<Refusal[]> {
	return (await eventsLogged("cors-refused", path)).map((e) => ({
		reason: e.reason as string,
		detail: e.detail as string,
		method: e.method as string,
		route: e.route as string | null,
	}));
}
