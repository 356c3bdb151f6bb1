// The gateway's local KV namespace, opened from the test process with wrangler's
// getPlatformProxy: a write lands in the store `wrangler dev --persist-to` reads the moment
// `put` resolves, so a case can time a change from the write itself. (`wrangler kv key put`
// spends seconds starting up around its write, longer than the refresh interval under test.)
import { join } from "node:path";
import { getPlatformProxy } from "wrangler";
import { ROOT } from "../../../tools/wrangler.ts";
import type { AllowlistDocument } from "./allowlists.ts";

export interface AllowlistKv {
	/** Stores `doc` under the key `allowlist`; resolves with Date.now() once it is stored. */
	put(doc: AllowlistDocument): Promise<number>;
	dispose(): Promise<void>;
}

export async function openAllowlistKv(persistDir: string): Promise<AllowlistKv> {
	const proxy = await getPlatformProxy<{ ALLOWLIST: KVNamespace }>({
		configPath: join(ROOT, "wrangler.toml"),
		// wrangler's layout: `--persist-to DIR` keeps its local resources under DIR/v3.
		persist: { path: join(persistDir, "v3") },
		remoteBindings: false,
	});
	return {
		put: async (doc) => {
			await proxy.env.ALLOWLIST.put("allowlist", JSON.stringify(doc));
			return Date.now();
		},
		dispose: () => proxy.dispose(),
	};
}
