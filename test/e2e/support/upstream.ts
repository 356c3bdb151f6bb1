// What reached the upstream, from its own record (tools/upstream.ts, the scripted upstream).
import { inject } from "vitest";
import type { EchoBody, RecordedRequest } from "../../../tools/upstream.ts";

export type { EchoBody };

/** Requests the upstream received for `path` (with any query), oldest first. */
export async function upstreamReceived(path: string): Promise<RecordedRequest[]> {
	const response = await fetch(`${inject("e2e").upstreamUrl}/__requests`);
	const all = (await response.json()) as RecordedRequest[];
	return all.filter((r) => r.url === path || r.url.startsWith(`${path}?`));
}
