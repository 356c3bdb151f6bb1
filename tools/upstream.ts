// The local upstream servers of the project's tools, in one module: what the gateway
// forwards to in the tests, `npm run dev`, the soak run and the bench. Three kinds, for three needs:
//
// startEchoUpstream (`npm run dev`'s demo API, and the soak's upstream): answers every path
// with a readable JSON echo of the request (method, path, query, headers, up to 64 KiB of
// body) and an `x-request-id` header; keeps no record, so it can run for as long as wanted.
//
// startMinimalUpstream (the bench's upstream, in a process of its own): answers every
// request at once with a small fixed body and only counts them. Nothing else per request,
// so it is never what limits the measured throughput.
//
// startScriptedUpstream (the Worker, socket and e2e tests): a recording upstream, scriptable
// per request by path and query, so tests never mock `fetch`:
//   any path (e.g. /echo/...)   200, JSON echo of the request (see EchoBody)
//   /status/<code>              that status (body: the echo JSON, none for 204/304)
//   /slow?ms=<n>                waits n ms (default 2000) before sending headers
//   /stream?chunks=<n>&size=<b>&delay=<ms>
//                               streams n chunks of b bytes ("x"), with an optional
//                               pause between chunks (defaults: 64 chunks of 16 KiB)
//   /redirect?to=<url>&status=<3xx>
//                               a redirect (default 302 to /echo/redirected)
//   /reset[?after=<bytes>]      resets the TCP connection (RST): before any response
//                               without `after`, else after the headers and <bytes> of a
//                               body announced as twice as long
//   /stream and /slow also take id=<name> (progress readable at /__streams?id=<name>;
//   for /slow, `aborted` says the client went away before the answer); /stream also takes
//   gate=1 (after the first chunk, waits for POST /__release?id=<name> before the rest)
// On every path, each `h=name:value` query parameter adds a response header (repeatable;
// use it for the upstream's own Access-Control-* or Vary headers).
// Control endpoints (never recorded):
//   GET  /__requests[?tag=<t>]  JSON list of recorded requests (oldest first), optionally
//                               only those whose `x-test-tag` request header is <t>
//   POST /__reset[?tag=<t>]     forget recorded requests (all, or those of one tag)
//   GET  /__connections         JSON list of every TCP connection accepted, with its first
//                               request ("GET /x"), "error:<code>" for bytes that are not
//                               HTTP (a TLS handshake), or "" when it sent nothing yet
//   GET  /__streams?id=<name>   progress of a /stream: bytes written, finished, aborted
//   POST /__release?id=<name>   lets a gated /stream send the rest of its body
// Every other request is recorded (method, url, host, headers, body length, tag), and
// every connection too, so tests can prove what reached the upstream, and what never did.

import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

/** One request as the upstream received it. */
export interface RecordedRequest {
	/** Sequence number, increasing across the server's lifetime. */
	seq: number;
	method: string;
	/** The request target as sent on the wire (path and query, or an absolute URL). */
	url: string;
	/** The Host header (what the client connected for). */
	host: string | null;
	/** Headers as name/value pairs in wire order (names lowercased by Node). */
	rawHeaders: [string, string][];
	/** Headers merged per name (repeated headers joined with ", "). */
	headers: Record<string, string>;
	/** Number of request body bytes received. */
	bodyLength: number;
	/** Value of the `x-test-tag` request header, if any. */
	tag: string | null;
	/** Remote address and port of the TCP connection. */
	remote: string;
}

/** The JSON body of an echo response. */
export interface EchoBody {
	method: string;
	/** Path without the query, exactly as received (not normalized). */
	path: string;
	/** Query string including the leading "?", or "" when none. */
	search: string;
	/** Query parameters; repeated names keep every value in order. */
	query: Record<string, string[]>;
	headers: Record<string, string>;
	rawHeaders: [string, string][];
	host: string | null;
	/** Request body decoded as UTF-8. */
	body: string;
	bodyLength: number;
}

/** One TCP connection as the upstream accepted it. */
export interface RecordedConnection {
	seq: number;
	remote: string;
	/** Its first request ("GET /x"), "error:<code>" for non-HTTP bytes, "" before any. */
	firstLine: string;
}

/** Progress of one `/stream?id=<name>`, as the upstream wrote it. */
export interface StreamProgress {
	bytesWritten: number;
	finished: boolean;
	/** The client went away (or the connection broke) before the end. */
	aborted: boolean;
}

export const CONTROL_PATHS = ["/__requests", "/__reset", "/__connections", "/__streams", "/__release"];

