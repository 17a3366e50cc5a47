/**
 * Peak memory of one request, measured from outside: the workerd process's peak resident set (VmHWM, reset before
 * each request through /proc/<pid>/clear_refs) minus its resident set just before the request. Large photo-like
 * uploads made on the fly (tests/fixtures/photo-set.ts, with sensor noise): a 4000x3000 JPEG as a phone writes it
 * (baseline) and progressive, and a 4096x4096 PNG. Also each one's latency (median of 3, timed from outside).
 */
import fs from 'node:fs';
import type { Miniflare } from 'miniflare';
import { phonePhoto, photoOfSeven } from './phone-photo.js';
import { median, startWorker, type Bundle } from './worker.js';

const KiB = 1024,
  MiB = 1024 * 1024;

/** workerd processes started by this Node process (Miniflare's children, or theirs). */
export function workerdPids(): number[] {
  const parent = new Map<number, number>(),
    name = new Map<number, string>();
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      name.set(+d, stat.slice(stat.indexOf('(') + 1, close));
      parent.set(+d, +stat.slice(close + 2).split(' ')[1]);
    } catch {
      /* gone */
    }
  }
  const mine = (pid: number): boolean => {
    for (let p = parent.get(pid); p && p > 1; p = parent.get(p)) if (p === process.pid) return true;
    return false;
  };
  return [...name].filter(([pid, n]) => n.startsWith('workerd') && mine(pid)).map(([pid]) => pid);
}

const statusKiB = (pid: number, key: string) =>
  Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);

export async function memoryBench(b: Bundle): Promise<void> {
  const phone = await phonePhoto();
  const jpg = { bytes: await phone.jpeg(false) };
  const progressive = await phone.jpeg(true);
  const png = await photoOfSeven(4096, 4096);
  const cases: [string, Uint8Array][] = [
    ['4000x3000 JPEG (baseline 4:2:0, q90)', jpg.bytes],
    ['4000x3000 JPEG (progressive 4:2:0, q90)', progressive],
    ['4096x4096 PNG (RGB)', png.bytes],
  ];
  const before = new Set(workerdPids());
  const mf: Miniflare = await startWorker(b, { MAX_BODY_BYTES: String(64 * MiB) });
  const pids = workerdPids().filter((p) => !before.has(p));
  if (pids.length !== 1) throw new Error(`expected one new workerd process, found ${pids.length}`);
  const pid = pids[0];
  const classify = async (bytes: Uint8Array) => {
    const t0 = performance.now();
    const r = await mf.dispatchFetch('http://edge.test/models/digits/classify', { method: 'POST', body: bytes });
    const body = (await r.json()) as { predictions?: { label: string }[]; detail?: string };
    if (!r.ok) throw new Error(`${r.status}: ${body.detail}`);
    return { ms: performance.now() - t0, label: body.predictions![0].label };
  };
  await classify(new Uint8Array(fs.readFileSync('tests/fixtures/images/digit-7-280.png'))); // sessions warm
  console.log(
    `\npeak memory of one request in workerd (pid ${pid}; peak resident set during the request minus the resident set before it, from /proc; 3 requests each):`,
  );
  for (const [label, bytes] of cases) {
    const peaks: number[] = [],
      times: number[] = [];
    let answer = '';
    for (let i = 0; i < 3; i++) {
      fs.writeFileSync(`/proc/${pid}/clear_refs`, '5'); // resets VmHWM to the current resident set
      const rss0 = statusKiB(pid, 'VmRSS');
      const r = await classify(bytes);
      peaks.push((statusKiB(pid, 'VmHWM') - rss0) * KiB);
      times.push(r.ms);
      answer = r.label;
    }
    console.log(
      `  ${label.padEnd(36)} ${(bytes.length / MiB).toFixed(1).padStart(5)} MiB file: peak +${(Math.max(...peaks) / MiB).toFixed(1)} MiB (max of 3; goal < 96 MiB), latency ${median(times).toFixed(0)} ms median, answer "${answer}"; workerd resident ${(statusKiB(pid, 'VmRSS') / KiB).toFixed(0)} MiB after`,
    );
  }
  await mf.dispose();
}
