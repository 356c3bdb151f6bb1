// An allowlist change written to KV (`wrangler kv key put`, as a user would) takes effect on
// the running gateway within ALLOWLIST_REFRESH_SECONDS, without a restart, and an invalid
// document never widens access.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import { writeAllowlist } from "./support/allowlist-kv.ts";
import { type AllowlistDocument, BASE } from "./support/allowlists.ts";
import { BrowserSession, connectBrowser, summary, uniquePath } from "./support/browser.ts";
import { gatewayLog } from "./support/gateway-log.ts";
import { ORIGIN } from "./support/origins.ts";
import { useAllowlist } from "./support/use-allowlist.ts";

const { persistDir, refreshSeconds } = inject("e2e");
/**
 * README: "npm run dev picks it up within the refresh interval". The refresh runs in the
 * background of the first request after it is due, so the request after that one decides
 * by the new document: allow one poll and the KV read on top of the interval.
 */
const POLL_INTERVAL_MS = 100;
const BOUND_MS = refreshSeconds * 1_000 + 1_000;
const READ = "read 200";
const REFUSED = "blocked MissingAllowOriginHeader";

let browser: Browser;
let session: BrowserSession;

beforeAll(async () => {
	await useAllowlist(BASE);
	browser = await connectBrowser();
	session = await BrowserSession.start(browser);
});
afterAll(async () => {
	await session?.close();
	await browser?.close();
	await useAllowlist(BASE);
});

const fetchFrom = async (origin: string) => summary(await session.fetch(origin, uniquePath("allowlist-change")));

/** Writes `doc` to KV, then polls from `origin`'s page; resolves with ms from the write to the first `expected` outcome. */
async function changeAndWait(doc: AllowlistDocument, origin: string, expected: string): Promise<number> {
	const { writtenAt } = await writeAllowlist(persistDir, doc);
	for (;;) {
		const outcome = await fetchFrom(origin);
		const elapsed = Date.now() - writtenAt;
		if (outcome === expected) return elapsed;
		if (elapsed > BOUND_MS + 10_000) throw new Error(`still "${outcome}" ${elapsed} ms after the write`);
		await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
	}
}

const readyLines = async () => (await gatewayLog()).split("\n").filter((line) => line.includes("Ready on")).length;

it("an origin added to KV is allowed, then removed again refused, within the refresh bound, without a restart", async () => {
	const starts = await readyLines();
	expect(await fetchFrom(ORIGIN.partner)).toBe(REFUSED);

	const added = await changeAndWait({ ...BASE, origins: [...BASE.origins, ORIGIN.partner] }, ORIGIN.partner, READ);
	expect(added).toBeLessThanOrEqual(BOUND_MS);
	expect(await fetchFrom(ORIGIN.app)).toBe(READ);

	const removed = await changeAndWait(BASE, ORIGIN.partner, REFUSED);
	expect(removed).toBeLessThanOrEqual(BOUND_MS);
	expect(await fetchFrom(ORIGIN.app)).toBe(READ);

	// Same wrangler dev process and Worker all along: it never reloaded.
	expect(await readyLines()).toBe(starts);
	console.log(`allowlist change in force after ${added} ms (added), ${removed} ms (removed); bound ${BOUND_MS} ms`);
});

it("an invalid document in KV never widens access: the last valid one stays in force", async () => {
	const invalidEvents = async () =>
		(await gatewayLog()).split("\n").filter((l) => l.includes('"allowlist-invalid"')).length;
	const before = await invalidEvents();
	// Every origin with credentials: refused by validation, and it would open everything.
	await writeAllowlist(persistDir, { ...BASE, origins: ["*", ORIGIN.partner], credentials: true });
	const deadline = Date.now() + BOUND_MS + 10_000;
	while ((await invalidEvents()) === before) {
		if (Date.now() > deadline) throw new Error("the gateway never reported the invalid allowlist");
		await fetchFrom(ORIGIN.app);
		await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
	}
	expect(await fetchFrom(ORIGIN.partner)).toBe(REFUSED);
	expect(await fetchFrom(ORIGIN.evil)).toBe(REFUSED);
	expect(await fetchFrom(ORIGIN.app)).toBe(READ);
});
