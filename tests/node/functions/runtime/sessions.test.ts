/**
 * The isolate's session cache: least recently used sessions are released until a new one fits the budget; a session
 * in use is released only when its last run ends; a graph over the budget is a 503 before anything loads; a failed
 * load is not kept.
 */
import { describe, expect, it } from 'vitest';
import { Problem } from '../../../../functions/core/errors.js';
import { SessionCache } from '../../../../functions/runtime/sessions.js';

type Session = Parameters<Parameters<SessionCache['use']>[3]>[0];

function fakes() {
  const released: string[] = [],
    loaded: string[] = [];
  const load = (key: string) => async () => {
    loaded.push(key);
    return { release: async () => void released.push(key) } as unknown as Session;
  };
  return { released, loaded, load };
}
const tick = () => new Promise((r) => setTimeout(r, 0));

describe('SessionCache', () => {
  it('keeps sessions within its budget, releasing the least recently used', async () => {
    const cache = new SessionCache(100);
    const { released, loaded, load } = fakes();
    const use = (k: string, bytes: number) => cache.use(k, bytes, load(k), async () => k);
    await use('a', 40);
    await use('b', 40);
    await use('a', 40); // a is now the most recent
    await use('c', 40); // 120 > 100: b goes
    await tick();
    expect(cache.keys).toEqual(['a', 'c']);
    expect(released).toEqual(['b']);
    expect(cache.usedBytes).toBe(80);
    expect(loaded).toEqual(['a', 'b', 'c']); // a was not loaded twice
  });

  it('releases a session evicted while in use only when its run ends', async () => {
    const cache = new SessionCache(50);
    const { released, load } = fakes();
    let finish!: () => void;
    const long = cache.use('a', 40, load('a'), () => new Promise<void>((r) => (finish = r)));
    await tick();
    await cache.use('b', 40, load('b'), async () => undefined); // evicts a, which is still running
    await tick();
    expect(cache.keys).toEqual(['b']);
    expect(released).toEqual([]);
    finish();
    await long;
    await tick();
    expect(released).toEqual(['a']);
  });

  it('refuses a graph over the budget with a 503 that names both sizes, loading nothing', async () => {
    const cache = new SessionCache(2 ** 20);
    const { loaded, load } = fakes();
    const err = await cache.use('big/classify', 3 * 2 ** 20, load('big'), async () => 0).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Problem);
    expect((err as Problem).status).toBe(503);
    expect((err as Problem).message).toMatch(
      /big\/classify: .*3\.0 MiB, over this isolate's session budget of 1\.0 MiB/,
    );
    expect(loaded).toEqual([]);
  });

  it('does not keep a failed load: the next use tries again', async () => {
    const cache = new SessionCache(100);
    let tries = 0;
    const load = async () => {
      if (++tries === 1) throw new Error('corrupt');
      return { release: async () => {} } as unknown as Session;
    };
    await expect(cache.use('a', 10, load, async () => 1)).rejects.toThrow('corrupt');
    await tick();
    expect(cache.keys).toEqual([]);
    expect(cache.usedBytes).toBe(0);
    expect(await cache.use('a', 10, load, async () => 2)).toBe(2);
    expect(tries).toBe(2);
  });
});
