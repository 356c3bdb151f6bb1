// `cors-gateway report --logs`, end to end, on logs the real Worker wrote:
//   - `wrangler dev` output: the gateway under `wrangler dev` (its stdout and stderr in a
//     file, as a developer's terminal shows them), refused requests from a few origins, a
//     flood past REFUSAL_LOG_LIMIT whose summary line comes a minute later, and a
//     report-only route in front of a target that answers CORS itself;
//   - `wrangler tail --format json` output: the gateway as `wrangler deploy` builds it, in
//     workerd (Miniflare) with a real tail Worker, whose trace items (what `wrangler tail`
//     streams) are written as wrangler prints them (`JSON.stringify(item, null, 4)`).
// Then the real command reads them (`--logs FILE`, `--logs -`) and prints the top list and
// the commands that would allow each origin.
// Ports: 18950 wrangler dev, 18951 its inspector, 18952 the upstream, 18954 the tail collector.
import { once } from "node:events";
import { readFile, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { convertV4MiniflareOptions, type Miniflare, type WorkerOptions } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deployedGateway, deployedMiniflare } from "../../tools/deployed-gateway.ts";
import { type ScriptedUpstream, startScriptedUpstream } from "../../tools/upstream.ts";
import { startWranglerDev, type WranglerDev } from "../../tools/wrangler.ts";
import { cli, expectNoStackTrace, seed, tempDir } from "../support/cli.ts";

const PORTS = { gateway: 18950, inspector: 18951, upstream: 18952, collector: 18954 };
const APP = "https://app.example.com";
const EVIL = "https://evil.example.net";
const OTHER = "https://other.example.org";
const FLOOD = "https://flood.example.com";
const PARTNER = "https://partner.example.net";
const LOG_LIMIT = 2;
const FLOOD_SIZE = 12;
/** The refusal log's window (src/worker/log.ts): its summary comes with the first request after it. */
const WINDOW_MS = 60_000;

const ALLOWLIST = {
	origins: [APP],
	headers: ["content-type"],
	routes: {
		"/api": { origins: ["https://api-client.example.com"] },
		// An API that answers CORS itself: the gateway only compares.
		"/legacy": { mode: "report-only" },
	},
};

interface Req {
	origin: string;
	path: string;
	method?: string;
	headers?: Record<string, string>;
	times?: number;
}

/** The traffic, with the top list it should give. */
const TRAFFIC: Req[] = [
	{ origin: FLOOD, path: "/orders", times: FLOOD_SIZE },
	{ origin: EVIL, path: "/orders", times: 3 },
	{ origin: OTHER, path: "/orders" },
	{ origin: APP, path: "/api/orders", times: 2 },
	{
		origin: APP,
		path: "/orders",
		method: "OPTIONS",
		headers: { "access-control-request-method": "POST", "access-control-request-headers": "x-api-key" },
	},
	// The target allows the partner; the allowlist would not.
	{ origin: PARTNER, path: `/legacy/orders?h=access-control-allow-origin:${PARTNER}`, times: 2 },
	// Allowed: no line.
	{ origin: APP, path: "/orders" },
];

async function send(base: string, traffic: readonly Req[]): Promise<number[]> {
	const statuses: number[] = [];
	for (const r of traffic) {
		for (let i = 0; i < (r.times ?? 1); i++) {
			const res = await fetch(`${base}${r.path}`, {
				method: r.method ?? "GET",
				headers: { origin: r.origin, ...r.headers },
			});
			await res.arrayBuffer();
			statuses.push(res.status);
		}
	}
	return statuses;
}

