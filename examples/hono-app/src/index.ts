// A Hono app on Workers whose CORS is the allowlist in KV: kvCors answers preflights and
// refusals, and sets the CORS headers on the app's own answers.

import { kvCors } from "cors-gateway/hono";
import { Hono } from "hono";

const app = new Hono();

// In front of every route: the allowlist under the KV binding ALLOWLIST (wrangler.toml).
app.use("*", kvCors());

app.get("/api/hello", (c) => c.json({ hello: "world" }));
app.post("/api/echo", async (c) => c.json({ echoed: await c.req.text() }));
// allowlist.json gives /public its own policy: any origin may read it.
app.get("/public/status", (c) => c.text("ok\n"));

export default app;
