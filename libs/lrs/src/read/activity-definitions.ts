type Json = Record<string, unknown>;

/** Members whose value is a map merged key by key (language maps; extensions by IRI). */
const MERGED_MAPS = new Set(['name', 'description', 'extensions']);

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * One Activity definition from the definitions statements gave it, oldest first (Communication 2.5: "all
 * available information"): a later definition replaces each member it has, except that language maps and
 * extensions are merged key by key, so a translation sent once is not lost when a later statement
 * carries only other languages. Undefined when there is none.
 */
export function mergeActivityDefinitions(definitions: readonly Json[]): Json | undefined {
  if (definitions.length === 0) return undefined;
  const merged: Json = {};
  for (const definition of definitions) {
    for (const [member, value] of Object.entries(definition)) {
      const earlier = merged[member];
      merged[member] =
        MERGED_MAPS.has(member) && isObject(earlier) && isObject(value) ? { ...earlier, ...value } : value;
    }
  }
  return merged;
}
