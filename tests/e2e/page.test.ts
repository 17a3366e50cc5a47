/**
 * The playground in a real browser (Debian's chromium via playwright-core) against `wrangler dev`: draw a digit
 * with mouse strokes and read the prediction, upload files (one the API refuses, whose message must show), look
 * inside, run an attack and see the prediction change, make fooling images. Screenshots go to
 * $E2E_SCREENSHOTS (default scratch/screenshots; the README's are in docs/screenshots).
 */
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type Server } from './server.js';

const CHROMIUM = '/usr/bin/chromium';
const CSP =
  "default-src 'self'; img-src 'self' data: blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";
const shots = path.resolve(process.env.E2E_SCREENSHOTS ?? 'scratch/screenshots');
const fixture = (f: string) => path.resolve('tests/fixtures/images', f);

let server: Server, browser: Browser, page: Page;
const problems: string[] = [];

beforeAll(async () => {
  if (!fs.existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: apt-get install chromium (bash .ci/deps as root installs it)`);
  fs.mkdirSync(shots, { recursive: true });
  server = await startServer();
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    // A refused upload is an expected 4xx; the browser logs every failed fetch.
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(m.text());
  });
  // The page under the strict policy a hardened deployment would send: any inline script, style or handler, or
  // a request to another origin, would be refused and logged as a console error (which fails the last test).
  await page.route(`${server.url}/`, async (route) => {
    const response = await route.fetch();
    await route.fulfill({
      response,
      headers: { ...response.headers(), 'content-security-policy': CSP },
    });
  });
  await page.goto(server.url);
  await page.waitForSelector('#model option', { state: 'attached' });
  await page.selectOption('#model', 'digits');
  await page.waitForSelector('#card tr', { state: 'attached' });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const top = () => page.locator('#predictions li').first().getAttribute('data-label');

/**
 * The numbers over a picture's tiles, read from its pixels in the page: a grid of `columns` x `rows` square tiles with
 * 1 px gaps, each under a label strip. For tiles 0 and 1: the dark pixels of the strip ("x,y" relative to the tile);
 * the label's height in pixels; whether every strip pixel is white or black (full contrast); and how much the page
 * shrinks the picture (CSS pixels per image pixel).
 */
const TILE_LABELS = `async ([selector, columns, rows]) => {
  const img = document.querySelector(selector);
  await img.decode();
  const W = img.naturalWidth, H = img.naturalHeight;
  const canvas = document.createElement('canvas');
  Object.assign(canvas, { width: W, height: H });
  const ctx = canvas.getContext('2d');
  ctx.drawImage(img, 0, 0);
  const d = ctx.getImageData(0, 0, W, H).data;
  const tile = (W - 1) / columns - 1, strip = (H - 1) / rows - 1 - tile;
  let twoTone = true;
  const ink = [0, 1].map((t) => {
    const out = [], ox = 1 + t * (tile + 1);
    for (let y = 1; y < 1 + strip; y++)
      for (let x = ox; x < ox + tile; x++) {
        const o = (y * W + x) * 4, px = [d[o], d[o + 1], d[o + 2]];
        if (px.every((v) => v <= 40)) out.push((x - ox) + ',' + (y - 1));
        else if (!px.every((v) => v >= 250)) twoTone = false;
      }
    return out;
  });
  const ys = ink[0].map((p) => Number(p.split(',')[1]));
  return {
    tile, strip, twoTone, ink,
    height: ys.length ? Math.max(...ys) - Math.min(...ys) + 1 : 0,
    shown: img.getBoundingClientRect().width / W,
  };
}`;
interface TileLabels {
  tile: number;
  strip: number;
  twoTone: boolean;
  ink: string[][];
  height: number;
  shown: number;
}
// Written as text (the node project's types have no DOM); Playwright sends a function's source to the page.
const tileLabelsFn = new Function(`return ${TILE_LABELS}`)() as (a: [string, number, number]) => Promise<TileLabels>;
const tileLabels = (selector: string, columns: number, rows: number) =>
  page.evaluate(tileLabelsFn, [selector, columns, rows] as [string, number, number]);
const shot = (name: string, selector: string) =>
  page.locator(selector).screenshot({ path: path.join(shots, `${name}.jpg`), type: 'jpeg', quality: 75 });

describe('the playground', () => {
  it('serves the page with every model GET /models lists, and the model card', async () => {
    const listed = ((await (await fetch(`${server.url}/models`)).json()) as { models: { model: { name: string } }[] })
      .models;
    const offered = await page
      .locator('#model option')
      .evaluateAll((o) => o.map((x) => (x as unknown as { value: string }).value));
    expect(offered).toEqual(listed.map((m) => m.model.name));
    await expect.poll(() => page.locator('#card').textContent()).toMatch(/fully connected layers with the same inputs/);
    // Browsers ask for /favicon.ico on their own: a real icon, not a 404 in every log.
    const icon = await fetch(`${server.url}/favicon.ico`);
    expect(icon.status).toBe(200);
    expect([...new Uint8Array(await icon.arrayBuffer()).subarray(0, 4)]).toEqual([0, 0, 1, 0]); // ICO header
    // meta.json's description is a phrase: a full stop keeps it apart from the next sentence.
    expect(await page.locator('#model-about').textContent()).toMatch(/white ink on black\. Input gray 28x28; /);
  });

  it('draws a 7 with mouse strokes and predicts 7', async () => {
    const box = (await page.locator('#pad').boundingBox())!;
    const at = (fx: number, fy: number) => [box.x + fx * box.width, box.y + fy * box.height] as const;
    await page.mouse.move(...at(0.25, 0.2));
    await page.mouse.down();
    await page.mouse.move(...at(0.75, 0.2), { steps: 8 });
    await page.mouse.move(...at(0.45, 0.85), { steps: 12 });
    await page.mouse.up();
    await expect.poll(top, { timeout: 20_000 }).toBe('7');
    await shot('draw', '#input');
  });

  it('uploads a file and predicts its digit; a GIF is refused with a readable message', async () => {
    await page.setInputFiles('#file', fixture('digit-3-280.png'));
    await expect.poll(top, { timeout: 20_000 }).toBe('3');
    await page.setInputFiles('#file', fixture('gray.gif'));
    await expect.poll(() => page.locator('#classify-error').isVisible(), { timeout: 20_000 }).toBe(true);
    expect(await page.locator('#classify-error').textContent()).toMatch(/^415 .*GIF|^415 .*PNG/);
    await page.selectOption('#sample', 'digit-3.jpg');
    await expect.poll(() => page.locator('#classify-error').isVisible()).toBe(false);
    await expect.poll(top, { timeout: 20_000 }).toBe('3');
  });

  it('shows the preprocessed input, the feature maps and a saliency map with its colour scale', async () => {
    await page.click('#maps-run');
    await page.waitForSelector('#maps-run:not([disabled])', { timeout: 30_000 });
    expect(await page.locator('#maps-result figure').count()).toBeGreaterThan(3);
    await page.selectOption('#sal-method', 'grad-cam');
    await page.click('#sal-run');
    await page.waitForSelector('#sal-run:not([disabled])', { timeout: 30_000 });
    expect(await page.locator('#sal-result img').count()).toBe(2);
    expect(await page.locator('#sal-result .scale').textContent()).toMatch(/99th percentile/);
    expect(await page.locator('#maps-error').isVisible()).toBe(false);
    await shot('saliency', '#sal-panel');
  });

  it('numbers the feature maps by channel, in black on white', async () => {
    // conv2d1 of the digits model: 16 maps of 28x28, in 4 columns and 4 rows.
    const fig = page.locator('#maps-result figure', { hasText: /^conv2d1 \(conv2d\) 16x28x28/ });
    expect(await fig.count()).toBe(1);
    await fig.locator('img').evaluate((i) => i.setAttribute('id', 'maps-conv2d1'));
    const l = await tileLabels('#maps-conv2d1', 4, 4);
    expect(l.strip).toBeGreaterThan(0);
    expect(l.twoTone).toBe(true);
    // "0" and "1": ink in both strips, and not the same.
    expect(l.ink[0].length).toBeGreaterThan(0);
    expect(l.ink[1].length).toBeGreaterThan(0);
    expect(l.ink[1]).not.toEqual(l.ink[0]);
    expect(l.height * l.shown).toBeGreaterThanOrEqual(9);
  });

  it('offers every saliency method of the API; a signed map gets the diverging legend', async () => {
    const methods = await page.locator('#sal-method option').allTextContents();
    expect(methods).toEqual(expect.arrayContaining(['grad-cam-plus-plus', 'score-cam', 'layer-cam', 'occlusion']));
    await page.selectOption('#sal-method', 'occlusion');
    await page.click('#sal-run');
    await page.waitForSelector('#sal-run:not([disabled])', { timeout: 30_000 });
    expect(await page.locator('#sal-result .ramp.signed').count()).toBe(1);
    expect(await page.locator('#sal-result .scale').textContent()).toMatch(/signed, 0 is white/);
    expect(await page.locator('#sal-result figure').first().textContent()).toMatch(/49 patches of 7x7, stride 4/);
  });

  it('runs an attack that changes the prediction', async () => {
    await page.locator('#atk-eps').evaluate((e) => {
      const input = e as unknown as { value: string; dispatchEvent(e: Event): boolean };
      input.value = '0.3';
      input.dispatchEvent(new Event('input'));
    });
    await page.click('#atk-run');
    const summary = page.locator('#atk-summary');
    await expect.poll(() => summary.count(), { timeout: 30_000 }).toBe(1);
    const before = await summary.getAttribute('data-before'),
      after = await summary.getAttribute('data-after');
    expect(before).toBe('3');
    expect(after).not.toBe(before);
    expect(await page.locator('#atk-result img').count()).toBe(2);
    await shot('attack', '#atk-panel');
  });

  it("spans the eps slider over the model's budgets; DeepFool needs none and finds a smaller change", async () => {
    // The digits model's card: L-inf 0.3 by default, up to 0.5 (colour photos would get 8/255, up to 32/255).
    expect(await page.locator('#atk-eps').getAttribute('max')).toBe('0.5');
    await page.selectOption('#atk-method', 'deepfool');
    expect(await page.locator('#atk-eps').isDisabled()).toBe(true);
    await page.click('#atk-run');
    const summary = page.locator('#atk-summary');
    await expect.poll(() => summary.textContent(), { timeout: 30_000 }).toMatch(/smallest change found/);
    expect(await summary.textContent()).toMatch(/the 8-bit picture fools the model/);
    expect(await summary.getAttribute('data-after')).not.toBe('3');
    await page.selectOption('#atk-method', 'pgd');
  });

  it('makes fooling images for every class', async () => {
    await page.click('#fool-run');
    await expect.poll(() => page.locator('#fool-list li').count(), { timeout: 60_000 }).toBe(10);
    const width = await page
      .locator('#fool-result img')
      .evaluate((i) => (i as unknown as { naturalWidth: number }).naturalWidth);
    expect(width).toBeGreaterThan(280);
    await shot('fooling', '#fool-panel');
    // The class numbers over the ten tiles: black on white, at least 10 CSS pixels tall as the page shows them.
    await page.locator('#fool-result img').evaluate((i) => i.setAttribute('id', 'fool-gallery'));
    const l = await tileLabels('#fool-gallery', 10, 1);
    expect(l.twoTone).toBe(true);
    expect(l.ink[1]).not.toEqual(l.ink[0]);
    expect(l.height * l.shown).toBeGreaterThanOrEqual(10);
  });

  it('pictures every filter of a layer, dreams on the picture and stylises it', async () => {
    await page.selectOption('#vis-layer', { index: 1 });
    await page.click('#vis-run');
    await page.click('#dream-run');
    await page.selectOption('#style-sample', 'digit-8.jpg');
    await page.click('#style-run');
    for (const name of ['vis', 'dream', 'style']) {
      await page.waitForSelector(`#${name}-run:not([disabled])`, { timeout: 60_000 });
      expect(await page.locator(`#${name}-error`).isVisible(), `${name} shows no error`).toBe(false);
      expect(await page.locator(`#${name}-result img`).count(), `${name} shows its picture`).toBe(1);
    }
  });

  it("offers a colour model's own held-out pictures as samples, and classifies them", async () => {
    await page.selectOption('#model', 'shapes');
    await expect.poll(() => page.locator('#model-about').textContent()).toMatch(/3-channel 64x64/);
    const labels = ((await (await fetch(`${server.url}/models/shapes`)).json()) as { labels: string[] }).labels;
    const own = page.locator('#sample optgroup', { hasText: /held out, shapes/ }).locator('option');
    expect(await own.allTextContents()).toEqual(labels.map((l) => `${l} (held out, shapes)`));
    // The style picture may be one of them too.
    expect(await page.locator('#style-sample option', { hasText: 'star (held out, shapes)' }).count()).toBe(1);
    for (const label of ['star', 'ring']) {
      await page.selectOption('#sample', { label: `${label} (held out, shapes)` });
      await expect.poll(top, { timeout: 20_000 }).toBe(label);
    }
    expect(await page.locator('#input-about').textContent()).toMatch(/^PNG 64x64/);
    // Gray models keep the drawings and photos, after their own held-out digits.
    await page.selectOption('#model', 'digits');
    await expect
      .poll(() => page.locator('#sample optgroup').first().getAttribute('label'))
      .toBe('digits: held-out test pictures');
    expect(await page.locator('#sample option', { hasText: 'handwritten 3' }).count()).toBe(1);
  });

  it('on a phone, the prediction shows under the pad without scrolling after drawing', async () => {
    const phone = await browser.newPage({
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
    });
    phone.on('pageerror', (e) => problems.push(`phone page error: ${e.message}`));
    await phone.goto(server.url);
    await phone.waitForSelector('#model option', { state: 'attached' });
    await phone.selectOption('#model', 'digits');
    const box = (await phone.locator('#pad').boundingBox())!;
    expect(box.y + box.height).toBeLessThanOrEqual(844); // the pad itself is there to draw on
    const at = (fx: number, fy: number) => [box.x + fx * box.width, box.y + fy * box.height] as const;
    await phone.mouse.move(...at(0.25, 0.2));
    await phone.mouse.down();
    await phone.mouse.move(...at(0.75, 0.2), { steps: 8 });
    await phone.mouse.move(...at(0.45, 0.85), { steps: 12 });
    await phone.mouse.up();
    const first = phone.locator('#predictions li').first();
    // The list is replaced by every answer while strokes are classified: read the label and the box of one element
    // (a box read after a later answer replaced the list would be of a detached element: null).
    const seen: { box?: { x: number; y: number; width: number; height: number } | null } = {};
    await expect
      .poll(
        async () => {
          const handle = await first.elementHandle();
          seen.box = await handle?.boundingBox();
          return seen.box && handle?.getAttribute('data-label');
        },
        { timeout: 20_000 },
      )
      .toBe('7');
    expect(await phone.evaluate('window.scrollY')).toBe(0);
    const li = seen.box!;
    expect(li.y).toBeGreaterThanOrEqual(0);
    expect(li.y + li.height).toBeLessThanOrEqual(844);
    await phone.screenshot({ path: path.join(shots, 'phone.jpg'), type: 'jpeg', quality: 75 });
    await phone.close();
  });

  it('draws with the keyboard too, and no script error happened on the way', async () => {
    await page.click('#clear');
    await page.focus('#pad');
    for (const key of ['ArrowUp', 'ArrowUp', 'ArrowUp', 'ArrowUp', 'ArrowDown', 'ArrowDown', 'ArrowDown', 'ArrowDown'])
      await page.keyboard.press(key);
    for (let i = 0; i < 8; i++) await page.keyboard.press('ArrowDown');
    await expect.poll(() => page.locator('#predictions li').count(), { timeout: 20_000 }).toBe(5);
    expect(await page.locator('#classify-error').isVisible()).toBe(false);
    // Delete clears the pad as the Clear button does: no predictions, and no request for a blank picture (a 422).
    await page.keyboard.press('Delete');
    await expect.poll(() => page.locator('#predictions li').count()).toBe(0);
    await page.waitForTimeout(1000);
    expect(await page.locator('#classify-error').isVisible()).toBe(false);
    expect(await page.locator('#predictions li').count()).toBe(0);
    expect(problems).toEqual([]);
  });
});
