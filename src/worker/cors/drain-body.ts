// A request the CORS layer answers itself (a refusal, a preflight) may carry a body that
// nobody needs. workerd keeps a connection for the next request only if the body has been
// read by the time the answer is sent: one that is still arriving (sent after the headers,
// as many clients do) makes it close the connection instead, and a client that is still
// writing into it, or has already sent its next request, sees it reset. A small body is
// therefore read and dropped before answering. A large one, or one slow to come, is not
// waited for (that would let any client make the gateway wait and work for it): the
// connection is then closed with notice (`Connection: close`), as RFC 9112 §9.6 allows.

/** Bodies up to this size are read before the gateway's own answer; larger ones never. */
export const DRAIN_MAX_BYTES = 64 * 1024;
/** How long a small body may take to arrive before the answer goes out without it. */
export const DRAIN_WAIT_MS = 1000;

/** Reads and drops `request`'s body when it is small and arrives soon; never throws. */
export async function drainSmallBody(request: Request): Promise<void> {
	const body = request.body;
	if (body === null) return;
	const declared = request.headers.get("content-length");
	if (declared !== null && !(Number(declared) <= DRAIN_MAX_BYTES)) return;
	const reader = body.getReader();
	let timer!: ReturnType<typeof setTimeout>;
	const late = new Promise<void>((resolve) => {
		timer = setTimeout(resolve, DRAIN_WAIT_MS);
	});
	try {
		await Promise.race([readUpTo(reader, DRAIN_MAX_BYTES), late]);
	} catch {
		// A body that fails to arrive changes nothing about the answer.
	} finally {
		clearTimeout(timer);
	}
}

/** Reads until the end, or cancels once more than `max` bytes came (a chunked body may be any size). */
async function readUpTo(reader: ReadableStreamDefaultReader<Uint8Array>, max: number): Promise<void> {
	let bytes = 0;
	for (;;) {
		const { done, value } = await reader.read();
		if (done) return;
		bytes += value.byteLength;
		if (bytes > max) return reader.cancel();
	}
}
