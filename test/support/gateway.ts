// Worker-side test helpers (run inside workerd): a fresh gateway per test with its own
// isolate state, the real local KV namespace, and the real upstream's request record.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { inject } from "vitest";
import { type AnyCorsPolicy, type Decision, type ShardManifest, settle } from "../../src/policy/index.ts";
import { type ShardPlan, shardWrites } from "../../src/shards/plan.ts";
import type { Env } from "../../src/worker/config.ts";
import { createGateway, type GatewayOptions } from "../../src/worker/gateway.ts";

export const ORIGIN = "https://app.example.com";
export const GATEWAY = "https://gateway.test";

export const DOC = {
	origins: [ORIGIN, "https://*.example.com", "http://localhost:5173"],
	methods: ["GET", "HEAD", "POST", "PUT", "DELETE"],
	headers: ["x-custom", "authorization"],
	exposeHeaders: ["x-request-id"],
	maxAge: 600,
};

export async function putAllowlist(doc: unknown): Promise<void> {
	await env.ALLOWLIST.put("allowlist", typeof doc === "string" ? doc : JSON.stringify(doc));
}

export interface TestGateway {
	/** Sends one request through the gateway and waits for its background work. */
	fetch(input: string | Request, init?: RequestInit): Promise<Response>;
	/** Every structured log line the gateway wrote. */
	logs: Record<string, unknown>[];
}

/** A new gateway (new isolate state) over the test env, with `overrides` on top of it. */
export function testGateway(overrides: Partial<Env> = {}, options: Omit<GatewayOptions, "log"> = {}): TestGateway {
	const logs: Record<string, unknown>[] = [];
	const app = createGateway({ ...options, log: (event) => logs.push(event) });
	return testApp(app, { ...(env as Env), ...overrides }, logs);
}

/** A Worker's app (the gateway, or an app with kvCors) as a TestGateway over `bindings`, its log lines in `logs`. */
export function testApp(
	app: { fetch(request: Request, env: object, ctx: ExecutionContext): Response | Promise<Response> },
	bindings: object,
	logs: Record<string, unknown>[],
): TestGateway {
	return {
		logs,
		async fetch(input, init) {
			const request = typeof input === "string" ? new Request(new URL(input, GATEWAY), init) : input;
			const ctx = createExecutionContext();
			const res = await app.fetch(request, bindings, ctx);
			await waitOnExecutionContext(ctx);
			return res;
		},
	};
}

export interface Recorded {
	method: string;
	url: string;
	host: string | null;
	headers: Record<string, string>;
	bodyLength: number;
	tag: string | null;
}

/** What the real upstream received with `x-test-tag: tag`. */
export async function received(tag: string, upstream = inject("upstreamUrl")): Promise<Recorded[]> {
	const res = await fetch(`${upstream}/__requests?tag=${encodeURIComponent(tag)}`);
	return (await res.json()) as Recorded[];
}

export interface UpstreamProgress {
	bytesWritten: number;
	finished: boolean;
	/** The client went away before the upstream was done answering. */
	aborted: boolean;
}

/** What the real upstream says of its `/stream` or `/slow` request with `id=<id>` (null: never seen). */
export async function upstreamProgress(id: string, upstream = inject("upstreamUrl")): Promise<UpstreamProgress | null> {
	return (await (await fetch(`${upstream}/__streams?id=${encodeURIComponent(id)}`)).json()) as UpstreamProgress | null;
}

/** Polls the upstream until request `id` was aborted by its client, for at most 10 s; returns the last progress. */
export async function abortedUpstream(id: string): Promise<UpstreamProgress | null> {
	const deadline = Date.now() + 10_000;
	let progress = await upstreamProgress(id);
	while (!progress?.aborted && Date.now() < deadline) {
		await new Promise((resolve) => setTimeout(resolve, 50));
		progress = await upstreamProgress(id);
	}
	return progress;
}

let tags = 0;
/** A tag unique to this test file run, so records of other tests never mix in. */
export function newTag(): string {
	return `t${Date.now().toString(36)}-${++tags}`;
}

