/**
 * A model's name is its folder under models/ and its URL segment (/models/<name>/...): lower case letters, digits,
 * - and _. One rule for the trainer, the importer and the registry (scripts/registry.ts), applied before any work.
 */
export const MODEL_NAME = /^[a-z0-9][a-z0-9_-]*$/;

/** A name given with --name: returned as it is, or refused naming the rule (never changed behind the user's back). */
export function checkModelName(name: string): string {
  if (!MODEL_NAME.test(name))
    throw new Error(
      `--name "${name}": a model's name is its folder and URL, so lower case letters, digits, - and _ only, starting with a letter or digit (e.g. ${slugName(name, 'my-model')})`,
    );
  return name;
}

/** A name made from a folder's name ("My Letters" -> "my-letters"); `fallback` when nothing usable is left. */
export function slugName(s: string, fallback?: string): string {
  const slug = s
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^[-_]+|-+$/g, '');
  if (slug) return slug;
  if (fallback) return fallback;
  throw new Error(`"${s}" gives no model name (lower case letters, digits, - and _): pass --name NAME`);
}
