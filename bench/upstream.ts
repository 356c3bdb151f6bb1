// The upstream every compared Worker forwards to, in its own process: a Node http server
// that answers every request at once with a small fixed JSON body. It counts what it
// receives, so the bench can check that refusals and preflights never reach it.
import { createServer } from "node:http";

const port = Number(process.argv[2]);
const body = Buffer.from('{"ok":true}\n');
let received = 0;

const server = createServer((req, res) => {
	received++;
	req.resume();
	res.writeHead(200, { "content-type": "application/json", "content-length": body.length, "x-request-id": "bench" });
	res.end(body);
});
server.keepAliveTimeout = 60_000;

process.on("message", (message) => {
	if (message === "count") process.send?.({ received });
});
process.on("disconnect", () => server.close(() => process.exit(0)));
server.listen(port, "127.0.0.1", () => process.send?.({ ready: true }));
