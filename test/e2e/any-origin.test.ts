// "*" admits every serialized origin, and the opaque origin of a sandboxed page only when
// "null" is listed too (docs/SPEC.md). Allowlists: ANY_ORIGIN, then ANY_ORIGIN_AND_NULL.
import { beforeAll, describe, expect, it } from "vitest";
import { type AllowlistDocument, ANY_ORIGIN, ANY_ORIGIN_AND_NULL } from "./support/allowlists.ts";
import { type BrowserSession, summary, uniquePath, useBrowser } from "./support/browser.ts";
import { refusalsLogged } from "./support/gateway-log.ts";
import { ORIGIN } from "./support/origins.ts";
import { upstreamReceived } from "./support/upstream.ts";
import { useAllowlist } from "./support/use-allowlist.ts";

const browser = useBrowser();

describe.each([
	{ name: '"*" alone', doc: ANY_ORIGIN, sandboxed: "blocked MissingAllowOriginHeader" },
	{ name: '"*" and "null"', doc: ANY_ORIGIN_AND_NULL, sandboxed: "read 200" },
] satisfies { name: string; doc: AllowlistDocument; sandboxed: string }[])("$name", ({ doc, sandboxed }) => {
	let session: BrowserSession;
	beforeAll(async () => {
		await useAllowlist(doc);
		session = await browser.newSession();
	});

	it.each([
		{ rule: "any serialized origin reads the answer", origin: ORIGIN.evil, sent: ORIGIN.evil, expected: "read 200" },
		{ rule: "a sandboxed page (Origin: null)", origin: ORIGIN.sandboxed, sent: "null", expected: sandboxed },
	])("$rule", async ({ origin, sent, expected }) => {
		const path = uniquePath("any-origin");
		const outcome = await session.fetch(origin, path);
		expect(summary(outcome)).toBe(expected);
		const received = await upstreamReceived(path);
		if (outcome.read) {
			expect(received).toHaveLength(1);
			expect(received[0]?.headers.origin).toBe(sent);
		} else {
			// Refused by the gateway itself: the sandboxed page's request never reached the upstream.
			expect(received).toHaveLength(0);
			expect(await refusalsLogged(path)).toEqual([
				{ reason: "origin-not-allowed", detail: "null", method: "GET", route: null },
			]);
		}
	});
});
