// Structural sharing between two snapshots: the parts of the new one that are equal to
// the same parts of the one before are replaced by those (the same objects), so a
// selector returns the reference it returned before and React skips every component
// whose part did not change. A snapshot is plain JSON (the brain's, parsed or cloned):
// objects, arrays and primitives only.

/** `next`, with every part deep-equal to the same part of `previous` taken from `previous`. */
export function shareUnchanged<T>(previous: unknown, next: T): T {
  if (Object.is(previous, next) || typeof previous !== 'object' || typeof next !== 'object' || previous === null || next === null) return next;
  if (Array.isArray(next)) {
    if (!Array.isArray(previous)) return next;
    let same = previous.length === next.length;
    const shared = next.map((value: unknown, index) => {
      const kept = shareUnchanged(previous[index], value);
      if (kept !== previous[index]) same = false;
      return kept;
    });
    return (same ? previous : shared) as T;
  }
  if (Array.isArray(previous)) return next;
  const before = previous as Record<string, unknown>;
  const keys = Object.keys(next);
  let same = keys.length === Object.keys(before).length;
  const shared: Record<string, unknown> = {};
  for (const key of keys) {
    const kept = shareUnchanged(before[key], (next as Record<string, unknown>)[key]);
    if (kept !== before[key] || !Object.hasOwn(before, key)) same = false;
    shared[key] = kept;
  }
  return (same ? previous : shared) as T;
}