/** An upstream listening on 127.0.0.1. */
export interface Upstream {
	/** e.g. "http://127.0.0.1:41234" (no trailing slash). */
	url: string;
	port: number;
	server: Server;
	/** How many requests it has answered (the scripted upstream's control endpoints aside). */
	received(): number;
	/** Stops listening and ends every connection, idle keep-alive ones included. */
	close(): Promise<void>;
}

/** The scripted upstream, with its record. */
export interface ScriptedUpstream extends Upstream {
	/** Recorded requests, oldest first. */
	requests: RecordedRequest[];
	connections: RecordedConnection[];
}

const DEFAULT_STREAM_CHUNKS = 64;
const DEFAULT_STREAM_CHUNK_SIZE = 16 * 1024;
const MAX_STREAM_BYTES = 1024 * 1024 * 1024;
const MAX_ECHOED_BODY_BYTES = 64 * 1024;

function mergeHeaders(raw: string[]): { pairs: [string, string][]; merged: Record<string, string> } {
	const pairs: [string, string][] = [];
	const merged: Record<string, string> = {};
	for (let i = 0; i + 1 < raw.length; i += 2) {
		const name = (raw[i] as string).toLowerCase();
		const value = raw[i + 1] as string;
		pairs.push([name, value]);
		merged[name] = name in merged ? `${merged[name]}, ${value}` : value;
	}
	return { pairs, merged };
}

/** Query parameters; repeated names keep every value in order. */
function queryOf(url: URL): Record<string, string[]> {
	const query: Record<string, string[]> = {};
	for (const [name, value] of url.searchParams) {
		const values = query[name] ?? [];
		values.push(value);
		query[name] = values;
	}
	return query;
}

function parseTarget(target: string): URL {
	// An absolute-form target (proxy style) keeps its own host; origin-form gets a dummy base.
	try {
		return new URL(target, "http://upstream.invalid");
	} catch {
		return new URL("http://upstream.invalid/");
	}
}

function clampInt(value: string | null, fallback: number, min: number, max: number): number {
	if (value === null) return fallback;
	const n = Number.parseInt(value, 10);
	if (!Number.isFinite(n)) return fallback;
	return Math.min(max, Math.max(min, n));
}

function applyScriptedHeaders(res: ServerResponse, url: URL): void {
	for (const spec of url.searchParams.getAll("h")) {
		const colon = spec.indexOf(":");
		if (colon <= 0) continue;
		const name = spec.slice(0, colon).trim();
		const value = spec.slice(colon + 1).trim();
		const existing = res.getHeader(name);
		if (existing === undefined) res.setHeader(name, value);
		else res.setHeader(name, [...(Array.isArray(existing) ? existing : [String(existing)]), value]);
	}
}

function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
	const chunks: Buffer[] = [];
	for await (const chunk of req) chunks.push(chunk as Buffer);
	return Buffer.concat(chunks);
}