/** What `report` must print, in order, for TRAFFIC (fixes included). */
function expectTopList(stdout: string, flood: number, evil = 3): void {
	const expected = [
		"Refused:",
		"  top level",
		`    origin-not-allowed (${flood + evil + 1}): the origin is not in the allowlist`,
		`      ${String(flood).padStart(2)}  ${FLOOD}`,
		`fix: npx cors-gateway add ${FLOOD}`,
		`       ${evil}  ${EVIL}`,
		`fix: npx cors-gateway add ${EVIL}`,
		`       1  ${OTHER}`,
		`fix: npx cors-gateway add ${OTHER}`,
		"    header-not-allowed (1)",
		`      1  ${APP}`,
		'fix: add "x-api-key" to "headers"; edit it with "cors-gateway pull > allowlist.json", then "cors-gateway push allowlist.json"',
		"  route /api",
		"    origin-not-allowed (2)",
		`      2  ${APP}`,
		`fix: npx cors-gateway add --route /api ${APP}`,
		"Report-only differences",
		"  route /legacy",
		"    allowlist-refuses-origin (2)",
		`      2  ${PARTNER}`,
		`fix: npx cors-gateway add --route /legacy ${PARTNER}`,
		"note: --route KEY adds to the route's own origins",
	];
	let at = 0;
	for (const piece of expected) {
		const found = stdout.indexOf(piece, at);
		expect(found, `${JSON.stringify(piece)} after offset ${at} in:\n${stdout}`).toBeGreaterThanOrEqual(0);
		at = found + piece.length;
	}
}

let dir: string;
let upstream: ScriptedUpstream;

beforeAll(async () => {
	dir = await tempDir();
	upstream = await startScriptedUpstream(PORTS.upstream);
});

afterAll(async () => {
	await upstream?.close();
	const { rm } = await import("node:fs/promises");
	if (dir) await rm(dir, { recursive: true, force: true });
});

