// The allowlist store inside workerd, over the real local KV namespace. Faults (reads
// that throw or hang) are injected by wrapping the real binding, since real KV has none.
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import type { AnyCorsPolicy } from "../../src/policy/index.ts";
import { CorsPolicy } from "../../src/policy/policy.ts";
import { ALLOWLIST_KEY, HISTORY_PREFIX } from "../../src/shards/layout.ts";
import { AllowlistStore } from "../../src/worker/store/allowlist-store.ts";
import { countingKv, DOC, kvHangs, kvThrows, ORIGIN, putAllowlist } from "../support/gateway.ts";

const REFRESH_MS = 30_000;

function harness(kv: KVNamespace, readTimeoutMs?: number) {
	const clock = { now: 1_000_000 };
	const logs: Record<string, unknown>[] = [];
	const pending: Promise<unknown>[] = [];
	const store = new AllowlistStore(kv, {
		refreshMs: REFRESH_MS,
		log: (e) => logs.push(e),
		now: () => clock.now,
		readTimeoutMs,
	});
	const waitUntil = (p: Promise<unknown>) => pending.push(p);
	return {
		store,
		clock,
		logs,
		pending,
		policy: async () => store.policy(waitUntil),
		settle: () => Promise.all(pending.splice(0)),
	};
}

function allows(policy: AnyCorsPolicy, origin: string): boolean {
	return (
		policy.decide({
			method: "GET",
			origin,
			requestMethod: null,
			requestHeaders: null,
			selfOrigin: "https://gw.test",
			host: "gw.test",
			path: "/",
		}).action === "forward"
	);
}

beforeEach(async () => {
	await putAllowlist(DOC);
});

describe("loading and caching", () => {
	it("the first request reads KV; steady-state requests make no KV read", async () => {
		const { kv, counter } = countingKv();
		const h = harness(kv);
		expect(allows(await h.policy(), ORIGIN)).toBe(true);
		expect(counter.reads).toBe(1);
		for (let i = 0; i < 100; i++) {
			h.clock.now += 100; // 10 s in all, within the refresh interval
			expect(h.store.policy(() => expect.fail("no refresh is due"))).toBeInstanceOf(CorsPolicy);
		}
		expect(counter.reads).toBe(1);
	});

	it("once the policy is ALLOWLIST_REFRESH_SECONDS old, one request starts a background refresh and is served the loaded policy", async () => {
		const { kv, counter } = countingKv();
		const h = harness(kv);
		const first = await h.policy();
		await putAllowlist({ ...DOC, origins: ["https://new.example.org"] });
		h.clock.now += REFRESH_MS;
		// Served synchronously from the isolate, not awaited on KV.
		expect(h.store.policy((p) => h.pending.push(p))).toBe(first);
		for (let i = 0; i < 20; i++) expect(h.store.policy((p) => h.pending.push(p))).toBe(first);
		expect(h.pending).toHaveLength(1); // at most one refresh at a time
		await h.settle();
		expect(counter.reads).toBe(2);
		const next = await h.policy();
		expect(allows(next, "https://new.example.org")).toBe(true);
		expect(allows(next, ORIGIN)).toBe(false);
	});

	it("history entries (allowlist/history/…, written by the command line) never change what is served", async () => {
		await env.ALLOWLIST.put(
			`${HISTORY_PREFIX}8233159199999-3f9a2c`,
			JSON.stringify({ origins: ["https://old.example.org"] }),
			{ metadata: { summary: "add https://new.example.org: +1 origin" } },
		);
		const { kv, counter } = countingKv();
		const policy = await harness(kv).policy();
		expect(allows(policy, ORIGIN)).toBe(true);
		expect(allows(policy, "https://old.example.org")).toBe(false);
		expect(counter.keys).toEqual([ALLOWLIST_KEY]);
	});

	it("an unchanged document is not recompiled", async () => {
		const { kv, counter } = countingKv();
		const h = harness(kv);
		const first = await h.policy();
		h.clock.now += REFRESH_MS;
		await h.policy();
		await h.settle();
		expect(counter.reads).toBe(2); // the refresh did read the document again
		expect(await h.policy()).toBe(first);
	});

	it("a lost refresh (one that never settles) does not block later ones", async () => {
		const { kv, counter } = countingKv();
		const h = harness(kv, 50);
		await h.policy();
		h.clock.now += REFRESH_MS;
		await h.policy();
		expect(h.pending).toHaveLength(1);
		h.pending.length = 0; // pretend its context was cancelled: the finally never runs
		h.clock.now += 4_999; // a started refresh defers the next by 5 s
		await h.policy();
		expect(h.pending).toHaveLength(0);
		h.clock.now += 1;
		await h.policy();
		expect(h.pending).toHaveLength(1);
		await h.settle();
		expect(counter.reads).toBe(3);
	});
});

