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

/** FNV-1a from `seed` (instead of the fixed offset basis) of `prefix` followed by `key` from `from` on. */
function hashOf(seed: number, prefix: string, key: string, from: number): number {
	let h = seed;
	for (let i = 0; i < prefix.length; i++) h = Math.imul(h ^ prefix.charCodeAt(i), FNV_PRIME);
	for (let i = from; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), FNV_PRIME);
	return h;
}

/** Whether `member` is `prefix` followed by `key` from `from` on. */
function isJoined(member: string, prefix: string, key: string, from: number): boolean {
	if (member.length !== prefix.length + key.length - from || !member.startsWith(prefix)) return false;
	for (let i = from, j = prefix.length; i < key.length; i++, j++) {
		if (member.charCodeAt(j) !== key.charCodeAt(i)) return false;
	}
	return true;
}

export class EntrySet {
	private readonly members: string[] = [];
	/** Open addressing, linear probing, at most half full: per slot, a member's hash and its index + 1 (0: empty). */
	private hashes = new Int32Array(0);
	private slots = new Int32Array(0);
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
		if ((this.members.length + 1) * 2 > this.slots.length) this.grow();
		const h = hashOf(this.seed, "", entry, 0);
		const mask = this.slots.length - 1;
		let p = h >>> this.shift;
		for (let s = this.slots[p] as number; s !== 0; s = this.slots[p] as number) {
			if (this.hashes[p] === h && this.members[s - 1] === entry) return false;
			p = (p + 1) & mask;
		}
		this.members.push(entry);
		this.hashes[p] = h;
		this.slots[p] = this.members.length;
		return true;
	}

	/** The member equal to `prefix` followed by `key` from `from` (at most its length) on, without building that string. */
	find(key: string, from = 0, prefix = ""): string | undefined {
		const h = hashOf(this.seed, prefix, key, from);
		const mask = this.slots.length - 1;
		let p = h >>> this.shift;
		for (let s = this.slots[p] as number; s !== 0; s = this.slots[p] as number) {
			if (this.hashes[p] === h) {
				const member = this.members[s - 1] as string;
				if (from === 0 && prefix === "" ? member === key : isJoined(member, prefix, key, from)) return member;
			}
			p = (p + 1) & mask;
		}
		return undefined;
	}

	private allocate(bits: number): void {
		this.hashes = new Int32Array(1 << bits);
		this.slots = new Int32Array(1 << bits);
		this.shift = 32 - bits;
	}

	/** Twice the slots; members keep their hashes, so no string is read again. */
	private grow(): void {
		const hashes = this.hashes;
		const slots = this.slots;
		this.allocate(33 - this.shift);
		const mask = this.slots.length - 1;
		for (let q = 0; q < slots.length; q++) {
			const s = slots[q] as number;
			if (s === 0) continue;
			const h = hashes[q] as number;
			let p = h >>> this.shift;
			while (this.slots[p] !== 0) p = (p + 1) & mask;
			this.hashes[p] = h;
			this.slots[p] = s;
		}
	}
}
