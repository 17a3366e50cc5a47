/** The body limit holds while streaming: a chunked body (no Content-Length) is refused at the first byte over. */
import { describe, expect, it } from 'vitest';
import { expectProblem, fixture, post } from '../fixtures.js';

const LIMIT = 8 * 1024 * 1024; // wrangler.toml's MAX_BODY_BYTES

/** A body with no Content-Length: `prefix`, then zero chunks of 256 KiB up to `total` bytes (counts what was read). */
function chunked(total: number, prefix: Uint8Array = new Uint8Array(0), suffix: Uint8Array = new Uint8Array(0)) {
  const pulled = { bytes: 0 };
  const chunk = new Uint8Array(256 * 1024);
  let sent = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(ctl) {
      let next: Uint8Array;
      if (sent === 0 && prefix.length) next = prefix;
      else if (sent < total - suffix.length)
        next = chunk.subarray(0, Math.min(chunk.length, total - suffix.length - sent));
      else if (sent < total) next = suffix;
      else return ctl.close();
      sent += next.length;
      pulled.bytes = sent;
      ctl.enqueue(next.slice());
    },
  });
  return { stream, pulled };
}

describe('body limit while streaming', () => {
  it('a chunked over-limit body to /classify is a 413 problem', async () => {
    const { stream } = chunked(LIMIT + 1024 * 1024, fixture('digit-7-28.png'));
    const r = await post('/models/digits/classify', stream);
    const body = await expectProblem(r, 413, /over 8388608 bytes \(counted while streaming\); the limit is 8388608/);
    expect(body).toMatchObject({ limit: LIMIT });
  });

  it('a chunked over-limit multipart body to /style is a 413 problem', async () => {
    const boundary = 'edgecnnboundary';
    const head = new TextEncoder().encode(
      `--${boundary}\r\nContent-Disposition: form-data; name="content"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n`,
    );
    const tail = new TextEncoder().encode(`\r\n--${boundary}--\r\n`);
    const { stream } = chunked(LIMIT + 512 * 1024, head, tail);
    const r = await post('/models/digits/style?steps=1', stream, {
      'content-type': `multipart/form-data; boundary=${boundary}`,
    });
    await expectProblem(r, 413, /counted while streaming/);
  });

  it('a chunked body under the limit is read as usual; a declared oversize one is refused before reading', async () => {
    const png = fixture('digit-7-280.png');
    const { stream } = chunked(png.length, png);
    const r = await post('/models/digits/classify', stream);
    expect(r.status).toBe(200);
    const { predictions } = (await r.json()) as { predictions: { label: string }[] };
    expect(predictions[0].label).toBe('7');
    await expectProblem(
      await post('/models/digits/activations', new Uint8Array(LIMIT + 1)),
      413,
      /request body is 8388609 bytes; the limit is 8388608 bytes/,
    );
  });
});
