/** A one-line progress bar on stderr (a line per 10% when stderr is not a terminal, e.g. in CI). */
export class Progress {
  private start = Date.now();
  private lastPct = -1;
  constructor(
    private total: number,
    private label: string,
    private stream = process.stderr,
  ) {}
  update(done: number, fields: Record<string, string>) {
    const frac = Math.min(1, done / this.total);
    const elapsed = (Date.now() - this.start) / 1000;
    const eta = frac > 0 ? elapsed * (1 / frac - 1) : 0;
    const width = 24,
      fill = Math.round(frac * width);
    const text =
      `${this.label} [${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${(frac * 100).toFixed(0).padStart(3)}% ` +
      Object.entries(fields)
        .map(([k, v]) => `${k} ${v}`)
        .join('  ') +
      `  ETA ${fmt(eta)}`;
    if (this.stream.isTTY) this.stream.write(`\r${text}\x1b[K`);
    else {
      const pct = Math.floor(frac * 10);
      if (pct !== this.lastPct) {
        this.stream.write(text + '\n');
        this.lastPct = pct;
      }
    }
  }
  done() {
    if (this.stream.isTTY) this.stream.write('\n');
  }
}

function fmt(s: number) {
  const m = Math.floor(s / 60);
  return m > 0
    ? `${m}m${Math.round(s % 60)
        .toString()
        .padStart(2, '0')}s`
    : `${Math.round(s)}s`;
}

/** A count and its noun, singular for one: "1 epoch", "24 epochs". */
export const counted = (n: number, noun: string) => `${n.toLocaleString('en')} ${noun}${n === 1 ? '' : 's'}`;
