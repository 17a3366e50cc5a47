/**
 * The drawing pad: a white canvas drawn on with pointer events (mouse, touch, pen) or the arrow keys; pictures
 * (uploads, samples) are drawn into it fitted and centred, so what is sent is what is shown.
 */

export interface Pad {
  clear(): void;
  drawPicture(blob: Blob): Promise<void>;
  toPng(): Promise<Blob>;
}

export function pad(
  canvas: HTMLCanvasElement,
  pen: () => { colour: string; width: number },
  /** Called while drawing (final = false, at most every few hundred ms by the caller's choice) and at each stroke's end. */
  changed: (final: boolean) => void,
  /** Called after Delete or Backspace cleared the pad: a blank pad is nothing to classify. */
  cleared: () => void,
): Pad {
  const ctx = canvas.getContext('2d')!;
  const clear = () => {
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
  };
  clear();
  let last: { x: number; y: number } | null = null;
  const cursor = { x: canvas.width / 2, y: canvas.height / 2 };
  const at = (e: PointerEvent) => {
    const r = canvas.getBoundingClientRect();
    return { x: ((e.clientX - r.left) * canvas.width) / r.width, y: ((e.clientY - r.top) * canvas.height) / r.height };
  };
  const line = (a: { x: number; y: number }, b: { x: number; y: number }) => {
    const p = pen();
    ctx.strokeStyle = p.colour;
    ctx.lineWidth = p.width;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.beginPath();
    ctx.moveTo(a.x, a.y);
    ctx.lineTo(b.x, b.y);
    ctx.stroke();
  };
  canvas.addEventListener('pointerdown', (e) => {
    canvas.setPointerCapture(e.pointerId);
    last = at(e);
    line(last, last);
    e.preventDefault();
  });
  canvas.addEventListener('pointermove', (e) => {
    if (!last) return;
    const p = at(e);
    line(last, p);
    last = p;
    changed(false);
  });
  const end = () => {
    if (!last) return;
    last = null;
    changed(true);
  };
  canvas.addEventListener('pointerup', end);
  canvas.addEventListener('pointercancel', end);
  const step = 14;
  const moves: Record<string, [number, number]> = {
    ArrowUp: [0, -step],
    ArrowDown: [0, step],
    ArrowLeft: [-step, 0],
    ArrowRight: [step, 0],
  };
  canvas.addEventListener('keydown', (e) => {
    const m = moves[e.key];
    if (m) {
      const next = {
        x: Math.min(canvas.width, Math.max(0, cursor.x + m[0])),
        y: Math.min(canvas.height, Math.max(0, cursor.y + m[1])),
      };
      line(cursor, next);
      Object.assign(cursor, next);
      changed(true);
      e.preventDefault();
    } else if (e.key === 'Delete' || e.key === 'Backspace') {
      clear();
      cleared();
      e.preventDefault();
    }
  });
  return {
    clear,
    async drawPicture(blob) {
      const img = await createImageBitmap(blob);
      clear();
      const k = Math.min(canvas.width / img.width, canvas.height / img.height);
      const w = img.width * k,
        h = img.height * k;
      ctx.drawImage(img, (canvas.width - w) / 2, (canvas.height - h) / 2, w, h);
      img.close();
    },
    toPng: () =>
      new Promise<Blob>((resolve, reject) =>
        canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('the canvas could not be encoded'))), 'image/png'),
      ),
  };
}
