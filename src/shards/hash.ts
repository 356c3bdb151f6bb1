// MurmurHash3 (x86, 32-bit) over the code units of an ASCII string. Every key hashed here
// is a canonical origin or wildcard entry, which is ASCII by construction (punycode hosts),
// so the CLI in Node and the Worker in workerd agree without a TextEncoder pass.
export function murmur3(key: string, seed: number): number {
	const n = key.length;
	const blocks = n & ~3;
	let h = seed >>> 0;
	let i = 0;
	for (; i < blocks; i += 4) {
		let k =
			(key.charCodeAt(i) & 0xff) |
			((key.charCodeAt(i + 1) & 0xff) << 8) |
			((key.charCodeAt(i + 2) & 0xff) << 16) |
			((key.charCodeAt(i + 3) & 0xff) << 24);
		k = Math.imul(k, 0xcc9e2d51);
		k = (k << 15) | (k >>> 17);
		k = Math.imul(k, 0x1b873593);
		h ^= k;
		h = (h << 13) | (h >>> 19);
		h = (Math.imul(h, 5) + 0xe6546b64) | 0;
	}
	// The 1 to 3 tail bytes, as in the reference's fall-through switch.
	const tail = n & 3;
	if (tail > 0) {
		let k = 0;
		for (let j = tail - 1; j >= 0; j--) k ^= (key.charCodeAt(i + j) & 0xff) << (8 * j);
		k = Math.imul(k, 0xcc9e2d51);
		k = (k << 15) | (k >>> 17);
		k = Math.imul(k, 0x1b873593);
		h ^= k;
	}
	h ^= n;
	h ^= h >>> 16;
	h = Math.imul(h, 0x85ebca6b);
	h ^= h >>> 13;
	h = Math.imul(h, 0xc2b2ae35);
	h ^= h >>> 16;
	return h >>> 0;
}
