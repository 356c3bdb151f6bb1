// Fault injection end to end, through the gateway inside workerd: KV that throws or hangs
// (a wrapper around the real binding, since real KV cannot be made to fail), allowlist
// documents that are broken or huge (in the real local KV), and an upstream (the real
// Node server of test/support) that refuses, resets, stalls, streams or errors.
// In every case: a clear status, CORS headers only for allowed origins, nothing wider than
// the policy, and the same gateway (same isolate state) goes on serving afterwards.
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, inject, it } from "vitest";
import {
	abortedUpstream,
	countingKv,
	DOC,
	kvHangs,
	kvThrows,
	newTag,
	ORIGIN,
	putAllowlist,
	received,
	type TestGateway,
	testGateway,
	upstreamProgress,
} from "../support/gateway.ts";

const EVIL = "https://evil.example.net";
const upstream = inject("upstreamUrl");
/** Longer than the worker project's ALLOWLIST_REFRESH_SECONDS (1 s). */
const PAST_REFRESH_MS = 1_100;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeEach(async () => {
	await putAllowlist(DOC);
});

/** The gateway still answers normally: allowed origin forwarded, others refused. */
async function expectServing(gateway: TestGateway): Promise<void> {
	const ok = await gateway.fetch("/echo/alive", { headers: { origin: ORIGIN } });
	expect(ok.status, JSON.stringify(gateway.logs.at(-1))).toBe(200);
	expect(ok.headers.get("access-control-allow-origin")).toBe(ORIGIN);
	await ok.arrayBuffer();
	const refused = await gateway.fetch("/echo/alive", { headers: { origin: EVIL } });
	expect(refused.status).toBe(403);
	expect(refused.headers.has("access-control-allow-origin")).toBe(false);
}

/** No valid allowlist: cross-origin refused with reason no-allowlist; non-CORS still forwarded. */
async function expectFailClosed(gateway: TestGateway): Promise<void> {
	for (const origin of [ORIGIN, EVIL]) {
		const res = await gateway.fetch("/echo", { headers: { origin } });
		expect(res.status).toBe(403);
		expect(res.headers.has("access-control-allow-origin")).toBe(false);
		expect(res.headers.get("cors-gateway-reason")).toMatch(/^no-allowlist: /);
	}
	const pre = await gateway.fetch("/echo", {
		method: "OPTIONS",
		headers: { origin: ORIGIN, "access-control-request-method": "GET" },
	});
	expect(pre.status).toBe(403);
	const plain = await gateway.fetch("/echo");
	expect(plain.status).toBe(200);
	expect(plain.headers.has("access-control-allow-origin")).toBe(false);
}

describe("KV reads that throw or hang", () => {
	it.each([
		["throws", kvThrows, "KV is down"],
		["hangs (bounded by the 5 s read timeout)", kvHangs, "KV read timed out after 5000 ms"],
	])(
		"a cold isolate whose KV read %s refuses cross-origin requests and logs why",
		async (_case, fault, reason) => {
			const { kv } = countingKv(fault);
			const gateway = testGateway({ ALLOWLIST: kv, CORS_DEBUG: "true" });
			await expectFailClosed(gateway);
			expect(gateway.logs).toContainEqual(
				expect.objectContaining({
					event: "allowlist-read-failed",
					reason,
					keeping: "nothing: cross-origin requests refused",
				}),
			);
		},
		20_000,
	);

	it("a cold isolate whose KV read failed serves again within 1 s of KV recovering", async () => {
		const { kv, counter } = countingKv(kvThrows);
		const gateway = testGateway({ ALLOWLIST: kv, CORS_DEBUG: "true" });
		await expectFailClosed(gateway);
		await sleep(300);
		counter.fault = undefined;
		const recovered = Date.now();
		let status = 0;
		while (status !== 200 && Date.now() - recovered < 6_000) {
			await sleep(20);
			const res = await gateway.fetch("/echo", { headers: { origin: ORIGIN } });
			await res.arrayBuffer();
			status = res.status;
		}
		expect(status).toBe(200);
		// The retry starts within 1 s; the margin is for a loaded machine, not the design.
		expect(Date.now() - recovered).toBeLessThan(1_500);
		await expectServing(gateway);
	});

	it.each([
		["throws", kvThrows],
		["hangs", kvHangs],
	])(
		"after a valid load, a refresh whose read %s keeps the last valid policy",
		async (_case, fault) => {
			const { kv, counter } = countingKv();
			const gateway = testGateway({ ALLOWLIST: kv });
			await expectServing(gateway);
			counter.fault = fault;
			await sleep(PAST_REFRESH_MS);
			// This request is served from the isolate at once; its background refresh fails.
			await expectServing(gateway);
			expect(counter.reads).toBe(2);
			expect(gateway.logs).toContainEqual(
				expect.objectContaining({ event: "allowlist-read-failed", keeping: "last valid allowlist" }),
			);
			await expectServing(gateway);
		},
		20_000,
	);
});

