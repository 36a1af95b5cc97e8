// The statistics every benchmark reports: percentiles by linear interpolation between
// the closest ranks, and rounding for the JSON.

export const round = (value: number, digits = 1): number => +value.toFixed(digits);

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (rank - low);
}
