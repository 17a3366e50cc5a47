/**
 * The options an answer echoes ("as understood", defaults filled in): only those that apply to the chosen method.
 * Each endpoint with methods lists every method's own options; an option no method lists applies to all.
 */
export type OwnOptions<Q extends { method: string }> = Record<Q['method'], readonly (keyof Q & string)[]>;

export function echoed<Q extends { method: string }>(q: Q, own: OwnOptions<Q>): Partial<Q> {
  const lists: readonly string[][] = Object.values(own);
  const mine = new Set<string>(own[q.method as Q['method']]);
  const others = new Set(lists.flat().filter((k) => !mine.has(k)));
  return Object.fromEntries(Object.entries(q).filter(([k]) => !others.has(k))) as Partial<Q>;
}
