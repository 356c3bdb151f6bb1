// The store under concurrent load through the real Worker entry: every request below is
// its own workerd request (its own I/O context). Sharing a pending KV read between them
// would fail with "Cannot perform I/O on behalf of a different request".
// The worker project sets ALLOWLIST_REFRESH_SECONDS=1 (vitest.config.ts).
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { DOC, GATEWAY, ORIGIN, putAllowlist } from "../support/gateway.ts";

const NEW_ORIGIN = "https://new.example.org";

function burst(origin: string, n: number): Promise<Response[]> {
	return Promise.all(
		Array.from({ length: n }, (_, i) =>
			exports.default.fetch(new Request(`${GATEWAY}/echo?i=${i}`, { headers: { origin } })),
		),
	);
}

async function statuses(responses: Response[]): Promise<number[]> {
	return Promise.all(
		responses.map(async (r) => {
			await r.arrayBuffer();
			return r.status;
		}),
	);
}

describe("the allowlist store under concurrent load", () => {
	it("a cold isolate's concurrent first requests each succeed", async () => {
		await putAllowlist(DOC);
		const responses = await burst(ORIGIN, 64);
		expect(await statuses(responses)).toEqual(Array(64).fill(200));
		for (const r of responses) expect(r.headers.get("access-control-allow-origin")).toBe(ORIGIN);
	});

	it("a change in KV takes effect within the refresh interval, while concurrent requests keep succeeding", async () => {
		await putAllowlist({ ...DOC, origins: [...DOC.origins, NEW_ORIGIN] });
		const deadline = Date.now() + 10_000;
		let seen = false;
		while (!seen && Date.now() < deadline) {
			await new Promise((resolve) => setTimeout(resolve, 250));
			// Each burst may start the one background refresh; none may fail.
			const codes = await statuses(await burst(NEW_ORIGIN, 32));
			expect(codes.every((c) => c === 200 || c === 403)).toBe(true);
			seen = codes.every((c) => c === 200);
		}
		expect(seen).toBe(true);
		// And a removal is picked up the same way.
		await putAllowlist(DOC);
		let refused = false;
		while (!refused && Date.now() < deadline + 10_000) {
			await new Promise((resolve) => setTimeout(resolve, 250));
			refused = (await statuses(await burst(NEW_ORIGIN, 32))).every((c) => c === 403);
		}
		expect(refused).toBe(true);
	});
});
