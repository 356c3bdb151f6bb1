// The local namespace (`--local`, the default), opened once per command, in this process,
// through wrangler's getPlatformProxy: the wrangler config, environment and persisted
// store that `wrangler kv --local` and `wrangler dev` use, without starting wrangler anew
// for every read and write (about 3 s each; a write makes several).
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { stripVTControlCharacters } from "node:util";
import { errorMessage } from "../worker/log.ts";
import { WranglerError } from "./errors.ts";
import { wranglerFile } from "./wrangler-package.ts";

/** Which local store: wrangler's flags. */
export interface LocalPlace {
	env?: string;
	config?: string;
	persistTo?: string;
}

interface Proxy {
	env: Record<string, unknown>;
	dispose(): Promise<void>;
}

let open: { place: string; proxy: Promise<Proxy> } | undefined;

/** The local KV namespace bound as ALLOWLIST, opened on first use and kept until closeLocalKv. */
export async function localNamespace(place: LocalPlace): Promise<KVNamespace> {
	const key = JSON.stringify([place.env, place.config, place.persistTo]);
	if (open?.place !== key) {
		await closeLocalKv();
		open = { place: key, proxy: start(place) };
	}
	const namespace = (await open.proxy).env.ALLOWLIST as KVNamespace | undefined;
	if (typeof namespace?.get !== "function" || typeof namespace.list !== "function") {
		const env = place.env === undefined ? "" : ` for env ${place.env}`;
		throw new WranglerError(
			`no KV namespace is bound as ALLOWLIST in the wrangler config${env}: add [[kv_namespaces]] with binding = "ALLOWLIST" (see wrangler.toml)`,
			1,
		);
	}
	return namespace;
}

/** Stops the local runtime, if one was started: a command's last step. */
export async function closeLocalKv(): Promise<void> {
	const closing = open;
	open = undefined;
	const proxy = await closing?.proxy.catch(() => undefined);
	await proxy?.dispose();
}

async function start(place: LocalPlace): Promise<Proxy> {
	// Only errors: wrangler's notes would mix into what the command prints (pull > file).
	process.env.WRANGLER_LOG ??= "error";
	const wrangler = (await import(pathToFileURL(wranglerFile("wrangler-dist/cli.js")).href)) as {
		getPlatformProxy(options: object): Promise<Proxy>;
	};
	try {
		return await wrangler.getPlatformProxy({
			configPath: place.config,
			environment: place.env,
			// wrangler's layout: `--persist-to DIR` keeps its local resources under DIR/v3.
			persist: place.persistTo === undefined ? true : { path: join(place.persistTo, "v3") },
			remoteBindings: false,
		});
	} catch (error) {
		throw new WranglerError(stripVTControlCharacters(errorMessage(error)), 1);
	}
}
