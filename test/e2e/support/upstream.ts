// What reached the upstream, from its own record (test/support/upstream-server.ts).
import { inject } from "vitest";
import type { EchoBody, RecordedRequest } from "../../support/upstream-server.ts";

export type { EchoBody };

/** Requests the upstream received for `path` (with any query), oldest first. */
export async function upstreamReceived(path: string): Promise<RecordedRequest[]> {
	const response = await fetch(`${inject("e2e").upstreamUrl}/__requests`);
	const all = (await response.json()) as RecordedRequest[];
	return all.filter((r) => r.url === path || r.url.startsWith(`${path}?`));
}
