/**
 * The border model of the paper (background.ts): a quadratic surface a + bx + cy + dx² + exy + fy² fitted per
 * channel to the grid cells of the image's border, robustly (cells far below the fit, an object touching the
 * border, dropped and the fit repeated), for a large object (clothing) that may fill most of the frame.
 */
import type { Grid } from './paper-grid.js';

/** Least squares of a quadratic surface over the cells with weight 1 (normal equations, 6x6 Gaussian elimination). */
function fitQuadratic(g: Grid, ch: number, c: number, use: Uint8Array): number[] {
  const A = Array.from({ length: 6 }, () => new Array(7).fill(0));
  for (let y = 0; y < g.gh; y++)
    for (let x = 0; x < g.gw; x++) {
      if (!use[y * g.gw + x]) continue;
      const u = x / g.gw - 0.5,
        w = y / g.gh - 0.5;
      const f = [1, u, w, u * u, u * w, w * w],
        t = g.v[(y * g.gw + x) * ch + c];
      for (let i = 0; i < 6; i++) {
        for (let j = 0; j < 6; j++) A[i][j] += f[i] * f[j];
        A[i][6] += f[i] * t;
      }
    }
  for (let i = 0; i < 6; i++) A[i][i] += 1e-6; // keeps a degenerate border (a few cells) solvable
  for (let i = 0; i < 6; i++) {
    let p = i;
    for (let k = i + 1; k < 6; k++) if (Math.abs(A[k][i]) > Math.abs(A[p][i])) p = k;
    [A[i], A[p]] = [A[p], A[i]];
    for (let k = 0; k < 6; k++) {
      if (k === i) continue;
      const m = A[k][i] / A[i][i];
      for (let j = i; j < 7; j++) A[k][j] -= m * A[i][j];
    }
  }
  return A.map((row, i) => row[6] / row[i]);
}

export function borderSurface(g: Grid, ch: number): Float32Array {
  const { gw, gh } = g,
    out = new Float32Array(g.v.length);
  const ring = Math.max(1, Math.round(Math.min(gw, gh) / 12));
  for (let c = 0; c < ch; c++) {
    const use = new Uint8Array(gw * gh);
    for (let y = 0; y < gh; y++)
      for (let x = 0; x < gw; x++) use[y * gw + x] = x < ring || y < ring || x >= gw - ring || y >= gh - ring ? 1 : 0;
    let coef = [0, 0, 0, 0, 0, 0];
    for (let iter = 0; iter < 3; iter++) {
      coef = fitQuadratic(g, ch, c, use);
      // Drop border cells far below the fit (an object touching the border), keep the rest.
      const res: number[] = [];
      const at = (x: number, y: number) => {
        const u = x / gw - 0.5,
          w = y / gh - 0.5;
        return coef[0] + coef[1] * u + coef[2] * w + coef[3] * u * u + coef[4] * u * w + coef[5] * w * w;
      };
      for (let i = 0; i < gw * gh; i++) if (use[i]) res.push(g.v[i * ch + c] - at(i % gw, Math.floor(i / gw)));
      const sorted = res.slice().sort((a, b) => a - b);
      const mad = Math.max(2, sorted[Math.floor(sorted.length / 2)] - sorted[Math.floor(sorted.length / 4)]) * 1.5;
      let k = 0;
      for (let i = 0; i < gw * gh; i++) if (use[i] && res[k++] < -3 * mad) use[i] = 0;
    }
    for (let y = 0; y < gh; y++)
      for (let x = 0; x < gw; x++) {
        const u = x / gw - 0.5,
          w = y / gh - 0.5;
        out[(y * gw + x) * ch + c] =
          coef[0] + coef[1] * u + coef[2] * w + coef[3] * u * u + coef[4] * u * w + coef[5] * w * w;
      }
  }
  return out;
}
