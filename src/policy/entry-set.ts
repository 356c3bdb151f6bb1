// A set of allowlist entries (canonical exact origins and wildcard entries such as
// `https://*.example.com`), built once per document at an isolate's first request. A
// built-in Set of 100,000 strings spends most of that time hashing and regrowing; this one
// is sized for the document up front, hashes each entry with one tight loop (FNV-1a) into
// typed arrays, and looks a wildcard up from the request's own string without building the
// candidate entry. A hash only picks the slot: a member is found only when every character
// is equal, so a collision costs a comparison, never a wrong answer. The hash starts from a
// random seed per set, as the engine's own hashes do: entries a tenant chooses (its custom
// domains) cannot be crafted to collide and make a cold start slow.

const FNV_PRIME = 0x01000193;
const MIN_BITS = 3;

/** FNV-1a from `seed` (instead of the fixed offset basis) of `prefix` followed by `key` from `from` to `end`. */
function hashOf(seed: number, prefix: string, key: string, from: number, end: number): number {
	let h = seed;
	for (let i = 0; i < prefix.length; i++) h = Math.imul(h ^ prefix.charCodeAt(i), FNV_PRIME);
	for (let i = from; i < end; i++) h = Math.imul(h ^ key.charCodeAt(i), FNV_PRIME);
	return h;
}

/** Whether `member` is `prefix` followed by `key` from `from` to `end`. */
function isJoined(member: string, prefix: string, key: string, from: number, end: number): boolean {
	if (member.length !== prefix.length + end - from || !member.startsWith(prefix)) return false;
	for (let i = from, j = prefix.length; i < end; i++, j++) {
		if (member.charCodeAt(j) !== key.charCodeAt(i)) return false;
	}
	return true;
}

export class EntrySet {
	private readonly members: string[] = [];
	/**
	 * Open addressing, linear probing, at most half full. Slot p is table[2p], a member's
	 * index + 1 (0: empty), beside its hash in table[2p + 1]: one cache line holds both,
	 * which a 1,000,000-entry table (16 MiB) needs to stay close to a small one's speed.
	 */
	private table = new Int32Array(0);
	/** A slot is the hash's top bits: they depend on every character, FNV-1a's low bits do not. */
	private shift = 0;

	private readonly seed: number;

	/**
	 * `expected`: how many members to make room for at once (more only cost a regrowth).
	 * `seed`: where the hash starts; tests choose it to make hashes collide.
	 */
	constructor(expected = 0, seed = (Math.random() * 2 ** 32) | 0) {
		this.seed = seed;
		let bits = MIN_BITS;
		while (1 << bits < expected * 2 && bits < 30) bits++;
		this.allocate(bits);
	}

	get size(): number {
		return this.members.length;
	}

	/** Adds `entry`; false when it is a member already. */
	add(entry: string): boolean {
		if ((this.members.length + 1) * 4 > this.table.length) this.grow();
		const h = hashOf(this.seed, "", entry, 0, entry.length);
		const table = this.table;
		const mask = table.length - 2;
		let p = (h >>> this.shift) << 1;
		for (let s = table[p] as number; s !== 0; s = table[p] as number) {
			if (table[p + 1] === h && this.members[s - 1] === entry) return false;
			p = (p + 2) & mask;
		}
		this.members.push(entry);
		table[p] = this.members.length;
		table[p + 1] = h;
		return true;
	}

	/** The member equal to `prefix` followed by `key` from `from` to `end`, without building that string. */
	find(key: string, from = 0, prefix = "", end = key.length): string | undefined {
		const h = hashOf(this.seed, prefix, key, from, end);
		const table = this.table;
		const mask = table.length - 2;
		let p = (h >>> this.shift) << 1;
		for (let s = table[p] as number; s !== 0; s = table[p] as number) {
			if (table[p + 1] === h) {
				const member = this.members[s - 1] as string;
				if (
					from === 0 && prefix === "" && end === key.length ? member === key : isJoined(member, prefix, key, from, end)
				)
					return member;
			}
			p = (p + 2) & mask;
		}
		return undefined;
	}

	/** Room for 2^bits slots. */
	private allocate(bits: number): void {
		this.table = new Int32Array(2 << bits);
		this.shift = 32 - bits;
	}

	/** Twice the slots; members keep their hashes, so no string is read again. */
	private grow(): void {
		const old = this.table;
		this.allocate(33 - this.shift);
		const table = this.table;
		const mask = table.length - 2;
		for (let q = 0; q < old.length; q += 2) {
			const s = old[q] as number;
			if (s === 0) continue;
			const h = old[q + 1] as number;
			let p = (h >>> this.shift) << 1;
			while (table[p] !== 0) p = (p + 2) & mask;
			table[p] = s;
			table[p + 1] = h;
		}
	}
}
