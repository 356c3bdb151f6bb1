// 1,000,000 origins end to end inside workerd with the real local KV namespace, generated
// at test time: published as the command line does, then served, flooded and faulted.
import { beforeAll, describe, expect, it } from "vitest";
import { shardKey, shardOf } from "../../src/shards/layout.ts";
import { planShards, type ShardPlan } from "../../src/shards/plan.ts";
import { AllowlistStore } from "../../src/worker/store/allowlist-store.ts";
import { SHARD_CACHE_BUDGET_BYTES } from "../../src/worker/store/shard-cache.ts";
import {
	actionFor,
	countingKv,
	failingKey,
	preflightStatus,
	publishPlan,
	putAllowlist,
	switchedTo,
	testGateway,
} from "../support/gateway.ts";

const N = 1_000_000;
const tenant = (i: number) => `https://tenant-${i}.platform.example`;
const WILDCARDS = ["https://*.eu.customers.example", "https://*.us.customers.example"];

let plan: ShardPlan;
beforeAll(async () => {
	const keys = Array.from({ length: N }, (_, i) => tenant(i));
	keys.push(...WILDCARDS);
	plan = planShards(keys, "million-1", 2026);
	await publishPlan(plan, { origins: ["https://inline.example"] });
}, 180_000);

describe(`${N.toLocaleString("en")} origins`, () => {
	it("are spread over 1,024 balanced shards", () => {
		expect(plan.manifest.count).toBe(1024);
		const sizes = plan.shards.map((s) => s.split("\n").length);
		// About 977 keys a shard, σ ≈ 31: the extremes of 1,024 shards lie near ±3.3σ.
		expect(Math.max(...sizes) / Math.min(...sizes)).toBeLessThan(1.35);
	});

	it("hits, misses and wildcard hits through the gateway, one shard read per shard needed", async () => {
		const { kv, counter } = countingKv();
		const gw = testGateway({ ALLOWLIST: kv });
		const cases: [string, number][] = [
			[tenant(0), 200],
			[tenant(N - 1), 200],
			[tenant(471_112), 200],
			["https://shop-9.eu.customers.example", 200],
			["https://a.b.us.customers.example", 200],
			["https://inline.example", 200],
			[tenant(N), 403],
			["https://eu.customers.example", 403],
			["https://tenant-1.platform.example.evil.example", 403],
			["http://tenant-1.platform.example", 403],
		];
		for (const [origin, expected] of cases) {
			const res = await gw.fetch("/api", { headers: { origin } });
			await res.arrayBuffer();
			expect(res.status, origin).toBe(expected);
		}
		const shardReads = counter.keys.filter((k) => k.includes("/shard/"));
		expect(new Set(shardReads).size).toBe(shardReads.length);
		for (const hit of [tenant(0), tenant(N - 1), tenant(471_112)])
			expect(shardReads).toContain(shardKey("million-1", shardOf(hit, plan.manifest)));
		counter.keys.length = 0;
		// Again: everything needed is cached now.
		for (const [origin, expected] of cases) {
			const res = await gw.fetch("/api", { headers: { origin } });
			await res.arrayBuffer();
			expect(res.status, origin).toBe(expected);
		}
		expect(counter.keys).toEqual([]);
	});

	it("a flood of 100,000 random origins: KV reads and cache memory stay within their bounds", async () => {
		const { kv, counter } = countingKv();
		const store = new AllowlistStore(kv, { refreshMs: 600_000, log: () => {} });
		const policy = await store.policy(() => {});
		const before = counter.reads;
		for (let i = 0; i < 100_000; i++) {
			const origin = `https://${Math.random().toString(36).slice(2)}.platform.example`;
			expect(await actionFor(policy, origin)).toBe("refuse");
		}
		const reads = counter.reads - before;
		// 0.1% false positives per lookup key: about 100 reads expected for 100,000 origins.
		expect(reads).toBeLessThan(300);
		const usage = (store as unknown as { shards: { usage: { bytes: number } } }).shards.usage;
		expect(usage.bytes).toBeLessThanOrEqual(SHARD_CACHE_BUDGET_BYTES);
		// Listed origins keep being admitted during and after the flood.
		expect(await actionFor(policy, tenant(123_456))).toBe("forward");
	}, 180_000);

	it("a shard that cannot be read refuses only the origins it could hold, and is retried", async () => {
		const failing = shardKey("million-1", shardOf(tenant(99), plan.manifest));
		const { kv, counter } = countingKv(failingKey(failing));
		const store = new AllowlistStore(kv, { refreshMs: 600_000, log: () => {} });
		const policy = await store.policy(() => {});
		expect(await actionFor(policy, tenant(99))).toBe("refuse");
		const elsewhere = Array.from({ length: 50 }, (_, i) => tenant(i)).find(
			(o) => shardKey("million-1", shardOf(o, plan.manifest)) !== failing,
		) as string;
		expect(await actionFor(policy, elsewhere)).toBe("forward");
		counter.fault = undefined;
		expect(await actionFor(policy, tenant(99))).toBe("forward");
	});
});

describe(`publishing a new version of ${N.toLocaleString("en")} origins`, () => {
	it("every request sees the old allowlist or the new one, never a mix, and the new one takes over", async () => {
		// v1 (above) lists tenants 0 … N−1; v2 drops tenant 0, adds tenant N, and allows DELETE
		// instead of PUT. A mix of one version's settings with the other's shards would approve
		// a "cross" preflight: tenant 0 with DELETE, or tenant N with PUT.
		await putAllowlist({ origins: ["https://inline.example"], methods: ["GET", "PUT"], shards: switchedTo(plan) });
		const gw = testGateway();
		const preflight = (origin: string, method: string) => preflightStatus(gw, origin, method);
		expect(await preflight(tenant(0), "PUT")).toBe(204);

		const next = planShards(
			Array.from({ length: N }, (_, i) => tenant(i + 1)),
			"million-2",
			2027,
		);
		const publishing = publishPlan(next, { origins: ["https://inline.example"], methods: ["GET", "DELETE"] });
		let sawNew = false;
		const deadline = Date.now() + 60_000;
		while (!sawNew && Date.now() < deadline) {
			const [newOk, crossOld, crossNew] = await Promise.all([
				preflight(tenant(N), "DELETE"),
				preflight(tenant(0), "DELETE"),
				preflight(tenant(N), "PUT"),
			]);
			expect([crossOld, crossNew], "a request mixed the two versions").toEqual([403, 403]);
			if (newOk === 204) sawNew = true;
		}
		await publishing;
		expect(sawNew, "the new version took effect").toBe(true);
		expect(await preflight(tenant(0), "PUT")).toBe(403);
	}, 180_000);
});