describe("allowlist documents that are broken, or huge", () => {
	it.each([
		["malformed JSON", '{"origins": ["https://app.example.com"', "json-syntax"],
		["an invalid document", JSON.stringify({ origins: ["https://app.example.com/"] }), "origin-has-path"],
		["an empty value", "", "json-syntax"],
		["a JSON value that is not an object", "[]", "document-not-object"],
		["binary garbage", "\u0000\u00ff\ufffd{", "json-syntax"],
	])("%s on a cold isolate: cross-origin requests refused, the problem logged", async (_case, text, rule) => {
		await putAllowlist(text);
		const gateway = testGateway({ CORS_DEBUG: "true" });
		await expectFailClosed(gateway);
		expect(gateway.logs).toContainEqual(
			expect.objectContaining({ event: "allowlist-invalid", problems: [expect.stringContaining(`[${rule}]`)] }),
		);
	});

	it("an invalid and wider document after a valid one is ignored; the last valid one stays", async () => {
		const gateway = testGateway();
		await expectServing(gateway);
		await putAllowlist({ origins: ["*"], credentials: true });
		await sleep(PAST_REFRESH_MS);
		await expectServing(gateway); // starts the refresh that reads the bad document
		await expectServing(gateway);
		expect(gateway.logs).toContainEqual(
			expect.objectContaining({ event: "allowlist-invalid", effect: "ignored; serving the last valid allowlist" }),
		);
	});

	/** A valid document of about `mib` MiB: `n` exact origins, then the test's ORIGIN. */
	function hugeDocument(mib: number): { text: string; last: string } {
		const origins: string[] = [];
		let size = 0;
		for (let i = 0; size < mib * 1024 * 1024; i++) {
			const origin = `https://tenant-${String(i).padStart(7, "0")}.customers.example.net`;
			origins.push(origin);
			size += origin.length + 3;
		}
		return { text: JSON.stringify({ ...DOC, origins: [...origins, ORIGIN] }), last: origins.at(-1) as string };
	}

	it("a valid document near the 25 MiB KV limit loads and is matched exactly", async () => {
		const { text, last } = hugeDocument(24);
		expect(text.length).toBeGreaterThan(24 * 1024 * 1024);
		await putAllowlist(text);
		const gateway = testGateway();
		await expectServing(gateway);
		const res = await gateway.fetch("/echo", { headers: { origin: last } });
		expect(res.headers.get("access-control-allow-origin")).toBe(last);
		const near = await gateway.fetch("/echo", { headers: { origin: `${last}.evil.net` } });
		expect(near.status).toBe(403);
	}, 60_000);

	it("an invalid document of 24 MiB is refused with the one faulty entry named", async () => {
		const { text } = hugeDocument(24);
		const broken = text.replace('"https://tenant-0300000.customers', '"https://tenant-0300000.customers/path');
		await putAllowlist(broken);
		const gateway = testGateway();
		const res = await gateway.fetch("/echo", { headers: { origin: ORIGIN } });
		expect(res.status).toBe(403);
		expect(gateway.logs).toContainEqual(
			expect.objectContaining({
				event: "allowlist-invalid",
				problems: [expect.stringMatching(/^origins\[300000\]: .*\[origin-has-path\]$/)],
			}),
		);
	}, 60_000);

	it("a value past 25 MiB never reaches the gateway: KV refuses to store it", async () => {
		const tooBig = `{"origins":["${"a".repeat(25 * 1024 * 1024)}"]}`;
		await expect(env.ALLOWLIST.put("allowlist", tooBig)).rejects.toThrow();
		await expectServing(testGateway());
	}, 60_000);
});

