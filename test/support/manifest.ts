// A valid one-shard manifest, for documents whose `shards` field only needs to be there.
export const ONE_SHARD = {
	version: "v1",
	count: 1,
	entries: 1,
	seed: 1,
	wildcardDepths: [],
	published: "2026-11-26T01:30:00.000Z",
};
