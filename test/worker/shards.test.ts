// A sharded allowlist end to end inside workerd, over the real local KV namespace: the
// document names a versioned shard set, the gateway reads only the shards requests need.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { shardKey, shardOf } from "../../src/shards/layout.ts";
import { planShards } from "../../src/shards/plan.ts";
import { AllowlistStore } from "../../src/worker/store/allowlist-store.ts";
import { actionFor, countingKv, failingKey, preflightStatus, publishPlan, testGateway } from "../support/gateway.ts";

const TENANTS = 20_000;
const tenant = (i: number) => `https://tenant-${i}.platform.example`;
const WILDCARDS = ["https://*.customers.example", "http://*.dev.team.example:8080"];
const SETTINGS = { methods: ["GET", "HEAD", "POST", "PUT"], headers: ["x-custom"], maxAge: 600 };

/** Publishes like the command line: shards and filter under new keys, then the document. */
async function publish(keys: string[], version: string, inline: string[] = []) {
	const plan = planShards(keys, version, 0x5eed + version.length);
	await publishPlan(plan, { origins: inline, ...SETTINGS });
	return plan;
}

function get(origin: string, init: RequestInit = {}) {
	return { url: "/api/orders", init: { ...init, headers: { origin, ...init.headers } } };
}

async function status(gw: ReturnType<typeof testGateway>, origin: string, init: RequestInit = {}) {
	const { url, init: i } = get(origin, init);
	const res = await gw.fetch(url, i);
	await res.arrayBuffer();
	return res;
}

let plan: Awaited<ReturnType<typeof publish>>;
beforeAll(async () => {
	// Patterns stay inline beside the shards (docs/LARGE-ALLOWLISTS.md).
	plan = await publish([...Array.from({ length: TENANTS }, (_, i) => tenant(i)), ...WILDCARDS], "v1", [
		"https://inline.example",
		"http://localhost:*",
		"https://pr-*.preview.example",
	]);
});

describe("a sharded allowlist decides like an inline one", () => {
	it.each([
		["an exact origin held in a shard", tenant(12_345), 200],
		["the first and the last tenant", tenant(0), 200],
		["another", tenant(TENANTS - 1), 200],
		["a wildcard held in a shard", "https://a.b.customers.example", 200],
		["a wildcard with its port", "http://x.dev.team.example:8080", 200],
		["an origin listed inline beside the shards", "https://inline.example", 200],
		["any port, listed inline beside the shards", "http://localhost:5173", 200],
		["a label glob, listed inline beside the shards", "https://pr-42.preview.example", 200],
		["a label glob's * never spans a dot", "https://pr-4.2.preview.example", 403],
		["an unlisted origin", "https://tenant-x.platform.example", 403],
		["the apex of a sharded wildcard", "https://customers.example", 403],
		["a wildcard's port differs", "http://x.dev.team.example:8081", 403],
		["another scheme", "http://tenant-1.platform.example", 403],
		["a look-alike suffix", "https://tenant-1.platform.example.evil.example", 403],
	])("%s: %s → %d", async (_rule, origin, expected) => {
		const res = await status(testGateway(), origin);
		expect(res.status).toBe(expected);
		expect(res.headers.get("access-control-allow-origin")).toBe(expected === 200 ? origin : null);
		expect(res.headers.get("vary")).toContain("Origin");
	});

	it("approves a preflight for a sharded origin, with the document's settings", async () => {
		const res = await testGateway().fetch("/api/orders", {
			method: "OPTIONS",
			headers: {
				origin: tenant(7),
				"access-control-request-method": "PUT",
				"access-control-request-headers": "x-custom",
			},
		});
		expect(res.status).toBe(204);
		expect(res.headers.get("access-control-allow-origin")).toBe(tenant(7));
		expect(res.headers.get("access-control-allow-methods")).toBe("GET, HEAD, POST, PUT");
	});
});