/** Starts the scripted upstream on 127.0.0.1; port 0 (the default) picks a free port. */
export async function startScriptedUpstream(port = 0): Promise<ScriptedUpstream> {
	const requests: RecordedRequest[] = [];
	const connections: RecordedConnection[] = [];
	const streams = new Map<string, StreamProgress>();
	const gates = new Map<string, () => void>();
	const connectionOf = new WeakMap<Socket, RecordedConnection>();
	let seq = 0;

	const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
		const target = req.url ?? "/";
		const url = parseTarget(target);
		const { pairs, merged } = mergeHeaders(req.rawHeaders);
		const connection = connectionOf.get(req.socket);
		if (connection !== undefined && connection.firstLine === "") connection.firstLine = `${req.method} ${target}`;

		if (CONTROL_PATHS.includes(url.pathname)) {
			await readBody(req);
			const tag = url.searchParams.get("tag");
			const id = url.searchParams.get("id") ?? "";
			if (url.pathname === "/__connections" || url.pathname === "/__streams") {
				const body = url.pathname === "/__connections" ? connections : (streams.get(id) ?? null);
				res.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" });
				res.end(JSON.stringify(body));
				return;
			}
			if (url.pathname === "/__release") {
				gates.get(id)?.();
				gates.delete(id);
				res.writeHead(204).end();
				return;
			}
			if (url.pathname === "/__reset") {
				if (tag === null) requests.length = 0;
				else {
					const kept = requests.filter((r) => r.tag !== tag);
					requests.length = 0;
					requests.push(...kept);
				}
				res.writeHead(204).end();
				return;
			}
			const list = tag === null ? requests : requests.filter((r) => r.tag === tag);
			res.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" });
			res.end(JSON.stringify(list));
			return;
		}

		const body = await readBody(req);
		const record: RecordedRequest = {
			seq: ++seq,
			method: req.method ?? "",
			url: target,
			host: req.headers.host ?? null,
			rawHeaders: pairs,
			headers: merged,
			bodyLength: body.length,
			tag: typeof req.headers["x-test-tag"] === "string" ? req.headers["x-test-tag"] : null,
			remote: `${req.socket.remoteAddress}:${req.socket.remotePort}`,
		};
		requests.push(record);

		// Origin-form targets are echoed byte for byte (no dot-segment or percent normalization).
		const qIndex = target.indexOf("?");
		const rawPath = target.startsWith("/") ? target.slice(0, qIndex === -1 ? undefined : qIndex) : url.pathname;
		const echo: EchoBody = {
			method: record.method,
			path: rawPath,
			search: url.search,
			query: queryOf(url),
			headers: merged,
			rawHeaders: pairs,
			host: record.host,
			body: body.toString("utf8"),
			bodyLength: body.length,
		};
		const sendEcho = (status: number): void => {
			res.statusCode = status;
			res.setHeader("x-request-id", `upstream-${record.seq}`);
			applyScriptedHeaders(res, url);
			if (status === 204 || status === 304 || record.method === "HEAD") {
				res.end();
				return;
			}
			if (!res.hasHeader("content-type")) res.setHeader("content-type", "application/json");
			res.end(JSON.stringify(echo));
		};

		const segments = url.pathname.split("/");
		if (segments[1] === "status" && segments[2] !== undefined) {
			sendEcho(clampInt(segments[2], 200, 200, 599));
			return;
		}
		if (url.pathname === "/slow" || url.pathname.startsWith("/slow/")) {
			const progress: StreamProgress = { bytesWritten: 0, finished: false, aborted: false };
			const id = url.searchParams.get("id");
			if (id !== null) streams.set(id, progress);
			// Stops waiting when the client goes away, so no timer outlives the test run.
			await new Promise<void>((resolve) => {
				const timer = setTimeout(resolve, clampInt(url.searchParams.get("ms"), 2000, 0, 600_000));
				res.on("close", () => {
					if (!res.writableFinished) progress.aborted = true;
					clearTimeout(timer);
					resolve();
				});
			});
			if (!res.destroyed) sendEcho(200);
			return;
		}
		if (url.pathname === "/redirect" || url.pathname.startsWith("/redirect/")) {
			res.statusCode = clampInt(url.searchParams.get("status"), 302, 300, 399);
			res.setHeader("location", url.searchParams.get("to") ?? "/echo/redirected");
			res.setHeader("x-request-id", `upstream-${record.seq}`);
			applyScriptedHeaders(res, url);
			res.end();
			return;
		}
		if (url.pathname === "/reset" || url.pathname.startsWith("/reset/")) {
			const after = url.searchParams.get("after");
			if (after !== null) {
				const bytes = clampInt(after, 0, 0, MAX_STREAM_BYTES);
				res.writeHead(200, { "content-type": "application/octet-stream", "content-length": String(2 * bytes + 1) });
				res.flushHeaders();
				if (bytes > 0) res.write(Buffer.alloc(bytes, "x"));
				await sleep(50); // let the first bytes leave before the reset
			}
			req.socket.resetAndDestroy();
			return;
		}
		if (url.pathname === "/stream" || url.pathname.startsWith("/stream/")) {
			const chunks = clampInt(url.searchParams.get("chunks"), DEFAULT_STREAM_CHUNKS, 1, 1_000_000);
			const size = clampInt(url.searchParams.get("size"), DEFAULT_STREAM_CHUNK_SIZE, 1, 16 * 1024 * 1024);
			const delay = clampInt(url.searchParams.get("delay"), 0, 0, 60_000);
			if (chunks * size > MAX_STREAM_BYTES) {
				res.writeHead(400, { "content-type": "text/plain" }).end("stream too large");
				return;
			}
			res.statusCode = 200;
			res.setHeader("content-type", "application/octet-stream");
			res.setHeader("x-request-id", `upstream-${record.seq}`);
			res.setHeader("x-stream-total-bytes", String(chunks * size));
			applyScriptedHeaders(res, url);
			res.flushHeaders();
			const progress: StreamProgress = { bytesWritten: 0, finished: false, aborted: false };
			const id = url.searchParams.get("id");
			if (id !== null) streams.set(id, progress);
			const gate =
				id !== null && url.searchParams.get("gate") === "1"
					? new Promise<void>((resolve) => gates.set(id, resolve))
					: undefined;
			res.on("close", () => {
				if (!res.writableFinished) progress.aborted = true;
			});
			const chunk = Buffer.alloc(size, "x");
			for (let i = 0; i < chunks && !res.destroyed; i++) {
				const drained = res.write(chunk);
				progress.bytesWritten += size;
				if (!drained) await once(res, "drain").catch(() => undefined);
				if (i === 0 && gate !== undefined) await gate;
				if (delay > 0) await sleep(delay);
			}
			if (!res.destroyed) {
				res.end();
				progress.finished = true;
			}
			return;
		}
		sendEcho(200);
	};

	const server = createServer((req, res) => {
		handle(req, res).catch((error: unknown) => {
			if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
			res.end(`upstream test server error: ${String(error)}`);
		});
	});
	server.on("connection", (socket: Socket) => {
		const connection: RecordedConnection = {
			seq: connections.length + 1,
			remote: `${socket.remoteAddress}:${socket.remotePort}`,
			firstLine: "",
		};
		connections.push(connection);
		connectionOf.set(socket, connection);
	});
	// Bytes that are not HTTP (a TLS handshake, garbage) still mark their connection.
	server.on("clientError", (error: NodeJS.ErrnoException, socket: Socket) => {
		const connection = connectionOf.get(socket);
		if (connection !== undefined && connection.firstLine === "")
			connection.firstLine = `error:${error.code ?? "unknown"}`;
		// As Node does without this handler: a 400 for a request it cannot parse.
		if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
		else socket.destroy();
	});
	const listening = await listen(server, port, () => seq);
	return { ...listening, requests, connections };
}

