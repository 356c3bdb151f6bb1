// Bounds a wait on I/O: the KV reads of the allowlist store, an upstream's response headers.

/**
 * `promise`, or a rejection with `timedOut()` once `ms` have passed. What was awaited is
 * abandoned rather than cancelled (an AbortSignal costs a forwarded request more CPU than
 * the rest of the gateway); the runtime cancels a request's leftover I/O when it ends.
 */
export async function withTimeout<T>(promise: Promise<T>, ms: number, timedOut: () => Error): Promise<T> {
	let timer!: ReturnType<typeof setTimeout>;
	const deadline = new Promise<never>((_, reject) => {
		timer = setTimeout(() => reject(timedOut()), ms);
	});
	try {
		return await Promise.race([promise, deadline]);
	} finally {
		clearTimeout(timer);
	}
}
