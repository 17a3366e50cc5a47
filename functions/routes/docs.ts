/** GET /openapi.json and GET /docs: a readable page rendered from the OpenAPI document, with no external assets. */
import { Hono } from 'hono';
import { openapi } from '../openapi.js';

export const docs = new Hono();

const esc = (s: unknown) =>
  String(s ?? '').replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

function page(origin: string): string {
  const ops = Object.entries(openapi.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => ({ path, method, op: op as Record<string, any> })),
  );
  const section = ({ path, method, op }: (typeof ops)[number]) => {
    const params = (op.parameters ?? []) as Record<string, any>[];
    const body = op.requestBody ? Object.keys(op.requestBody.content).join(', ') : '';
    const example =
      method === 'post'
        ? `curl -X POST --data-binary @digit.png '${origin}${path.replace('{model}', 'digits')}'`
        : `curl '${origin}${path.replace('{model}', 'digits')}'`;
    return `<section><h2><span class="m ${method}">${method.toUpperCase()}</span> <code>${esc(path)}</code></h2>
<p><b>${esc(op.summary)}</b>${op.description ? ` ${esc(op.description)}` : ''}</p>
${params.length ? `<table><tr><th>parameter</th><th>in</th><th>schema</th><th>meaning</th></tr>${params.map((p) => `<tr><td><code>${esc(p.name)}</code></td><td>${esc(p.in)}</td><td><code>${esc(JSON.stringify(p.schema))}</code></td><td>${esc(p.description)}</td></tr>`).join('')}</table>` : ''}
${body ? `<p>Body: ${esc(body)}. ${esc(op.requestBody.description)}</p>` : ''}
<p>Responses: ${Object.keys(op.responses)
      .map((s) => `<code>${s}</code>`)
      .join(' ')}; errors are <code>application/problem+json</code>.</p>
<pre>${esc(example)}</pre></section>`;
  };
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(openapi.info.title)} API</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}code,pre{font-family:ui-monospace,monospace}
pre{background:#f4f4f4;padding:.6rem;overflow-x:auto}table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #ddd;padding:.2rem .5rem;text-align:left;vertical-align:top}
.m{display:inline-block;padding:0 .4rem;border-radius:3px;color:#fff;font-size:.8em}.get{background:#2b7}.post{background:#27b}section{border-top:1px solid #eee;margin-top:1.2rem}</style></head>
<body><h1>${esc(openapi.info.title)} <small>${esc(openapi.info.version)}</small></h1><p>${esc(openapi.info.description)}</p>
<p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI ${esc(openapi.openapi)}).</p>
${ops.map(section).join('\n')}</body></html>`;
}

docs.get('/openapi.json', (c) => c.json(openapi));
docs.get('/docs', (c) => c.html(page(new URL(c.req.url).origin)));
docs.get('/', (c) => c.redirect('/docs'));
