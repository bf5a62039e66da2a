/** A plain object (not null, not an array), as parsed JSON/YAML maps are. */
export function isRecord(u: unknown): u is Record<string, unknown> {
  return typeof u === 'object' && u !== null && !Array.isArray(u);
}
