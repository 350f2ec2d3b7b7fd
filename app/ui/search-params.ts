// A page's URL query as the API reads it: repeated keys become comma lists, empty values are
// dropped, so the page and the API validate the same strings with the same zod schema.
export type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export function queryValues(params: Record<string, string | string[] | undefined>, only?: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(params)) {
    if (only && !only.includes(key)) continue;
    const joined = (Array.isArray(value) ? value : [value]).filter((v): v is string => !!v && v.trim() !== "").join(",");
    if (joined) out[key] = joined;
  }
  return out;
}
