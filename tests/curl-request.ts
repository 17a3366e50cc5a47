/**
 * A curl command line as written in the README or on /docs, turned into a Request: the flags the examples use
 * (-X, -H, -d, --data-binary @file, -F name=@file, -o). Pure: the caller reads the files (workerd from inlined
 * fixtures, Node from disk) and names the origin, so the workerd tests and the Node scripts parse alike.
 */

/** Shell words of one command line: single and double quotes, backslash-newline continuations. */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let cur = '',
    inWord = false,
    q: string | null = null;
  const s = line.replace(/\\\n/g, ' ');
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (q) {
      if (ch === q) q = null;
      else cur += ch;
    } else if (ch === "'" || ch === '"') {
      q = ch;
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
    } else if (ch === '#' && !inWord) break;
    else {
      cur += ch;
      inWord = true;
    }
  }
  if (inWord) words.push(cur);
  return words;
}

/** Reads a file a curl line names (`@path`, relative to the repository root). */
export type ReadFile = (path: string) => Uint8Array;

/** The Request a curl line sends, to `base` (its own host replaced) with files read by `read`. */
export function curlRequest(line: string, read: ReadFile, base: string): Request {
  const w = shellWords(line);
  if (w[0] !== 'curl') throw new Error(`not a curl line: ${line}`);
  let method: string | undefined, url: string | undefined, body: BodyInit | undefined, form: FormData | undefined;
  const headers = new Headers();
  for (let i = 1; i < w.length; i++) {
    const a = w[i];
    if (a === '-X') method = w[++i];
    else if (a === '-H') {
      const [k, ...v] = w[++i].split(':');
      headers.set(k.trim(), v.join(':').trim());
    } else if (a === '-d' || a === '--data-binary') {
      const d = w[++i];
      // As curl does: -d strips CR and LF from a file; both label the body form-urlencoded unless told otherwise.
      const bytes = d.startsWith('@') ? read(d.slice(1)) : d;
      body = a === '-d' && typeof bytes !== 'string' ? bytes.filter((v) => v !== 0x0d && v !== 0x0a) : bytes;
      if (!headers.has('content-type')) headers.set('content-type', 'application/x-www-form-urlencoded');
    } else if (a === '-F') {
      const [k, v] = w[++i].split(/=(.*)/s);
      form ??= new FormData();
      if (v.startsWith('@')) form.append(k, new Blob([read(v.slice(1))]), v.slice(1).split('/').pop());
      else form.append(k, v);
    } else if (a === '-o') i++;
    else if (a.startsWith('-')) throw new Error(`curl flag ${a} is not handled by this runner`);
    else url = a;
  }
  if (!url) throw new Error(`no URL in ${line}`);
  const u = new URL(url.startsWith('http') ? url : `http://${url}`);
  return new Request(`${base}${u.pathname}${u.search}`, {
    method: method ?? (body !== undefined || form ? 'POST' : 'GET'),
    headers,
    body: form ?? body,
  });
}
