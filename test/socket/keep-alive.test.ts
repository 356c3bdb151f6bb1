// The Worker behind a real TCP listener: workerd's own HTTP server (Miniflare, a direct
// socket with no proxy in front) and Node keep-alive connections, reused request after
// request as browsers and API clients reuse them. The worker project's requests never
// cross a socket, so what an answer does to its connection shows only here. The rule
// (RFC 9112 §9.3, §9.6): a connection is kept for the next request, or given up with
// notice (`Connection: close`); never reset under a client that is still using it.
//
// workerd keeps a connection only if the request's body has been read by the time the
// answer is sent. The gateway's own answers (refusals, preflights) therefore read a body
// of up to 64 KiB first (src/worker/cors/drain-body.ts): without that, a small body sent
// after its headers, as many clients send it, cost the connection (235 of 400 refused
// POSTs closed it) and a client racing its next request into it saw a reset. A larger
// body is not read: its connection closes with notice, workerd's behaviour, which a
// Worker cannot change (it drops a `Connection` header the Worker sets).
import http from "node:http";
import type { Socket } from "node:net";
import type { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deployedGateway, deployedMiniflare } from "../../tools/deployed-gateway.ts";
import { type ScriptedUpstream, startScriptedUpstream } from "../../tools/upstream.ts";

const ALLOWED = "https://app.example.com";
const REFUSED = "https://evil.example.net";
const CONNECTIONS = 8;
const KiB = 1024;

interface Row {
	rule: string;
	method: string;
	headers: Record<string, string>;
	bodyBytes: number;
	status: number;
	/** Its connection must be reused: false where workerd may close it with notice (above). */
	keepsConnection: boolean;
	/** The body follows the headers in a write of its own, a moment later, as many clients send it. */
	late?: true;
}

const ROWS: Row[] = [
	{
		rule: "a refused origin's POST, small body",
		method: "POST",
		headers: { origin: REFUSED },
		bodyBytes: 7,
		status: 403,
		keepsConnection: true,
	},
	{
		rule: "a refused origin's POST, 64 KiB body",
		method: "POST",
		headers: { origin: REFUSED },
		bodyBytes: 64 * KiB,
		status: 403,
		keepsConnection: true,
	},
	{
		rule: "a refused origin's PUT, 256 KiB body",
		method: "PUT",
		headers: { origin: REFUSED },
		bodyBytes: 256 * KiB,
		status: 403,
		keepsConnection: false,
	},
	{
		rule: "a malformed Origin's POST, small body",
		method: "POST",
		headers: { origin: `${ALLOWED}/` },
		bodyBytes: 7,
		status: 403,
		keepsConnection: true,
	},
	{
		rule: "a refused origin's POST, small body sent after its headers",
		method: "POST",
		headers: { origin: REFUSED },
		bodyBytes: 7,
		status: 403,
		keepsConnection: true,
		late: true,
	},
	{
		rule: "a malformed Origin's POST, small body sent after its headers",
		method: "POST",
		headers: { origin: `${ALLOWED}/` },
		bodyBytes: 7,
		status: 403,
		keepsConnection: true,
		late: true,
	},
	{
		rule: "a refused origin's PUT, 64 KiB body sent after its headers",
		method: "PUT",
		headers: { origin: REFUSED },
		bodyBytes: 64 * KiB,
		status: 403,
		keepsConnection: true,
		late: true,
	},
	{
		rule: "a refused origin's GET",
		method: "GET",
		headers: { origin: REFUSED },
		bodyBytes: 0,
		status: 403,
		keepsConnection: true,
	},
	{
		rule: "a refused preflight",
		method: "OPTIONS",
		headers: { origin: REFUSED, "access-control-request-method": "PUT" },
		bodyBytes: 0,
		status: 403,
		keepsConnection: true,
	},
	{
		rule: "an approved preflight",
		method: "OPTIONS",
		headers: { origin: ALLOWED, "access-control-request-method": "PUT" },
		bodyBytes: 0,
		status: 204,
		keepsConnection: true,
	},
	{
		rule: "an allowed origin's POST, small body, forwarded",
		method: "POST",
		headers: { origin: ALLOWED },
		bodyBytes: 7,
		status: 200,
		keepsConnection: true,
	},
	{
		rule: "an allowed origin's PUT, 256 KiB body, forwarded",
		method: "PUT",
		headers: { origin: ALLOWED },
		bodyBytes: 256 * KiB,
		status: 200,
		keepsConnection: true,
	},
	{
		rule: "an allowed origin's GET, forwarded",
		method: "GET",
		headers: { origin: ALLOWED },
		bodyBytes: 0,
		status: 200,
		keepsConnection: true,
	},
];

let upstream: ScriptedUpstream;

beforeAll(async () => {
	upstream = await startScriptedUpstream();
});