describe("KV reads", () => {
	it("reads the document and filter once, then one shard per shard needed; cached shards cost nothing", async () => {
		const { kv, counter } = countingKv();
		const gw = testGateway({ ALLOWLIST: kv });
		expect((await status(gw, tenant(1))).status).toBe(200);
		expect(counter.keys).toEqual([
			"allowlist",
			"allowlist/v1/filter",
			shardKey("v1", shardOf(tenant(1), plan.manifest)),
		]);
		counter.keys.length = 0;
		// The same shard again, and an origin whose shard is now cached: no reads at all.
		const sameShard = Array.from({ length: TENANTS }, (_, i) => tenant(i)).find(
			(o, i) => i > 1 && shardOf(o, plan.manifest) === shardOf(tenant(1), plan.manifest),
		) as string;
		for (const origin of [tenant(1), sameShard, tenant(1)]) expect((await status(gw, origin)).status).toBe(200);
		expect(counter.keys).toEqual([]);
	});

	it("a flood of random unknown origins costs almost no KV reads, even when the shard cache holds one shard", async () => {
		const { kv, counter } = countingKv();
		// A cache that keeps only the newest shard: without the filter, every refusal would read one.
		const store = new AllowlistStore(kv, { refreshMs: 60_000, log: () => {}, shardCacheBytes: 1 });
		const n = 5000;
		let reads = 0;
		for (let i = 0; i < n; i++) {
			const origin = `https://r${i}-${Math.random().toString(36).slice(2)}.platform.example`;
			const before = counter.reads;
			expect(await actionFor(await store.policy(() => {}), origin)).toBe("refuse");
			reads += counter.reads - before;
		}
		// Reads: the document and filter once, then only the filter's false positives (0.1%
		// per lookup key, two keys per origin here): about 10 expected; 50 is 1% of requests.
		expect(reads).toBeLessThan(50);
		// Origins that are listed still read their shard, and are admitted.
		expect(await actionFor(await store.policy(() => {}), tenant(42))).toBe("forward");
	});
});

describe("faults never widen access", () => {
	it("a shard that cannot be read refuses its origins, then is retried", async () => {
		const index = shardOf(tenant(3), plan.manifest);
		const { kv, counter } = countingKv(failingKey(shardKey("v1", index)));
		const gw = testGateway({ ALLOWLIST: kv });
		const refused = await status(gw, tenant(3));
		expect(refused.status).toBe(403);
		expect(gw.logs).toContainEqual(expect.objectContaining({ event: "allowlist-shard-read-failed" }));
		expect(gw.logs).toContainEqual(expect.objectContaining({ event: "cors-refused", reason: "allowlist-unavailable" }));
		counter.fault = undefined;
		expect((await status(gw, tenant(3))).status).toBe(200);
	});

	it("a corrupted shard (an entry that is not canonical) refuses the origins it holds", async () => {
		const index = shardOf(tenant(5), plan.manifest);
		const key = shardKey("v1", index);
		const good = (await env.ALLOWLIST.get(key)) as string;
		try {
			await env.ALLOWLIST.put(key, `${good}\nhttps://*.com\n*`);
			const gw = testGateway();
			expect((await status(gw, tenant(5))).status).toBe(403);
			expect(gw.logs).toContainEqual(expect.objectContaining({ event: "allowlist-shard-invalid" }));
		} finally {
			await env.ALLOWLIST.put(key, good);
		}
	});

	it("a missing membership filter: no shard origin is admitted, inline ones neither (the document is not loaded)", async () => {
		await publish([tenant(1)], "v-nofilter", ["https://inline.example"]);
		await env.ALLOWLIST.delete("allowlist/v-nofilter/filter");
		try {
			const gw = testGateway();
			expect((await status(gw, tenant(1))).status).toBe(403);
			expect((await status(gw, "https://inline.example")).status).toBe(403);
			expect(gw.logs).toContainEqual(expect.objectContaining({ event: "allowlist-read-failed" }));
		} finally {
			plan = await publish([...Array.from({ length: TENANTS }, (_, i) => tenant(i)), ...WILDCARDS], "v1", [
				"https://inline.example",
			]);
		}
	});
});

describe("publishing a new version is atomic", () => {
	it("every request sees the old allowlist or the new one, never the new settings with the old shards or back", async () => {
		// v1 lists group A and allows PUT; v2 lists group B and allows DELETE instead. A mix
		// of one version's settings with the other's shards would approve a "cross" preflight.
		const groupA = Array.from({ length: 5000 }, (_, i) => `https://a-${i}.switch.example`);
		const groupB = Array.from({ length: 5000 }, (_, i) => `https://b-${i}.switch.example`);
		const publishWith = async (keys: string[], version: string, method: string) => {
			await publishPlan(planShards(keys, version, 77), { origins: [], methods: ["GET", method] });
		};
		await publishWith(groupA, "switch-1", "PUT");
		const gw = testGateway();
		const preflight = (origin: string, method: string) => preflightStatus(gw, origin, method);
		expect(await preflight(groupA[1] as string, "PUT")).toBe(204);

		const publishing = publishWith(groupB, "switch-2", "DELETE");
		let sawNew = false;
		const deadline = Date.now() + 10_000;
		for (let i = 0; !sawNew && Date.now() < deadline; i++) {
			const a = groupA[i % groupA.length] as string;
			const b = groupB[i % groupB.length] as string;
			const [newOk, crossA, crossB] = await Promise.all([
				preflight(b, "DELETE"),
				preflight(a, "DELETE"),
				preflight(b, "PUT"),
			]);
			expect([crossA, crossB], "a request mixed the two versions").toEqual([403, 403]);
			if (newOk === 204) sawNew = true;
		}
		await publishing;
		expect(sawNew, "the new version took effect within the refresh interval").toBe(true);
	});
});
