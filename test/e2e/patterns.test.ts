// Origin patterns in Chromium (docs/SPEC.md "Origin patterns"): a dev server on a port
// nobody chose in advance is admitted by `http://localhost:*`, a preview deployment by a
// label glob, and neither pattern reaches past its label or host.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BASE } from "./support/allowlists.ts";
import { type BrowserSession, summary, uniquePath, useBrowser } from "./support/browser.ts";
import { type PageServer, startPageServer } from "./support/page-server.ts";
import { upstreamReceived } from "./support/upstream.ts";
import { useAllowlist } from "./support/use-allowlist.ts";

const browser = useBrowser();
let session: BrowserSession;
let pages: PageServer;
/** The dev server's port: the system's choice, so no entry can name it. */
let port: number;

beforeAll(async () => {
	pages = await startPageServer([0]);
	port = pages.ports[0] as number;
	await useAllowlist({ ...BASE, origins: ["http://localhost:*", "http://pr-*.preview.localhost:*"] });
	session = await browser.newSession();
});
afterAll(async () => {
	await session?.close();
	await pages?.close();
});

describe("patterns admit exactly what they name", () => {
	it.each([
		{ rule: "any port: a dev server on a random port", host: "localhost", expected: "read 200" },
		{ rule: "a label glob: a preview deployment", host: "pr-42.preview.localhost", expected: "read 200" },
		{
			rule: "a label glob never spans a dot",
			host: "pr-42.evil.preview.localhost",
			expected: "blocked MissingAllowOriginHeader",
		},
		{ rule: "a host no pattern names", host: "evil.localhost", expected: "blocked MissingAllowOriginHeader" },
	])("$rule ($host)", async ({ host, expected }) => {
		const origin = `http://${host}:${port}`;
		const path = uniquePath("patterns");
		const outcome = await session.fetch(origin, path);
		expect(summary(outcome)).toBe(expected);
		const received = await upstreamReceived(path);
		expect(received).toHaveLength(outcome.read ? 1 : 0);
		if (outcome.read) expect(received[0]?.headers.origin).toBe(origin);
	});
});
