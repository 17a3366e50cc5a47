/** Small DOM helpers: find by id, build elements, show a picture, run a panel's action with its error shown. */

export function $<T extends HTMLElement = HTMLElement>(id: string): T {
  const e = document.getElementById(id);
  if (!e) throw new Error(`page: no element #${id}`);
  return e as T;
}

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Partial<Record<string, string>> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) if (v !== undefined) e.setAttribute(k, v);
  e.append(...children);
  return e;
}

/** A picture from the API with its caption; `alt` says what it shows. Small ones are shown at twice their size. */
export function figure(pic: { png: string; width: number; height: number }, caption: string, alt = caption) {
  const k = Math.max(pic.width, pic.height) < 160 ? 2 : 1;
  const img = el('img', {
    src: pic.png,
    width: String(k * pic.width),
    height: String(k * pic.height),
    alt,
    class: 'px',
  });
  return el('figure', {}, img, el('figcaption', {}, caption));
}

export function options(select: HTMLSelectElement, items: { value: string; text: string }[], keep?: string) {
  const old = keep ?? select.value;
  select.replaceChildren(...items.map((i) => el('option', { value: i.value }, i.text)));
  if (items.some((i) => i.value === old)) select.value = old;
}

/**
 * Runs a panel's action: the button is busy meanwhile, the panel's error paragraph shows any failure as text
 * (the API's own message), and the result area is emptied first so nothing stale stays beside an error.
 */
export async function run(name: string, action: () => Promise<void>, button?: HTMLButtonElement) {
  const error = $(`${name}-error`);
  error.hidden = true;
  button?.setAttribute('aria-busy', 'true');
  if (button) button.disabled = true;
  try {
    await action();
  } catch (e) {
    error.textContent = e instanceof Error ? e.message : String(e);
    error.hidden = false;
  } finally {
    button?.removeAttribute('aria-busy');
    if (button) button.disabled = false;
  }
}
