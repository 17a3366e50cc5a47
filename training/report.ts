/** Pictures for the training report: SVG line charts and a confusion-matrix heatmap (no dependencies). */

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

export interface Series {
  name: string;
  color: string;
  values: number[];
}

export function lineChart(title: string, xLabel: string, series: Series[], yRange?: [number, number]): string {
  const W = 480,
    H = 300,
    L = 56,
    R = 16,
    T = 32,
    B = 44;
  const all = series.flatMap((s) => s.values).filter(Number.isFinite);
  const [y0, y1] = yRange ?? [Math.min(...all), Math.max(...all)];
  const n = Math.max(...series.map((s) => s.values.length));
  const px = (i: number) => L + ((W - L - R) * i) / Math.max(1, n - 1);
  const py = (v: number) => T + (H - T - B) * (1 - (v - y0) / (y1 - y0 || 1));
  const ticks = Array.from({ length: 5 }, (_, i) => y0 + ((y1 - y0) * i) / 4);
  const lines = series.map(
    (s) =>
      `<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${s.values.map((v, i) => `${px(i).toFixed(1)},${py(v).toFixed(1)}`).join(' ')}"/>`,
  );
  const legend = series.map(
    (s, i) => `<text x="${L + 8 + i * 150}" y="${T - 10}" fill="${s.color}" font-size="12">${esc(s.name)}</text>`,
  );
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif">
<rect width="100%" height="100%" fill="white"/>
<text x="${W / 2}" y="16" text-anchor="middle" font-size="14">${esc(title)}</text>
${ticks.map((t) => `<line x1="${L}" x2="${W - R}" y1="${py(t)}" y2="${py(t)}" stroke="#ddd"/><text x="${L - 6}" y="${py(t) + 4}" text-anchor="end" font-size="11">${t.toFixed(3)}</text>`).join('\n')}
<text x="${(L + W - R) / 2}" y="${H - 8}" text-anchor="middle" font-size="12">${esc(xLabel)} (1..${n})</text>
${lines.join('\n')}
${legend.join('\n')}
</svg>`;
}

export function confusionMatrix(title: string, labels: string[], m: number[][]): string {
  const k = labels.length,
    cell = 34,
    L = 110,
    T = 110;
  const W = L + k * cell + 20,
    H = T + k * cell + 20;
  const rowSums = m.map((r) => r.reduce((a, v) => a + v, 0) || 1);
  const cells = m.flatMap((row, i) =>
    row.map((v, j) => {
      const f = v / rowSums[i];
      const shade = Math.round(255 * (1 - f));
      const fill = i === j ? `rgb(${shade},${Math.round(255 - 100 * f)},${shade})` : `rgb(255,${shade},${shade})`;
      return (
        `<rect x="${L + j * cell}" y="${T + i * cell}" width="${cell}" height="${cell}" fill="${fill}" stroke="#eee"/>` +
        (v
          ? `<text x="${L + j * cell + cell / 2}" y="${T + i * cell + cell / 2 + 4}" text-anchor="middle" font-size="10">${v}</text>`
          : '')
      );
    }),
  );
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif">
<rect width="100%" height="100%" fill="white"/>
<text x="${W / 2}" y="18" text-anchor="middle" font-size="14">${esc(title)}</text>
<text x="${L + (k * cell) / 2}" y="40" text-anchor="middle" font-size="12">predicted</text>
<text x="14" y="${T + (k * cell) / 2}" font-size="12" transform="rotate(-90 14 ${T + (k * cell) / 2})" text-anchor="middle">true</text>
${labels.map((l, i) => `<text x="${L - 6}" y="${T + i * cell + cell / 2 + 4}" text-anchor="end" font-size="10">${esc(l)}</text>`).join('\n')}
${labels.map((l, j) => `<text x="${L + j * cell + cell / 2}" y="${T - 6}" font-size="10" transform="rotate(-45 ${L + j * cell + cell / 2} ${T - 6})">${esc(l)}</text>`).join('\n')}
${cells.join('\n')}
</svg>`;
}

export function confusion(pred: Uint8Array, labels: Uint8Array, k: number): number[][] {
  const m = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < pred.length; i++) m[labels[i]][pred[i]]++;
  return m;
}
