// For test files: put an allowlist document in force on the running gateway.
import { inject } from "vitest";
import { type Written, waitUntilServed, writeAllowlist } from "./allowlist-kv.ts";
import type { AllowlistDocument } from "./allowlists.ts";

/** Generous: a KV write is read within ALLOWLIST_REFRESH_SECONDS; this only catches a hang. */
const IN_FORCE_TIMEOUT_MS = 30_000;

/** Writes `doc` to KV and returns once the gateway decides by it. */
export async function useAllowlist(doc: AllowlistDocument): Promise<Written> {
	const written = await writeAllowlist(inject("e2e").persistDir, doc);
	await waitUntilServed(written.marker, IN_FORCE_TIMEOUT_MS);
	return written;
}
