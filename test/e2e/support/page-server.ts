// Serves the same blank page for every host name, so each *.localhost name is its own origin.
// Hosts named `sandboxed.*` get a CSP sandbox: an opaque origin, whose requests say `Origin: null`.
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

const PAGE = "<!doctype html><meta charset=utf-8><title>cors-gateway e2e</title><p>cors-gateway e2e page</p>\n";

export interface PageServer {
	/** The ports listened on, in order: an asked-for 0 becomes the port the system chose. */
	ports: number[];
	close(): Promise<void>;
}

export async function startPageServer(ports: number[]): Promise<PageServer> {
	const servers: Server[] = [];
	try {
		for (const port of ports) {
			const server = createServer((req, res) => {
				if (req.url === "/favicon.ico") {
					res.writeHead(404).end();
					return;
				}
				const sandbox = req.headers.host?.startsWith("sandboxed.")
					? { "content-security-policy": "sandbox allow-scripts" }
					: {};
				res
					.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store", ...sandbox })
					.end(PAGE);
			});
			servers.push(server);
			server.listen(port, "127.0.0.1");
			await once(server, "listening");
		}
	} catch (error) {
		for (const server of servers) server.close();
		throw error;
	}
	return {
		ports: servers.map((server) => (server.address() as AddressInfo).port),
		close: async () => {
			await Promise.all(
				servers.map((server) => {
					server.closeAllConnections();
					return new Promise<void>((resolve) => server.close(() => resolve()));
				}),
			);
		},
	};
}