/** Everything `server` (a test upstream) ever received apart from the tests' own control queries. */
export async function contactsOf(server: string): Promise<{ requests: Recorded[]; connections: string[] }> {
	const requests = (await (await fetch(`${server}/__requests`)).json()) as Recorded[];
	const connections = (await (await fetch(`${server}/__connections`)).json()) as { firstLine: string }[];
	return {
		requests,
		connections: connections.map((c) => c.firstLine).filter((line) => !/^(GET|POST) \/__[a-z]+(\?|$)/.test(line)),
	};
}

export interface KvCounter {
	reads: number;
	/** Every key read, in order. */
	keys: string[];
	fault?: (key: string) => Promise<never>;
}

const READS = new Set(["get", "getWithMetadata", "list"]);

/**
 * The real ALLOWLIST binding behind a proxy that counts every read (whatever the method)
 * and, while `counter.fault` is set, replaces each read with that failure: real KV cannot
 * be made to throw or hang.
 */
export function countingKv(fault?: (key: string) => Promise<never>): { kv: KVNamespace; counter: KvCounter } {
	const counter: KvCounter = { reads: 0, keys: [], fault };
	const kv = new Proxy(env.ALLOWLIST, {
		get(target, property, receiver) {
			const value = Reflect.get(target, property, receiver);
			if (typeof value !== "function" || !READS.has(String(property))) return value;
			return (key: unknown, ...rest: unknown[]) => {
				counter.reads++;
				counter.keys.push(String(key));
				return counter.fault ? counter.fault(String(key)) : Reflect.apply(value, target, [key, ...rest]);
			};
		},
	});
	return { kv, counter };
}

export const kvThrows = (): Promise<never> => Promise.reject(new Error("KV is down"));
export const kvHangs = (): Promise<never> => new Promise<never>(() => {});

/** What a policy does with a GET from `origin`, reading the shards it needs as the gateway would. */
export async function actionFor(policy: AnyCorsPolicy, origin: string): Promise<Decision["action"]> {
	const outcome = policy.decide({
		method: "GET",
		origin,
		requestMethod: null,
		requestHeaders: null,
		selfOrigin: GATEWAY,
		host: new URL(GATEWAY).hostname,
		path: "/",
	});
	return (await settle(outcome)).action;
}

/** A plan's manifest as a publisher switching to it now writes it. */
export function switchedTo(plan: ShardPlan): ShardManifest {
	return { ...plan.manifest, published: new Date().toISOString() };
}

/** The response's `Access-Control-*` headers, in order. */
export function accessControl(res: Response): [string, string][] {
	return [...res.headers].filter(([name]) => name.startsWith("access-control-"));
}

/** Publishes `plan` as the command line does: shards and filter first, then the document (`settings`) naming them. */
export async function publishPlan(plan: ShardPlan, settings: object): Promise<void> {
	for (const { key, value } of shardWrites(plan)) await env.ALLOWLIST.put(key, value);
	await putAllowlist({ ...settings, shards: switchedTo(plan) });
}

/** A fault for `countingKv`: reading `failing` fails; every other read reaches the real namespace. */
export function failingKey(failing: string): (key: string) => Promise<never> {
	return async (key) => {
		if (key === failing) throw new Error("injected KV failure");
		return (key.endsWith("/filter") ? env.ALLOWLIST.get(key, "arrayBuffer") : env.ALLOWLIST.get(key)) as never;
	};
}

/** The status of a preflight for `method` from `origin` through `gw`. */
export async function preflightStatus(gw: TestGateway, origin: string, method: string): Promise<number> {
	const res = await gw.fetch("/api", {
		method: "OPTIONS",
		headers: { origin, "access-control-request-method": method },
	});
	await res.arrayBuffer();
	return res.status;
}

/** A request body of `size` bytes of "x", produced 64 KiB at a time as it is read: a body that streams. */
export function streamedBody(size: number): ReadableStream<Uint8Array> {
	const chunk = new Uint8Array(64 * 1024).fill(120);
	let sent = 0;
	return new ReadableStream<Uint8Array>({
		pull(controller) {
			if (sent >= size) return controller.close();
			controller.enqueue(chunk);
			sent += chunk.length;
		},
	});
}