describe("report --logs on `wrangler dev` output", () => {
	let dev: WranglerDev;
	let devLog: string;
	let firstRefusalAt = 0;
	const base = `http://127.0.0.1:${PORTS.gateway}`;

	beforeAll(async () => {
		const persistDir = join(dir, "state");
		devLog = join(dir, "wrangler-dev.log");
		await seed(persistDir, JSON.stringify(ALLOWLIST));
		dev = startWranglerDev({
			port: PORTS.gateway,
			inspectorPort: PORTS.inspector,
			persistDir,
			output: { file: devLog },
			vars: { UPSTREAM_URL: upstream.url, REFUSAL_LOG_LIMIT: String(LOG_LIMIT) },
		});
		let exited: string | null = null;
		void dev.exited.then((why) => {
			exited = why;
		});
		const deadline = Date.now() + 90_000;
		for (;;) {
			if (exited !== null) throw new Error(`${exited}\n${await readFile(devLog, "utf8").catch(() => "")}`);
			const ok = await fetch(`${base}/ready`, { headers: { origin: APP } }).then(
				(res) => res.status === 200,
				() => false,
			);
			if (ok) break;
			if (Date.now() > deadline) throw new Error(`wrangler dev did not serve:\n${await readFile(devLog, "utf8")}`);
			await new Promise((r) => setTimeout(r, 250));
		}
		firstRefusalAt = Date.now();
		const statuses = await send(base, TRAFFIC);
		expect(statuses.filter((s) => s === 403)).toHaveLength(FLOOD_SIZE + 3 + 1 + 2 + 1);
	}, 150_000);

	afterAll(async () => {
		await dev?.stop();
	});

	/** The log once wrangler dev has logged the request for `path` (so every line before it is in). */
	async function logAfter(path: string): Promise<string> {
		await (await fetch(`${base}${path}`)).arrayBuffer();
		const deadline = Date.now() + 15_000;
		for (;;) {
			const text = await readFile(devLog, "utf8");
			if (text.includes(`GET ${path} `)) return text;
			if (Date.now() > deadline) throw new Error(`wrangler dev never logged ${path}:\n${text}`);
			await new Promise((r) => setTimeout(r, 100));
		}
	}

	it("before the minute is over, the lines logged in full: the flood cut to REFUSAL_LOG_LIMIT", async () => {
		const log = await logAfter("/__report/sentinel-1");
		const file = join(dir, "dev-early.log");
		await writeFile(file, log);
		const run = await cli(["report", "--logs", file]);
		expect(run.code, run.stderr).toBe(0);
		expect(run.stdout).toContain("without a timestamp, as in `wrangler dev` output");
		expect(run.stdout).toContain(`      ${LOG_LIMIT}  ${FLOOD}`);
	});

	it(
		"after the minute, the summary line adds what was not logged: the flood is counted in full, from a file and from stdin",
		async () => {
			const wait = firstRefusalAt + WINDOW_MS + 1_000 - Date.now();
			if (wait > 0) await new Promise((r) => setTimeout(r, wait));
			// The first request after the minute writes the summary.
			const log = await logAfter("/__report/sentinel-2");
			expect(log).toContain('"event":"cors-refused-summary"');
			expect(log).toMatch(/\[wrangler:info\]/);
			const file = join(dir, "dev.log");
			await writeFile(file, log);

			const fromFile = await cli(["report", "--logs", file]);
			expect(fromFile.code, fromFile.stderr).toBe(0);
			expectTopList(fromFile.stdout, FLOOD_SIZE);
			expect(fromFile.stdout).toContain(`from summary lines`);

			const fromStdin = await cli(["report", "--logs", "-"], { input: log });
			expect(fromStdin.code, fromStdin.stderr).toBe(0);
			expect(fromStdin.stdout.replace(/^refusals in \S+/, "")).toBe(fromFile.stdout.replace(/^refusals in \S+/, ""));

			const top1 = await cli(["report", "--logs", file, "--top", "1", "--route", "/api"]);
			expect(top1.stdout).toContain(`fix: npx cors-gateway add --route /api ${APP}`);
			expect(top1.stdout).not.toContain(FLOOD);

			const json = await cli(["report", "--logs", file, "--json", "--top", "2"]);
			const parsed = JSON.parse(json.stdout) as {
				groups: {
					route: string | null;
					reason: string;
					origins: { origin: string; count: number }[];
					more: { origins: number };
				}[];
			};
			const topLevel = parsed.groups.find((g) => g.route === null && g.reason === "origin-not-allowed");
			expect(topLevel?.origins.map((o) => [o.origin, o.count])).toEqual([
				[FLOOD, FLOOD_SIZE],
				[EVIL, 3],
			]);
			expect(topLevel?.more.origins).toBe(1);
		},
		WINDOW_MS + 60_000,
	);
});

/** A tail Worker's trace items, collected over HTTP. */
async function startCollector(port: number): Promise<{ server: Server; items: unknown[] }> {
	const items: unknown[] = [];
	const server = createServer((req, res) => {
		let body = "";
		req.on("data", (c) => {
			body += c;
		});
		req.on("end", () => {
			items.push(...(JSON.parse(body) as unknown[]));
			res.end("ok");
		});
	});
	server.listen(port, "127.0.0.1");
	await once(server, "listening");
	return { server, items };
}

const TAIL_WORKER = `export default {
	async tail(items) {
		await fetch("http://127.0.0.1:${PORTS.collector}/", { method: "POST", body: JSON.stringify(items) });
	},
};`;

function tailWorker(): WorkerOptions {
	const legacy = { name: "tail", modules: true, script: TAIL_WORKER, compatibilityDate: "2026-11-09" };
	const [converted] = convertV4MiniflareOptions({ workers: [legacy] }).workers;
	if (converted === undefined) throw new Error("no workerd options for the tail Worker");
	return converted;
}

