/** What an image folder's pictures are like, for train's defaults (--channels, --size). */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';

/** Guesses channels and size from up to 64 of the folder's pictures (sharp reads only their headers). */
export async function probeFolder(dir: string): Promise<{ colour: boolean; shortSide: number }> {
  const files: string[] = [];
  const walk = (d: string, depth: number) => {
    for (const n of fs.readdirSync(d).sort()) {
      if (n.startsWith('.') || files.length >= 64) continue;
      const p = path.join(d, n);
      if (fs.statSync(p).isDirectory()) {
        if (depth < 2) walk(p, depth + 1);
      } else if (depth > 0) files.push(p);
    }
  };
  walk(dir, 0);
  const sides: number[] = [];
  let colour = false;
  for (const f of files) {
    try {
      const m = await sharp(f).metadata();
      sides.push(Math.min(m.width ?? 0, m.height ?? 0));
      if ((m.channels ?? 1) - (m.hasAlpha ? 1 : 0) >= 3 && m.space !== 'b-w') colour = true;
    } catch {
      // Unreadable files are reported by the loader.
    }
  }
  sides.sort((x, y) => x - y);
  return { colour, shortSide: sides[Math.floor(sides.length / 2)] ?? 64 };
}
