// Changing the gateway's allowlist the way a user does: `wrangler kv key put --local` into
// the store the running `wrangler dev` reads, never a restart.
//
// Each write adds one marker origin, `http://rev-<n>.revision.invalid`, that no page uses,
// and one marker header, `x-rev-<n>`. A preflight from the origin asking for the header is
// approved only once the gateway serves that very write (also under a "*" list, which
// admits any origin), which is how a case knows its document is in force.

import { mkdir, writeFile } from "node:fs/promises";
import { request } from "node:http";
import { dirname, join } from "node:path";
import { putAllowlistFile } from "../../../tools/wrangler.ts";
import type { AllowlistDocument } from "./allowlists.ts";
import { PORTS } from "./ports.ts";

const PROBE_INTERVAL_MS = 50;

let revision = 0;

export interface Written {
	/** The marker origin that only this write lists. */
	marker: string;
	/** Date.now() when the write had completed (wrangler kv key put returned). */
	writtenAt: number;
}

/** Stores `doc` (plus its marker origin) under the key `allowlist` of the local ALLOWLIST namespace. */
export async function writeAllowlist(persistDir: string, doc: AllowlistDocument): Promise<Written> {
	revision += 1;
	const marker = `http://rev-${process.pid}-${revision}.revision.invalid`;
	const headers = [...(doc.headers ?? []), markerHeader(marker)];
	const docs = join(dirname(persistDir), "allowlists");
	await mkdir(docs, { recursive: true });
	const file = join(docs, `${process.pid}-${revision}.json`);
	await writeFile(file, JSON.stringify({ ...doc, origins: [...doc.origins, marker], headers }));
	await putAllowlistFile(file, persistDir);
	return { marker, writtenAt: Date.now() };
}

/** The header a write with marker origin `marker` lists: `x-rev-<n>`. */
function markerHeader(marker: string): string {
	return `x-${new URL(marker).hostname.split(".")[0]}`;
}

/**
 * Whether the gateway approves a preflight from the marker origin asking for its marker
 * header (by the status alone, so that cases, not this probe, judge the rest of the
 * answer), or null when it cannot be reached.
 */
function preflightApproves(marker: string): Promise<boolean | null> {
	return new Promise((resolve) => {
		const req = request(
			{
				host: "127.0.0.1",
				port: PORTS.gateway,
				method: "OPTIONS",
				path: "/__e2e/revision-probe",
				headers: {
					origin: marker,
					"access-control-request-method": "GET",
					"access-control-request-headers": markerHeader(marker),
				},
			},
			(res) => {
				res.resume();
				resolve(res.statusCode === 204);
			},
		);
		req.on("error", () => resolve(null));
		req.end();
	});
}

/** Waits until the gateway approves preflights from `marker`; throws after `timeoutMs`. */
export async function waitUntilServed(
	marker: string,
	timeoutMs: number,
	stillRunning?: () => string | null,
): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	let last: boolean | null = null;
	while (Date.now() < deadline) {
		const failure = stillRunning?.();
		if (failure) throw new Error(failure);
		last = await preflightApproves(marker);
		if (last) return;
		await new Promise((resolve) => setTimeout(resolve, PROBE_INTERVAL_MS));
	}
	throw new Error(
		`the gateway did not serve the allowlist written with marker ${marker} within ${timeoutMs} ms (last probe: ${last === null ? "no answer" : "refused"})`,
	);
}
