// The soak run's plan: the two allowlists it switches between, the request mix, and what
// each request shape must get under each allowlist, computed by the project's own policy core.
import { type CorsPolicy, compileAllowlist } from "../../src/policy/index.ts";

// Chosen so that A and B disagree on origins, methods and headers: a request decided with
// parts of both (a half-applied allowlist) gets an answer that neither would give.
export const POLICY_A = {
	origins: ["https://app.example.com", "https://*.tenant.example.com"],
	methods: ["GET", "HEAD", "POST", "PUT"],
	headers: ["x-custom"],
	exposeHeaders: ["x-request-id"],
	maxAge: 600,
};
export const POLICY_B = {
	origins: ["https://app.example.com", "https://new.example.org"],
	methods: ["GET", "HEAD", "POST", "PUT", "DELETE"],
	headers: ["x-custom", "x-other"],
	exposeHeaders: ["x-request-id", "x-trace"],
	credentials: true,
	maxAge: 300,
};

export type PolicyName = "A" | "B";

export interface Shape {
	name: string;
	method: string;
	headers: Record<string, string>;
	body?: string;
	/** The body is streamed a moment after the headers (chunked), as many clients send it. */
	late?: true;
}

// Bodies of several sizes, on allowed requests (streamed to the upstream) and on refused
// ones (never read by the gateway): a refusal must leave its keep-alive connection usable.
const BODY = { small: '{"n":1}', "64 KiB": "x".repeat(64 * 1024), "256 KiB": "x".repeat(256 * 1024) };

export const SHAPES: Shape[] = [
	{ name: "allowed GET", method: "GET", headers: { origin: "https://app.example.com" } },
	{ name: "allowed POST", method: "POST", headers: { origin: "https://app.example.com" }, body: BODY.small },
	{
		name: "allowed PUT, 256 KiB",
		method: "PUT",
		headers: { origin: "https://app.example.com" },
		body: BODY["256 KiB"],
	},
	{ name: "refused POST", method: "POST", headers: { origin: "https://evil.example.net" }, body: BODY.small },
	{
		name: "refused POST, 64 KiB",
		method: "POST",
		headers: { origin: "https://evil.example.net" },
		body: BODY["64 KiB"],
	},
	{
		name: "refused PUT, 256 KiB",
		method: "PUT",
		headers: { origin: "https://evil.example.net" },
		body: BODY["256 KiB"],
	},
	{
		name: "refused POST, body after its headers",
		method: "POST",
		headers: { origin: "https://evil.example.net" },
		body: BODY.small,
		late: true,
	},
	{
		name: "allowed POST, body after its headers",
		method: "POST",
		headers: { origin: "https://app.example.com" },
		body: BODY.small,
		late: true,
	},
	{ name: "malformed Origin POST", method: "POST", headers: { origin: "https://app.example.com/" }, body: BODY.small },
	{ name: "wildcard GET (A only)", method: "GET", headers: { origin: "https://shop.tenant.example.com" } },
	{ name: "new origin GET (B only)", method: "GET", headers: { origin: "https://new.example.org" } },
	{ name: "refused GET", method: "GET", headers: { origin: "https://evil.example.net" } },
	{ name: "malformed Origin", method: "GET", headers: { origin: "https://app.example.com/" } },
	{ name: "no Origin", method: "GET", headers: {} },
	{
		name: "preflight PUT x-custom",
		method: "OPTIONS",
		headers: {
			origin: "https://app.example.com",
			"access-control-request-method": "PUT",
			"access-control-request-headers": "x-custom",
		},
	},
	{
		name: "preflight DELETE (B only)",
		method: "OPTIONS",
		headers: { origin: "https://new.example.org", "access-control-request-method": "DELETE" },
	},
	{
		// Refused by A (method) and by B (origin): approved only by a half-applied mix.
		name: "preflight DELETE from the wildcard (neither)",
		method: "OPTIONS",
		headers: { origin: "https://shop.tenant.example.com", "access-control-request-method": "DELETE" },
	},
	{
		name: "preflight x-other (B only)",
		method: "OPTIONS",
		headers: {
			origin: "https://app.example.com",
			"access-control-request-method": "GET",
			"access-control-request-headers": "x-other",
		},
	},
	{
		name: "refused preflight",
		method: "OPTIONS",
		headers: { origin: "https://evil.example.net", "access-control-request-method": "GET" },
	},
];

/** What a response must be: its status, and its `access-control-*` headers (sorted name/value pairs, as JSON). */
export interface Expected {
	status: number;
	cors: string;
}

/** What each shape of SHAPES (same index) must get from the gateway at `gatewayUrl`, under A and under B. */
export function expectations(gatewayUrl: string): Record<PolicyName, Expected>[] {
	const policies = { A: compile(POLICY_A), B: compile(POLICY_B) };
	return SHAPES.map((shape) => ({
		A: expected(policies.A, shape, gatewayUrl),
		B: expected(policies.B, shape, gatewayUrl),
	}));
}

/** The path every soak request goes to. */
export const SOAK_PATH = "/api/soak";

function compile(doc: object): CorsPolicy {
	const result = compileAllowlist(doc);
	if (!result.ok) throw new Error(`soak: invalid built-in policy: ${JSON.stringify(result.problems)}`);
	return result.policy;
}

function expected(policy: CorsPolicy, shape: Shape, selfOrigin: string): Expected {
	const decision = policy.decide({
		method: shape.method,
		origin: shape.headers.origin ?? null,
		requestMethod: shape.headers["access-control-request-method"] ?? null,
		requestHeaders: shape.headers["access-control-request-headers"] ?? null,
		selfOrigin,
		// Where the clients send every request (drive.ts).
		host: new URL(selfOrigin).hostname,
		path: SOAK_PATH,
	});
	const status = decision.action === "preflight" ? 204 : decision.action === "refuse" ? 403 : 200;
	const cors = Object.fromEntries(
		decision.headers
			.filter(([name]) => name.toLowerCase().startsWith("access-control-"))
			.map(([name, value]) => [name.toLowerCase(), value]),
	);
	return { status, cors: JSON.stringify(Object.entries(cors).sort()) };
}
