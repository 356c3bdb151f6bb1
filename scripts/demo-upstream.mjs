#!/usr/bin/env node
// A tiny offline demo API for `npm run dev`: answers every path with a JSON echo of the
// request (method, path, query, headers, body) and an `x-request-id` response header.
// No dependencies. Listens on 127.0.0.1 only.
//
//   node scripts/demo-upstream.mjs [port]     (or DEMO_UPSTREAM_PORT=...; default 8788)
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { createServer } from "node:http";
import { pathToFileURL } from "node:url";

export const DEFAULT_DEMO_UPSTREAM_PORT = 8788;
const MAX_ECHOED_BODY_BYTES = 64 * 1024;

/**
 * Starts the demo upstream on 127.0.0.1:port and resolves once it listens.
 * @param {number} port
 * @returns {Promise<import("node:http").Server>}
 */
export async function startDemoUpstream(port = DEFAULT_DEMO_UPSTREAM_PORT) {
	const server = createServer(async (req, res) => {
		const chunks = [];
		let bodyLength = 0;
		for await (const chunk of req) {
			bodyLength += chunk.length;
			if (bodyLength <= MAX_ECHOED_BODY_BYTES) chunks.push(chunk);
		}
		const target = req.url ?? "/";
		const url = new URL(target, "http://demo-upstream.invalid");
		/** @type {Record<string, string[]>} */
		const query = {};
		for (const [name, value] of url.searchParams) {
			const values = query[name] ?? [];
			values.push(value);
			query[name] = values;
		}
		const echo = {
			upstream: "cors-gateway demo upstream",
			method: req.method,
			path: url.pathname,
			query,
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
	server.listen(port, "127.0.0.1");
	await once(server, "listening");
	return server;
}

/**
 * @param {string | undefined} value
 * @returns {number | undefined}
 */
function portFrom(value) {
	if (value === undefined || value === "") return undefined;
	const port = Number(value);
	if (!Number.isInteger(port) || port < 0 || port > 65535) {
		throw new Error(`invalid port ${JSON.stringify(value)}`);
	}
	return port;
}

/** The port from the first argument, else DEMO_UPSTREAM_PORT, else 8788. */
export function demoUpstreamPort(argv = process.argv.slice(2), env = process.env) {
	return portFrom(argv[0]) ?? portFrom(env.DEMO_UPSTREAM_PORT) ?? DEFAULT_DEMO_UPSTREAM_PORT;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
	const port = demoUpstreamPort();
	const server = await startDemoUpstream(port).catch((error) => {
		console.error(`demo upstream: cannot listen on 127.0.0.1:${port}: ${error.message}`);
		process.exit(1);
	});
	console.log(`demo upstream listening on http://127.0.0.1:${port}`);
	const stop = () => server.close(() => process.exit(0));
	process.once("SIGINT", stop);
	process.once("SIGTERM", stop);
}