describe("report --logs on `wrangler tail --format json` output", () => {
	let mf: Miniflare;
	let collector: { server: Server; items: unknown[] };
	let gateway: string;

	beforeAll(async () => {
		collector = await startCollector(PORTS.collector);
		const deployed = await deployedGateway("127.0.0.1", "wrangler.toml");
		// Every refusal logged in full here: the summary lines are the wrangler dev test's.
		const worker = deployed.worker(
			"gateway",
			0,
			{ UPSTREAM_URL: upstream.url, REFUSAL_LOG_LIMIT: "1000" },
			"report-allowlist",
		);
		mf = deployedMiniflare([
			{ ...worker, config: { ...worker.config, tailConsumers: [{ worker: "tail" }] } },
			tailWorker(),
		]);
		await mf.ready;
		await (await mf.getKVNamespace("ALLOWLIST", "gateway")).put("allowlist", JSON.stringify(ALLOWLIST));
		gateway = (await mf.unsafeGetDirectURL("gateway")).origin;
	}, 120_000);

	afterAll(async () => {
		await mf?.dispose();
		collector?.server.close();
	});

	async function traceItems(count: number): Promise<unknown[]> {
		const deadline = Date.now() + 15_000;
		while (collector.items.length < count) {
			if (Date.now() > deadline) throw new Error(`${collector.items.length} of ${count} trace items arrived`);
			await new Promise((r) => setTimeout(r, 100));
		}
		return collector.items;
	}

	it("the real Worker's trace items, pretty and compact, from a file and from stdin; --since cuts the window", async () => {
		const requests = TRAFFIC.reduce((n, r) => n + (r.times ?? 1), 0);
		await send(gateway, TRAFFIC);
		const firstBatch = await traceItems(requests);
		expect(firstBatch[0]).toMatchObject({ eventTimestamp: expect.any(Number), logs: expect.any(Array) });
		// A later batch: one more refusal of EVIL, after a point in time.
		await new Promise((r) => setTimeout(r, 50));
		const between = new Date(Date.now()).toISOString();
		await new Promise((r) => setTimeout(r, 50));
		await send(gateway, [{ origin: EVIL, path: "/late" }]);
		const items = await traceItems(requests + 1);

		// `wrangler tail --format json` prints each item with JSON.stringify(item, null, 4).
		const pretty = items.map((item) => JSON.stringify(item, null, 4)).join("\n");
		const file = join(dir, "tail.json");
		await writeFile(file, `${pretty}\n`);
		const run = await cli(["report", "--logs", file, "--since", "1h"]);
		expect(run.code, run.stderr).toBe(0);
		expect(run.stdout).not.toContain("without a timestamp");
		expectTopList(run.stdout, FLOOD_SIZE, 4);

		const compact = items.map((item) => JSON.stringify(item)).join("\n");
		const fromStdin = await cli(["report", "--logs", "-", "--since", "1h"], { input: compact });
		expect(fromStdin.stdout.replace(/^refusals in \S+/, "")).toBe(run.stdout.replace(/^refusals in \S+/, ""));

		const late = await cli(["report", "--logs", file, "--since", between]);
		expect(late.code, late.stderr).toBe(0);
		expect(late.stdout).toContain(`since ${between}`);
		expect(late.stdout).toContain(`      1  ${EVIL}`);
		expect(late.stdout).not.toContain(FLOOD);
	});

	it('an empty stream, or one without refusals: "no refusals in" the window', async () => {
		const empty = await cli(["report", "--logs", "-"], { input: "" });
		expect(empty.code).toBe(0);
		expect(empty.stdout).toContain("no refusals and no report-only differences in the last 24h");
	});

	it("usage mistakes exit 2 with a hint, never a stack trace", async () => {
		for (const args of [
			["report"],
			["report", "--logs", "x", "--remote"],
			["report", "--logs", "x", "--since", "soon"],
			["report", "--logs", "x", "--top", "0"],
			["report", "--logs", "x", "--route", "api"],
		]) {
			const run = await cli(args);
			expect(run.code, args.join(" ")).toBe(2);
			expectNoStackTrace(run);
		}
		const missing = await cli(["report", "--logs", join(dir, "nope.log")]);
		expect(missing.code).toBe(1);
		expect(missing.stderr).toContain("no such file");
	});
});
