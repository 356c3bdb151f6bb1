// A body of a request the gateway answers itself (a refusal, a preflight) is read and
// dropped when small, so that workerd keeps the connection (test/socket/keep-alive.test.ts
// shows it on a real socket); it is never waited for when large, endless or slow.
import { beforeAll, describe, expect, it } from "vitest";
import { DRAIN_MAX_BYTES, DRAIN_WAIT_MS } from "../../src/worker/cors/drain-body.ts";
import { DOC, ORIGIN, putAllowlist, testGateway } from "../support/gateway.ts";

const REFUSED = "https://evil.example.net";

/** A request body that records how much of it was read, and whether it was cancelled. */
function recordedBody(chunks: number, chunkBytes: number, end: "close" | "never") {
	const seen = { bytes: 0, ended: false, cancelled: false };
	let sent = 0;
	const stream = new ReadableStream<Uint8Array>(
		{
			pull(controller) {
				if (sent === chunks) {
					if (end === "close") {
						seen.ended = true;
						controller.close();
					}
					// "never": no chunk and no end, as a client that stops sending mid-body.
					return new Promise<void>(() => {});
				}
				sent += 1;
				seen.bytes += chunkBytes;
				controller.enqueue(new Uint8Array(chunkBytes));
			},
			cancel() {
				seen.cancelled = true;
			},
		},
		{ highWaterMark: 0 },
	);
	return { stream, seen };
}

interface Row {
	rule: string;
	origin: string;
	method: string;
	headers?: Record<string, string>;
	chunks: number;
	chunkBytes: number;
	end: "close" | "never";
	/** Declared with Content-Length (else streamed without one, as chunked). */
	declared: boolean;
	status: number;
	read: { ended: boolean; cancelled: boolean; bytes: number };
}

beforeAll(async () => {
	await putAllowlist(DOC);
});

describe("a body the gateway does not need is read only when small and prompt", () => {
	it.each<Row>([
		{
			rule: "a refusal reads a small body to its end before answering",
			origin: REFUSED,
			method: "POST",
			chunks: 1,
			chunkBytes: 7,
			end: "close",
			declared: true,
			status: 403,
			read: { ended: true, cancelled: false, bytes: 7 },
		},
		{
			rule: "a refusal reads a streamed (chunked) body of several parts up to the bound",
			origin: REFUSED,
			method: "PUT",
			chunks: 4,
			chunkBytes: DRAIN_MAX_BYTES / 4,
			end: "close",
			declared: false,
			status: 403,
			read: { ended: true, cancelled: false, bytes: DRAIN_MAX_BYTES },
		},
		{
			rule: "a refusal stops reading a streamed body past the bound and cancels it",
			origin: REFUSED,
			method: "PUT",
			chunks: 8,
			chunkBytes: DRAIN_MAX_BYTES / 4,
			end: "close",
			declared: false,
			status: 403,
			read: { ended: false, cancelled: true, bytes: DRAIN_MAX_BYTES + DRAIN_MAX_BYTES / 4 },
		},
		{
			rule: "a refusal never reads a body declared larger than the bound",
			origin: REFUSED,
			method: "POST",
			chunks: 2,
			chunkBytes: DRAIN_MAX_BYTES,
			end: "close",
			declared: true,
			status: 403,
			read: { ended: false, cancelled: false, bytes: 0 },
		},
		{
			rule: "an approved preflight reads a small body too",
			origin: ORIGIN,
			method: "OPTIONS",
			headers: { "access-control-request-method": "PUT" },
			chunks: 1,
			chunkBytes: 16,
			end: "close",
			declared: true,
			status: 204,
			read: { ended: true, cancelled: false, bytes: 16 },
		},
	])("$rule", async ({ origin, method, headers, chunks, chunkBytes, end, declared, status, read }) => {
		const { stream, seen } = recordedBody(chunks, chunkBytes, end);
		const length: Record<string, string> = declared ? { "content-length": String(chunks * chunkBytes) } : {};
		const gateway = testGateway();
		const res = await gateway.fetch("/api/drain", {
			method,
			headers: { origin, ...headers, ...length },
			body: stream,
			// @ts-expect-error workerd's RequestInit takes a streamed body without `duplex`.
			duplex: "half",
		});
		expect(res.status).toBe(status);
		expect(seen).toEqual(read);
	});

	it("a body that stops arriving delays the refusal by the wait bound at most, never hangs it", async () => {
		const { stream, seen } = recordedBody(1, 7, "never");
		const started = Date.now();
		const res = await testGateway().fetch("/api/drain", {
			method: "POST",
			headers: { origin: REFUSED },
			body: stream,
		});
		expect(res.status).toBe(403);
		expect(seen).toMatchObject({ bytes: 7, ended: false });
		// A liveness bound, not a timing claim: far above DRAIN_WAIT_MS, far below a hang.
		expect(Date.now() - started).toBeLessThan(DRAIN_WAIT_MS * 10);
	});
});