describe("an upstream that fails", () => {
	it.each([
		["resets the connection before answering", "/reset", 502],
		["does not send headers within UPSTREAM_TIMEOUT_MS", "/slow?ms=3000", 504],
		["answers 500", "/status/500", 500],
		["answers 502", "/status/502", 502],
		["answers 503", "/status/503", 503],
		["answers 504", "/status/504", 504],
	])("%s (%s): %i, with CORS headers for an allowed origin only", async (_case, path, status) => {
		const gateway = testGateway({ UPSTREAM_TIMEOUT_MS: "500" });
		const allowed = await gateway.fetch(path, { headers: { origin: ORIGIN } });
		expect(allowed.status).toBe(status);
		expect(allowed.headers.get("access-control-allow-origin")).toBe(ORIGIN);
		expect(allowed.headers.get("vary")).toContain("Origin");
		await allowed.arrayBuffer();
		const tag = newTag();
		const refused = await gateway.fetch(path, { headers: { origin: EVIL, "x-test-tag": tag } });
		expect(refused.status).toBe(403);
		expect(refused.headers.has("access-control-allow-origin")).toBe(false);
		expect(await received(tag)).toEqual([]);
		await expectServing(gateway);
	});

	it("refuses connections: 502, and the gateway keeps serving other routes", async () => {
		const gateway = testGateway({ ROUTES: JSON.stringify({ "/down": inject("unreachableUrl") }) });
		const res = await gateway.fetch("/down/x", { headers: { origin: ORIGIN } });
		expect(res.status).toBe(502);
		expect(res.headers.get("access-control-allow-origin")).toBe(ORIGIN);
		expect(gateway.logs).toContainEqual(expect.objectContaining({ event: "upstream-error", status: 502 }));
		await expectServing(gateway);
	});

	it("resets mid-body: the client sees the body fail, not a silently short answer", async () => {
		const gateway = testGateway();
		const res = await gateway.fetch("/reset?after=65536", { headers: { origin: ORIGIN } });
		expect(res.status).toBe(200);
		expect(res.headers.get("access-control-allow-origin")).toBe(ORIGIN);
		await expect(res.arrayBuffer()).rejects.toThrow();
		await expectServing(gateway);
	});
});

describe("bodies are streamed, never buffered", () => {
	it("the first bytes reach the client while the upstream is still holding back the rest", async () => {
		const id = newTag();
		const gateway = testGateway();
		const res = await gateway.fetch(`/stream?chunks=16&size=1024&id=${id}&gate=1`, { headers: { origin: ORIGIN } });
		expect(res.headers.get("access-control-allow-origin")).toBe(ORIGIN);
		const reader = (res.body as ReadableStream<Uint8Array>).getReader();
		// A buffering gateway would wait for the end of the body, which the gate withholds.
		const first = await Promise.race([reader.read(), sleep(5_000).then(() => "timed out" as const)]);
		expect(first).not.toBe("timed out");
		expect(await upstreamProgress(id)).toEqual({ bytesWritten: 1024, finished: false, aborted: false });
		await fetch(`${upstream}/__release?id=${id}`, { method: "POST" });
		let total = (first as ReadableStreamReadResult<Uint8Array>).value?.length ?? 0;
		for (let r = await reader.read(); !r.done; r = await reader.read()) total += r.value.length;
		expect(total).toBe(16 * 1024);
		expect((await upstreamProgress(id))?.finished).toBe(true);
	}, 20_000);

	it("256 MiB stream through with backpressure: an unread response holds the upstream back", async () => {
		const id = newTag();
		const chunks = 4096;
		const size = 64 * 1024;
		const gateway = testGateway();
		const res = await gateway.fetch(`/stream?chunks=${chunks}&size=${size}&id=${id}`, { headers: { origin: ORIGIN } });
		expect(res.status).toBe(200);
		// Nobody reads yet: only socket and pipe buffers fill, a few MiB, never the 256 MiB.
		await sleep(500);
		const held = await upstreamProgress(id);
		expect(held?.finished).toBe(false);
		expect(held?.bytesWritten).toBeLessThan(64 * 1024 * 1024);
		let total = 0;
		for await (const part of res.body as ReadableStream<Uint8Array>) total += part.length;
		expect(total).toBe(chunks * size);
		expect((await upstreamProgress(id))?.finished).toBe(true);
		await expectServing(gateway);
	}, 120_000);

	it("a client that goes away mid-body releases the upstream", async () => {
		const id = newTag();
		const gateway = testGateway();
		const res = await gateway.fetch(`/stream?chunks=8192&size=65536&id=${id}`, { headers: { origin: ORIGIN } });
		const reader = (res.body as ReadableStream<Uint8Array>).getReader();
		await reader.read();
		await reader.cancel();
		expect(await abortedUpstream(id)).toMatchObject({ finished: false, aborted: true });
		await expectServing(gateway);
	}, 20_000);
});
