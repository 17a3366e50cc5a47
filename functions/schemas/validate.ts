/**
 * The query validator every route uses: the endpoint's valibot object, strict (an unknown parameter is a 400
 * that lists the valid ones, with a "did you mean" for a near miss), through @hono/standard-validator. Messages
 * are built from the parameter's JSON Schema, so a 400 says what the OpenAPI document says.
 */
import { sValidator } from '@hono/standard-validator';
import { toJsonSchema, type ConversionConfig } from '@valibot/to-json-schema';
import type { StandardSchemaV1 } from '@standard-schema/spec';
import * as v from 'valibot';
import { badRequest } from '../core/errors.js';
import { expected, type Json } from './words.js';

export type Entries = v.ObjectEntries;
export type QuerySchema = v.ObjectSchema<Entries, undefined>;

/** A finite number needs no keyword: JSON has no Infinity or NaN. */
export const JSON_SCHEMA: ConversionConfig = { typeMode: 'output', target: 'draft-2020-12', ignoreActions: ['finite'] };

const jsonCache = new WeakMap<object, Json>();
/** The JSON Schema of one parameter (its output type: what the value means, not the string it arrives as). */
export function jsonOf(schema: v.GenericSchema): Json {
  let j = jsonCache.get(schema);
  if (!j) {
    const { $schema, ...rest } = toJsonSchema(schema, JSON_SCHEMA) as Json;
    j = rest;
    jsonCache.set(schema, j);
  }
  return j;
}

function distance(a: string, b: string): number {
  const d = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0];
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const t = d[j];
      d[j] = Math.min(d[j] + 1, d[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = t;
    }
  }
  return d[b.length];
}

/** The nearest valid name within two edits (or with the same letters ignoring case, _ and -), if any. */
export function nearest(name: string, valid: string[]): string | undefined {
  const norm = (s: string) => s.toLowerCase().replace(/[-_]/g, '');
  let best: string | undefined,
    bestD = 3;
  for (const n of valid) {
    const dist = norm(n) === norm(name) ? 0 : distance(name.toLowerCase(), n);
    if (dist < bestD) [best, bestD] = [n, dist];
  }
  return best;
}

function message(entries: Entries, issue: StandardSchemaV1.Issue, raw: Record<string, unknown>): string {
  const seg = issue.path?.[0];
  const key = String(typeof seg === 'object' ? seg.key : seg);
  const valid = Object.keys(entries);
  if (!Object.hasOwn(entries, key)) {
    const near = nearest(key, valid);
    const known = valid.length ? `valid parameters: ${valid.join(', ')}` : 'this endpoint takes no query parameters';
    return `unknown parameter "${key}"${near ? ` (did you mean "${near}"?)` : ''}; ${known}`;
  }
  const j = jsonOf(entries[key] as v.GenericSchema),
    got = raw[key];
  if (Array.isArray(got) && j.type !== 'array') return `${key} is given ${got.length} times; give it once`;
  const n = Number(got);
  if (j['x-cap'] && Number.isInteger(n) && j.maximum !== undefined && n > j.maximum)
    return `${key} is ${n}, over the cap of ${j.maximum} (${j['x-cap']}): iterative work per request is bounded`;
  return `${key} must be ${expected(j)}; got ${JSON.stringify(got)}`;
}

/** Validates, coerces and defaults the query string against `schema`; refuses what it does not describe. */
export function query<S extends QuerySchema>(schema: S) {
  return sValidator('query', v.strictObject(schema.entries) as unknown as S, (result, c) => {
    if (result.success) return;
    const raw = result.data as Record<string, unknown>;
    const seen = new Set<string>();
    const details = (result.error as readonly StandardSchemaV1.Issue[])
      .map((i) => message(schema.entries, i, raw))
      .filter((m) => !seen.has(m) && seen.add(m));
    throw badRequest(details.join('; '), { path: new URL(c.req.url).pathname });
  });
}
