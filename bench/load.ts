// The load generator, in its own process so its CPU never counts as the Worker's: runs
// one autocannon measurement at a time on the parent's request (IPC) and records every
// response's status and latency itself (autocannon's histogram rounds to whole ms).
import autocannon from "autocannon";

export interface LoadRequest {
	url: string;
	method: string;
	headers: Record<string, string>;
	connections: number;
	seconds: number;
	/**
	 * A flood instead of a timed run: this many requests, each with its own random
	 * `Origin` (`https://<random>.<random>.example`), replacing any in `headers`.
	 */
	randomOrigins?: number;
}

export interface LoadResult {
	requests: number;
	seconds: number;
	rps: number;
	p50Ms: number;
	p99Ms: number;
	/** Connection errors and timeouts, from autocannon. */
	errors: number;
	/** Responses per HTTP status. */
	statuses: Record<string, number>;
}

const randomLabel = () => Math.random().toString(36).slice(2, 12);

function percentile(sorted: Float64Array, p: number): number {
	if (sorted.length === 0) return Number.NaN;
	return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

async function measure(req: LoadRequest): Promise<LoadResult> {
	let latencies = new Float64Array(1 << 16);
	let count = 0;
	const statuses: Record<string, number> = {};
	const record = (status: number, ms: number) => {
		if (count === latencies.length) {
			const grown = new Float64Array(latencies.length * 2);
			grown.set(latencies);
			latencies = grown;
		}
		latencies[count++] = ms;
		statuses[status] = (statuses[status] ?? 0) + 1;
	};
	const result = await new Promise<autocannon.Result>((resolve, reject) => {
		const options: autocannon.Options = {
			url: req.url,
			method: req.method as autocannon.Request["method"],
			headers: req.headers,
			connections: req.connections,
			pipelining: 1,
			timeout: 30,
			...(req.randomOrigins === undefined
				? { duration: req.seconds }
				: {
						amount: req.randomOrigins,
						requests: [
							{
								setupRequest: (r: autocannon.Request) => ({
									...r,
									headers: { ...r.headers, origin: `https://${randomLabel()}.${randomLabel()}.example` },
								}),
							},
						],
					}),
		};
		const instance = autocannon(options, (error, r) => (error ? reject(error) : resolve(r)));
		instance.on("response", (_client, status, _bytes, ms) => record(status, ms));
	});
	const sorted = latencies.subarray(0, count).sort();
	return {
		requests: count,
		seconds: result.duration,
		rps: count / result.duration,
		p50Ms: percentile(sorted, 50),
		p99Ms: percentile(sorted, 99),
		errors: result.errors,
		statuses,
	};
}

process.on("message", (message: LoadRequest) => {
	measure(message).then(
		(result) => process.send?.({ ok: true, result }),
		(error: unknown) => process.send?.({ ok: false, error: String(error) }),
	);
});
process.on("disconnect", () => process.exit(0));
process.send?.({ ready: true });
