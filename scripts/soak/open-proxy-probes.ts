// Open-proxy probes on the wire, for the soak run: raw HTTP/1.1 requests that try to make
// the gateway contact a decoy server (absolute-form targets, CONNECT, `//host`, `/\host`,
// `%2F%2F`, `@`, `Host` and `X-Forwarded-Host` overrides). The decoy is a bare TCP listener
// that counts every connection it accepts: it must accept none. Requests that a test in
// workerd cannot express (a request target is always a parsed URL there) are sent here.
import { once } from "node:events";
import { connect, createServer } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

export interface ProbeResults {
	/** Each probe, and the status line it got (or why none came). */
	probes: { name: string; status: string }[];
	decoyConnections: number;
}

/** Probes the gateway on 127.0.0.1:`gatewayPort`, with the decoy on `decoyPort` (a free port). */
export async function probeOpenProxy(gatewayPort: number, decoyPort: number): Promise<ProbeResults> {
	let decoyConnections = 0;
	const decoy = createServer((socket) => {
		decoyConnections++;
		socket.destroy();
	});
	decoy.listen(decoyPort, "127.0.0.1");
	await once(decoy, "listening");

	const gw = `127.0.0.1:${gatewayPort}`;
	const evil = `127.0.0.1:${decoyPort}`;
	const probes: [string, string, Record<string, string>][] = [
		["absolute-form target, Host of the decoy", `GET http://${evil}/x`, { host: evil }],
		["absolute-form target, Host of the gateway", `GET http://${evil}/x`, { host: gw }],
		["absolute-form https target", `GET https://${evil}/x`, { host: evil }],
		["CONNECT to the decoy", `CONNECT ${evil}`, { host: evil }],
		["a //host path", `GET //${evil}/x`, { host: gw }],
		["a /\\host path", `GET /\\${evil}/x`, { host: gw }],
		["percent-encoded slashes", `GET /%2F%2F${evil}/x`, { host: gw }],
		["an @ in the path", `GET /@${evil}/x`, { host: gw }],
		["user-info in an absolute-form target", `GET http://${gw}@${evil}/x`, { host: gw }],
		["a Host header naming the decoy", "GET /x", { host: evil }],
		["X-Forwarded-Host naming the decoy", "GET /x", { host: gw, "x-forwarded-host": evil }],
		["Forwarded: host= naming the decoy", "GET /x", { host: gw, forwarded: `host=${evil}` }],
	];
	const results: ProbeResults["probes"] = [];
	try {
		for (const [name, requestLine, headers] of probes) {
			results.push({ name, status: await rawRequest(gatewayPort, requestLine, headers) });
		}
		// Give a request the Worker might have started towards the decoy time to connect.
		await sleep(500);
	} finally {
		await new Promise((done) => decoy.close(() => done(undefined)));
	}
	return { probes: results, decoyConnections };
}

/** Sends one request line and headers; resolves with the response's status line (or why none came). */
function rawRequest(port: number, requestLine: string, headers: Record<string, string>): Promise<string> {
	return new Promise((resolve) => {
		const socket = connect(port, "127.0.0.1");
		let data = "";
		const finish = (status: string) => {
			socket.destroy();
			resolve(status);
		};
		const timer = setTimeout(() => finish(data.split("\r\n")[0] || "no answer within 10 s"), 10_000);
		socket.on("connect", () => {
			const lines = [`${requestLine} HTTP/1.1`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
			socket.write(`${lines.join("\r\n")}\r\nconnection: close\r\n\r\n`);
		});
		socket.on("data", (chunk) => {
			data += chunk.toString("latin1");
			if (data.includes("\r\n")) {
				clearTimeout(timer);
				finish(data.slice(0, data.indexOf("\r\n")));
			}
		});
		socket.on("error", (error) => {
			clearTimeout(timer);
			finish(`connection error: ${error.message}`);
		});
		socket.on("close", () => {
			clearTimeout(timer);
			finish(data.split("\r\n")[0] || "closed without an answer");
		});
	});
}
