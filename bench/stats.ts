// Medians and spreads of per-round figures.

export function median(values: readonly number[]): number {
	if (values.length === 0) return Number.NaN;
	const sorted = [...values].sort((a, b) => a - b);
	const mid = sorted.length >> 1;
	return sorted.length % 2 === 1
		? (sorted[mid] as number)
		: ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** (max − min) / median, in percent: how far the rounds disagree. */
export function spreadPercent(values: readonly number[]): number {
	if (values.length < 2) return Number.NaN;
	return ((Math.max(...values) - Math.min(...values)) / median(values)) * 100;
}

export function fixed(value: number, digits: number): string {
	return Number.isFinite(value) ? value.toFixed(digits) : "–";
}

export function whole(value: number): string {
	return Number.isFinite(value) ? Math.round(value).toLocaleString("en-US") : "–";
}
