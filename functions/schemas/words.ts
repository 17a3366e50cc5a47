/**
 * A parameter's JSON Schema said in words: "an integer from 1 to 64 (default 25)". Used by the 400 messages and
 * the /docs page, so both say what the OpenAPI document says.
 */
export type Json = Record<string, any>;

const list = (a: unknown[]) => a.map((x) => (typeof x === 'string' ? `"${x}"` : String(x))).join(', ');

function range(s: Json): string {
  const lo = s.minimum,
    hi = s.maximum;
  if (lo !== undefined && hi !== undefined) return ` from ${lo} to ${hi}`;
  if (lo !== undefined) return ` of at least ${lo}`;
  if (hi !== undefined) return ` of at most ${hi}`;
  return '';
}

/** What a value must be, without the default. */
export function expected(s: Json): string {
  if (s['x-words']) return s['x-words'];
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (s.enum) return `one of ${list(s.enum)}`;
  if (s.anyOf) return (s.anyOf as Json[]).map(expected).join(' or ');
  switch (s.type) {
    case 'integer':
      return `an integer${range(s)}`;
    case 'number':
      return `a number${range(s)}`;
    case 'boolean':
      return 'true or false (or 1 or 0)';
    case 'string':
      return s.minLength ? 'a non-empty text' : 'a text';
    case 'array': {
      const n =
        s.minItems === s.maxItems
          ? `${s.minItems}`
          : s.maxItems !== undefined
            ? `${s.minItems ?? 0} to ${s.maxItems}`
            : `at least ${s.minItems ?? 0}`;
      const item = expected(s.items ?? {}).replace(/^an? /, '');
      return `a comma-separated list of ${n} ${item.replace(/^(integer|number|text)/, '$1s')}`;
    }
  }
  return 'a value';
}

export function inWords(s: Json): string {
  const d = s.default;
  return `${expected(s)}${d === undefined ? '' : `; default ${Array.isArray(d) ? d.join(',') : String(d)}`}`;
}
