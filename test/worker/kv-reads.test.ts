// Steady state makes no KV read per request (docs/PERFORMANCE.md): the gateway is handed
// an env whose ALLOWLIST is the real local KV binding behind a proxy that counts reads.
import { beforeEach, describe, expect, it } from "vitest";
import { countingKv, DOC, ORIGIN, putAllowlist, testGateway } from "../support/gateway.ts";

// One row per kind of request the gateway answers, with the status it must give.
const REQUESTS: { name: string; status: number; init: RequestInit }[] = [
	{ name: "allowed origin, forwarded", status: 200, init: { headers: { origin: ORIGIN } } },
	{
		name: "approved preflight",
		status: 204,
		init: {
			method: "OPTIONS",
			headers: { origin: ORIGIN, "access-control-request-method": "PUT", "access-control-request-headers": "x-custom" },
		},
	},
	{ name: "refused origin", status: 403, init: { headers: { origin: "https://evil.example.net" } } },
	{ name: "no Origin, forwarded", status: 200, init: {} },
];

const ROUNDS = 50;

beforeEach(async () => {
	await putAllowlist(DOC);
});

describe("KV reads per request", () => {
	it(`the first request reads the allowlist once; the next ${ROUNDS * REQUESTS.length} requests read nothing`, async () => {
		const { kv, counter } = countingKv();
		// The default refresh interval: no refresh falls due while the test runs.
		const gateway = testGateway({ ALLOWLIST: kv, ALLOWLIST_REFRESH_SECONDS: "30" });
		expect((await gateway.fetch("/echo", { headers: { origin: ORIGIN } })).status).toBe(200);
		expect(counter.reads).toBe(1);
		for (let round = 0; round < ROUNDS; round++) {
			for (const request of REQUESTS) {
				const res = await gateway.fetch("/echo", request.init);
				await res.arrayBuffer();
				expect(res.status, request.name).toBe(request.status);
			}
		}
		expect(counter.reads).toBe(1);
	});

	it("the counter sees the gateway's reads: with ALLOWLIST_REFRESH_SECONDS=0 every request re-reads KV", async () => {
		const { kv, counter } = countingKv();
		const gateway = testGateway({ ALLOWLIST: kv, ALLOWLIST_REFRESH_SECONDS: "0" });
		for (const request of REQUESTS) {
			const res = await gateway.fetch("/echo", request.init);
			await res.arrayBuffer();
			expect(res.status, request.name).toBe(request.status);
		}
		// The first request's load, then one background refresh per later request.
		expect(counter.reads).toBe(REQUESTS.length);
	});
});