describe("failures never widen access", () => {
	it("no document under the key: cross-origin requests refused, logged", async () => {
		await env.ALLOWLIST.delete(ALLOWLIST_KEY);
		const h = harness(env.ALLOWLIST);
		expect(allows(await h.policy(), ORIGIN)).toBe(false);
		expect(h.logs).toContainEqual(expect.objectContaining({ event: "allowlist-missing" }));
	});

	it.each([
		["malformed JSON", '{"origins": ["https://app.example.com"'],
		["an invalid document", JSON.stringify({ origins: ["https://app.example.com/"] })],
		["an empty value", ""],
		["an unknown field", JSON.stringify({ ...DOC, allowAll: true })],
	])("%s with none valid before: refused, logged with its reason", async (_case, text) => {
		await putAllowlist(text);
		const h = harness(env.ALLOWLIST);
		expect(allows(await h.policy(), ORIGIN)).toBe(false);
		expect(h.logs).toEqual([expect.objectContaining({ event: "allowlist-invalid", problems: [expect.any(String)] })]);
	});

	it("an invalid document after a valid one: ignored, the last valid one stays", async () => {
		const h = harness(env.ALLOWLIST);
		expect(allows(await h.policy(), ORIGIN)).toBe(true);
		// Invalid *and* wider: must not take effect.
		await putAllowlist({ origins: ["*"], credentials: true });
		h.clock.now += REFRESH_MS;
		await h.policy();
		await h.settle();
		const policy = await h.policy();
		expect(allows(policy, ORIGIN)).toBe(true);
		expect(allows(policy, "https://evil.example.net")).toBe(false);
		expect(h.logs).toContainEqual(
			expect.objectContaining({ event: "allowlist-invalid", effect: "ignored; serving the last valid allowlist" }),
		);
	});

	it("a KV read that throws on a cold isolate: refused, logged, retried soon after", async () => {
		const { kv, counter } = countingKv(kvThrows);
		const h = harness(kv);
		expect(allows(await h.policy(), ORIGIN)).toBe(false);
		expect(h.logs).toContainEqual(expect.objectContaining({ event: "allowlist-read-failed", reason: "KV is down" }));
		counter.fault = undefined;
		h.clock.now += 5_000;
		await h.policy(); // starts the retry in the background
		await h.settle();
		expect(allows(await h.policy(), ORIGIN)).toBe(true);
		expect(counter.reads).toBe(2);
	});

	it("with nothing valid loaded, retries back off from 100 ms to 1 s, one read each, however many requests", async () => {
		const { kv, counter } = countingKv(kvThrows);
		const h = harness(kv);
		expect(allows(await h.policy(), ORIGIN)).toBe(false);
		const gaps: number[] = [];
		let last = h.clock.now;
		for (let ms = 0; ms < 4_500; ms += 10) {
			h.clock.now += 10;
			const before = counter.reads;
			for (let i = 0; i < 5; i++) expect(allows(await h.policy(), ORIGIN)).toBe(false);
			await h.settle();
			if (counter.reads > before) {
				expect(counter.reads).toBe(before + 1);
				gaps.push(h.clock.now - last);
				last = h.clock.now;
			}
		}
		expect(gaps).toEqual([100, 200, 400, 800, 1_000, 1_000, 1_000]);
	});

	it("with nothing valid loaded, KV recovering is served at the next retry, within 1 s", async () => {
		const { kv, counter } = countingKv(kvThrows);
		const h = harness(kv);
		for (let i = 0; i < 20; i++) {
			h.clock.now += 1_000;
			await h.policy();
			await h.settle();
		}
		counter.fault = undefined;
		const recovered = h.clock.now;
		// Each step: a request (which may start a retry), the retry's read done, then the next request.
		for (;;) {
			await h.policy();
			await h.settle();
			if (allows(await h.policy(), ORIGIN) || h.clock.now - recovered >= 10_000) break;
			h.clock.now += 10;
		}
		expect(h.clock.now - recovered).toBeLessThanOrEqual(1_000);
	});

	it("a cold isolate's concurrent first requests start at most 2 reads; the rest wait for their result", async () => {
		const { kv, counter } = countingKv();
		const h = harness(kv);
		const policies = await Promise.all(Array.from({ length: 20 }, () => h.policy()));
		expect(counter.reads).toBe(2);
		for (const policy of policies) expect(allows(policy, ORIGIN)).toBe(true);
	});

	it("a cold isolate whose reads hang: at most 2 in flight; the waiting requests give up at the read timeout", async () => {
		const { kv, counter } = countingKv(kvHangs);
		const h = harness(kv, 100);
		const policies = await Promise.all(Array.from({ length: 10 }, () => h.policy()));
		expect(counter.reads).toBe(2);
		for (const policy of policies) expect(allows(policy, ORIGIN)).toBe(false);
	});

	it("a KV read that throws after a valid load: the last valid policy stays", async () => {
		const { kv, counter } = countingKv();
		const h = harness(kv);
		const first = await h.policy();
		counter.fault = kvThrows;
		h.clock.now += REFRESH_MS;
		await h.policy();
		await h.settle();
		expect(counter.reads).toBe(2);
		expect(h.logs).toContainEqual(
			expect.objectContaining({ event: "allowlist-read-failed", keeping: "last valid allowlist" }),
		);
		expect(await h.policy()).toBe(first);
	});

	it("a KV read that hangs is bounded by the read timeout", async () => {
		const { kv } = countingKv(kvHangs);
		const h = harness(kv, 100);
		const policy = await h.policy();
		expect(allows(policy, ORIGIN)).toBe(false);
		expect(h.logs).toContainEqual(
			expect.objectContaining({ event: "allowlist-read-failed", reason: "KV read timed out after 100 ms" }),
		);
	});
});
