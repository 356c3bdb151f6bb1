// Cold starts as an operator meets them: a fresh workerd process per sample, the
// allowlist already in its (persisted) local KV, one Worker. Timed from the moment
// workerd is ready to the first answer, then a warm answer's time (the median of
// sequential requests to the same isolate) is taken off: what the start adds.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Miniflare, type MiniflareOptions, type WorkerOptions } from "miniflare";
import type { Cold } from "./report.ts";
import { median } from "./stats.ts";

export interface ColdSubject {
	/** The Worker's name (its KV namespace is found by it). */
	name: string;
	/** What the report calls it: "inline 30,000", "sharded 1,000,000"… */
	label: string;
	/** The allowlist's entries (null: a Worker that reads none). */
	entries: number | null;
	worker: WorkerOptions;
	/** Writes its allowlist into KV, once, before the samples. */
	seed?(kv: KvWriter): Promise<unknown>;
	/** The request, and the status it must get. */
	origin: string;
	url: string;
}

export interface KvWriter {
	put(key: string, value: string | ArrayBufferView): Promise<unknown>;
}

/** Shared workerd options: host, port, offline, logs dropped. */
export type Shared = Omit<MiniflareOptions, "workers">;

export const WARM_SAMPLES = 20;

/** Times `samples` fresh starts of `subject`; records unexpected answers in `failures`. */
export async function coldStart(
	subject: ColdSubject,
	shared: Shared,
	samples: number,
	failures: string[],
): Promise<Cold> {
	const dir = await mkdtemp(join(tmpdir(), "cors-gateway-bench-cold-"));
	const options: MiniflareOptions = { ...shared, resourcePersistencePath: dir, workers: [subject.worker] };
	try {
		if (subject.seed !== undefined) {
			const writer = new Miniflare(options);
			try {
				await subject.seed(await writer.getKVNamespace("ALLOWLIST", subject.name));
			} finally {
				await writer.dispose();
			}
		}
		const cold: Cold = { first: [], warm: [] };
		const time = async (where: string) => {
			const start = performance.now();
			const res = await fetch(subject.url, { headers: { origin: subject.origin } });
			await res.arrayBuffer();
			const ms = performance.now() - start;
			if (res.status !== 200) failures.push(`${where} of ${subject.label}: status ${res.status}, expected 200`);
			return ms;
		};
		for (let sample = 0; sample < samples; sample++) {
			const mf = new Miniflare(options);
			try {
				await mf.ready;
				cold.first.push(await time("cold start"));
				const warm: number[] = [];
				for (let i = 0; i < WARM_SAMPLES; i++) warm.push(await time("warm request"));
				cold.warm.push(median(warm));
			} finally {
				await mf.dispose();
			}
		}
		return cold;
	} finally {
		await rm(dir, { recursive: true, force: true });
	}
}

/** What the start added: median first answer − median warm answer, in ms. */
export const added = (c: Cold): number => median(c.first) - median(c.warm);