afterAll(async () => {
	await upstream?.close();
});

interface Outcome {
	/** Answers per status, e.g. { 403: 400 }. */
	statuses: Record<string, number>;
	/** Connection errors (ECONNRESET, EPIPE, "socket hang up"…), with the request kind. */
	errors: string[];
	/** TCP connections the requests used. */
	sockets: number;
	/** Answers that gave up their connection with `Connection: close`. */
	closedWithNotice: number;
}

/** Sends `rows` to `gateway` in turn on each of `CONNECTIONS` keep-alive connections, `rounds` times. */
async function drive(gateway: string, rows: Row[], rounds: number): Promise<Outcome> {
	const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
	const outcome: Outcome = { statuses: {}, errors: [], sockets: 0, closedWithNotice: 0 };
	const sockets = new Set<Socket>();
	const send = (row: Row) =>
		new Promise<void>((resolve) => {
			const failed = (error: NodeJS.ErrnoException) => {
				outcome.errors.push(`${row.rule}: ${error.code ?? error.message}`);
				resolve();
			};
			const req = http.request(
				`${gateway}/api/keep-alive`,
				{ method: row.method, agent, headers: row.headers },
				(res) => {
					if (res.headers.connection?.toLowerCase() === "close") outcome.closedWithNotice++;
					res.resume();
					res.on("error", failed);
					res.on("end", () => {
						const status = String(res.statusCode);
						outcome.statuses[status] = (outcome.statuses[status] ?? 0) + 1;
						resolve();
					});
				},
			);
			req.on("socket", (socket) => sockets.add(socket));
			req.on("error", failed);
			// With Content-Length (Node sets it for a body given to end()), as browsers send.
			const body = row.bodyBytes > 0 ? "x".repeat(row.bodyBytes) : undefined;
			if (row.late) {
				req.setHeader("content-length", String(row.bodyBytes));
				req.flushHeaders();
				setTimeout(() => req.end(body), LATE_BODY_MS);
			} else req.end(body);
		});
	await Promise.all(
		Array.from({ length: CONNECTIONS }, async () => {
			for (let round = 0; round < rounds; round++) for (const row of rows) await send(row);
		}),
	);
	agent.destroy();
	outcome.sockets = sockets.size;
	return outcome;
}

const ROUNDS = 50;
/** How long a late body follows its headers: long enough for the gateway to have decided. */
const LATE_BODY_MS = 2;

// The gateway as `wrangler deploy` builds it, from the deployed configuration (no static
// assets) and from the demo's, where wrangler's asset router runs in front of the Worker.
describe.each(["wrangler.toml", "wrangler.demo.toml"])(
	"%s: an answer keeps its connection or closes it with notice, never resets it (RFC 9112 §9)",
	(configFile) => {
		let mf: Miniflare;
		let gateway: string;

		beforeAll(async () => {
			const deployed = await deployedGateway("127.0.0.1", configFile);
			// workerd's HTTP server itself, not Miniflare's entry Worker in front of it.
			mf = deployedMiniflare([deployed.worker("gateway", 0, { UPSTREAM_URL: upstream.url }, "allowlist")]);
			await mf.ready;
			const kv = await mf.getKVNamespace("ALLOWLIST", "gateway");
			await kv.put("allowlist", JSON.stringify({ origins: [ALLOWED], methods: ["GET", "HEAD", "POST", "PUT"] }));
			gateway = (await mf.unsafeGetDirectURL("gateway")).origin;
		}, 120_000);

		afterAll(async () => {
			await mf?.dispose();
		});

		it.each(ROWS)("$rule: 400 over 8 keep-alive connections", async (row) => {
			const outcome = await drive(gateway, [row], ROUNDS);
			expect(outcome.errors).toEqual([]);
			expect(outcome.statuses).toEqual({ [row.status]: CONNECTIONS * ROUNDS });
			// Every connection beyond the first 8 replaced one closed with notice.
			expect(outcome.sockets).toBeLessThanOrEqual(CONNECTIONS + outcome.closedWithNotice);
			if (row.keepsConnection) {
				expect(outcome.closedWithNotice).toBe(0);
				expect(outcome.sockets).toBeLessThanOrEqual(CONNECTIONS);
			}
		});

		it("every kind mixed on the same connections", async () => {
			const outcome = await drive(gateway, ROWS, ROUNDS / 5);
			expect(outcome.errors).toEqual([]);
			const expected: Record<string, number> = {};
			for (const row of ROWS) expected[row.status] = (expected[row.status] ?? 0) + (CONNECTIONS * ROUNDS) / 5;
			expect(outcome.statuses).toEqual(expected);
			expect(outcome.sockets).toBeLessThanOrEqual(CONNECTIONS + outcome.closedWithNotice);
		});
	},
);
