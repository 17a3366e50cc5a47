/**
 * GET /openapi.json and GET /docs: the document generated from the endpoint schemas, and a readable page rendered
 * from that same document and the examples list. No external assets: it works offline.
 */
import { Hono } from 'hono';
import { openapi } from '../openapi.js';
import { modelNames } from '../runtime/models.js';
import { ENDPOINTS } from '../schemas/endpoints.js';
import { EXAMPLES } from '../schemas/examples.js';
import { query } from '../schemas/validate.js';
import { inWords, type Json } from '../schemas/words.js';
import type { Worker } from '../config.js';

export const docs = new Hono<Worker>();

const esc = (s: unknown) =>
  String(s ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

/** JSON with lists of plain values kept on one line, so a real answer reads at a glance. */
const compact = (x: unknown) =>
  JSON.stringify(x, null, 1).replace(
    /\[\s+([^[\]{}]*?)\s+\]/g,
    (_, inner: string) => `[${inner.split(/,\s+/).join(', ')}]`,
  );

/** An answer schema as a nested list: each field with its type and what it means. */
function shape(s: Json, doc: Json, depth = 0): string {
  if (s.$ref) return shape(doc.components.schemas[s.$ref.split('/').pop()], doc, depth);
  if (depth > 4) return '';
  if (s.type === 'array' && s.items) {
    const inner = shape(s.items, doc, depth + 1);
    return inner ? ` <span class="t">each:</span>${inner}` : '';
  }
  if (s.type !== 'object' || !s.properties) return '';
  const req = new Set<string>(s.required ?? []);
  return `<ul>${Object.entries(s.properties as Record<string, Json>)
    .map(([k, p]) => {
      const t = p.$ref
        ? 'object'
        : p.const !== undefined
          ? JSON.stringify(p.const)
          : p.type === 'array'
            ? `list of ${p.items?.type ?? 'values'}`
            : (p.type ?? p.anyOf?.map((a: Json) => a.type ?? a.const).join(' | ') ?? 'value');
      return `<li><code>${esc(k)}</code> <span class="t">${esc(t)}${req.has(k) ? '' : ', optional'}</span>${p.description ? ` — ${esc(p.description)}` : ''}${shape(p, doc, depth + 1)}</li>`;
    })
    .join('')}</ul>`;
}

/** The page's style, served as a file: the Content-Security-Policy on HTML allows no inline style. */
export const DOCS_CSS = `body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:1rem auto;padding:0 1rem;color:#222}code,pre{font-family:ui-monospace,monospace}
pre{background:#f4f4f4;padding:.6rem;overflow-x:auto;white-space:pre-wrap;word-break:break-all}table{border-collapse:collapse;margin:.5rem 0;display:block;overflow-x:auto}td,th{border:1px solid #ddd;padding:.2rem .5rem;text-align:left;vertical-align:top}
.m{display:inline-block;padding:0 .4rem;border-radius:3px;color:#fff;font-size:.8em}.get{background:#2b7}.post{background:#27b}section{border-top:1px solid #eee;margin-top:1.2rem}h2 a{color:#bbb;text-decoration:none}.t{color:#666}.ex{margin-bottom:0}nav li{margin:.1rem 0}
`;

function page(origin: string): string {
  const doc = openapi(modelNames(), origin);
  const ops = Object.entries(doc.paths as Record<string, Record<string, Json>>).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => ({ path, method, op })),
  );
  const section = ({ path, method, op }: (typeof ops)[number]) => {
    const params = (op.parameters ?? []) as Json[];
    const json = op.responses[200]?.content?.['application/json']?.schema;
    const real = op.responses[200]?.content?.['application/json']?.example;
    const examples = EXAMPLES.filter((e) => e.op === op.operationId);
    return `<section id="${esc(op.operationId)}"><h2><a href="#${esc(op.operationId)}">#</a> <span class="m ${method}">${method.toUpperCase()}</span> <code>${esc(path)}</code></h2>
<p><b>${esc(op.summary)}</b>${op.description ? ` ${esc(op.description)}` : ''}</p>
${
  params.length
    ? `<table><tr><th>parameter</th><th>accepts</th><th>meaning</th></tr>${params
        .map(
          (p) =>
            `<tr><td><code>${esc(p.name)}</code>${p.in === 'path' ? ' (path)' : ''}</td><td>${esc(inWords(p.schema))}</td><td>${esc(p.description)}</td></tr>`,
        )
        .join('')}</table>`
    : '<p>No parameters.</p>'
}
${op.requestBody ? `<p><b>Body</b>${op.requestBody.required ? '' : ' (optional)'}: ${esc(op.requestBody.description)}</p>` : ''}
${json ? `<details><summary>Answer shape</summary>${shape(json, doc)}</details>` : ''}
${real ? `<details><summary>A real answer to the first example below that answers JSON (asked in JSON where every example asks for a PNG); arrays and data URLs shortened, numbers rounded</summary><pre class="answer">${esc(compact(real))}</pre></details>` : ''}
<p>Errors: ${Object.keys(op.responses)
      .filter((s) => s !== '200')
      .map((s) => `<code>${s}</code>`)
      .join(' ')} as <code>application/problem+json</code>.</p>
${examples.map((e) => `<p class="ex">${esc(e.title)}:</p><pre>${esc(e.curl.replaceAll('localhost:8787', origin))}</pre>`).join('\n')}</section>`;
  };
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(doc.info.title)} API</title>
<link rel="stylesheet" href="/docs.css"></head>
<body><h1>${esc(doc.info.title)} <small>${esc(doc.info.version)}</small></h1><p>${esc(doc.info.description)}</p>
<p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI ${esc(doc.openapi)}). The examples run from the repository root (they send its test fixtures). Booleans are true/false or 1/0; lists are comma-separated.</p>
<nav><h2>Contents</h2><ul>${ops.map(({ path, method, op }) => `<li><a href="#${esc(op.operationId)}">${method.toUpperCase()} ${esc(path)}</a> — ${esc(op.summary)}</li>`).join('')}</ul></nav>
${ops.map(section).join('\n')}</body></html>`;
}

docs.get('/openapi.json', query(ENDPOINTS.openapi.query), (c) =>
  c.json(openapi(modelNames(), new URL(c.req.url).origin)),
);
docs.get('/docs', query(ENDPOINTS.docs.query), (c) => c.html(page(new URL(c.req.url).origin)));
docs.get('/docs.css', (c) => c.body(DOCS_CSS, 200, { 'content-type': 'text/css; charset=utf-8' }));