/** Starts the echo upstream (`npm run dev`'s demo API) on 127.0.0.1; port 0 picks a free port. */
export async function startEchoUpstream(port = 0): Promise<Upstream> {
	let received = 0;
	const server = createServer(async (req, res) => {
		received++;
		const chunks: Buffer[] = [];
		let bodyLength = 0;
		for await (const chunk of req as AsyncIterable<Buffer>) {
			bodyLength += chunk.length;
			if (bodyLength <= MAX_ECHOED_BODY_BYTES) chunks.push(chunk);
		}
		const url = parseTarget(req.url ?? "/");
		const echo = {
			upstream: "cors-gateway demo upstream",
			method: req.method,
			path: url.pathname,
			query: queryOf(url),
			headers: req.headers,
			body: Buffer.concat(chunks).toString("utf8"),
			bodyLength,
		};
		res.writeHead(200, {
			"content-type": "application/json; charset=utf-8",
			"cache-control": "no-store",
			"x-request-id": randomUUID(),
		});
		res.end(req.method === "HEAD" ? undefined : `${JSON.stringify(echo, null, 2)}\n`);
	});
	return listen(server, port, () => received);
}

/**
 * Starts the bench's upstream on 127.0.0.1: the same small answer to every request, its
 * body left unread, and a count. Kept this bare so that the upstream never limits what
 * the bench measures (nothing parsed, recorded or echoed).
 */
export async function startMinimalUpstream(port = 0): Promise<Upstream> {
	let received = 0;
	const body = Buffer.from('{"ok":true}\n');
	const server = createServer((req, res) => {
		received++;
		req.resume();
		res.writeHead(200, { "content-type": "application/json", "content-length": body.length, "x-request-id": "bench" });
		res.end(body);
	});
	return listen(server, port, () => received);
}

async function listen(server: Server, port: number, received: () => number): Promise<Upstream> {
	// Idle keep-alive connections stay open for the whole run: a server that closes one just
	// as workerd reuses it makes that request fail ("Network connection lost", a 502), a race
	// a test pausing about as long as the timeout would hit. close() ends them all anyway.
	server.keepAliveTimeout = 10 * 60_000;
	server.listen(port, "127.0.0.1");
	await once(server, "listening");
	const address = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${address.port}`,
		port: address.port,
		server,
		received,
		close: () =>
			new Promise<void>((resolve, reject) => {
				server.close((error) => (error ? reject(error) : resolve()));
				server.closeAllConnections();
			}),
	};
}

/**
 * A URL nothing listens on (for 502 tests): binds a free port on 127.0.0.1, then releases
 * it. Connections to it are refused (a later bind by another process is the only race).
 */
export async function unreachableUrl(): Promise<string> {
	const server = createServer();
	server.listen(0, "127.0.0.1");
	await once(server, "listening");
	const { port } = server.address() as AddressInfo;
	await new Promise<void>((resolve) => server.close(() => resolve()));
	return `http://127.0.0.1:${port}`;
}

// The bench runs its upstream in a process of its own (`node tools/upstream.ts PORT`, forked
// with an IPC channel): "ready" once it listens, its count on request, gone with the parent.
if (import.meta.main) {
	const upstream = await startMinimalUpstream(Number(process.argv[2]));
	process.on("message", (message) => {
		if (message === "count") process.send?.({ received: upstream.received() });
	});
	process.on("disconnect", () => void upstream.close().then(() => process.exit(0)));
	process.send?.({ ready: true });
}
