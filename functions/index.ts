/**
 * edge-cnn: Hono on workerd. Route groups are mounted here; a trailing slash is the same route; a known path with
 * another method is a 405 with Allow; every error becomes application/problem+json, and an unexpected one a 500
 * carrying a request id (the message goes to the log, not to the client).
 * Every answer passes security headers and CORS; every body the streaming size limit; the compute-heavy endpoints
 * the token and rate limit (functions/middleware/).
 */
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { Problem } from './core/errors.js';
import { bench } from './routes/bench.js';
import { docs } from './routes/docs.js';
import { health } from './routes/health.js';
import { models } from './routes/models.js';
import { page } from './routes/page.js';
import { foolRoutes } from './routes/fool.js';
import { see } from './routes/see.js';
import { synthRoutes } from './routes/synth.js';
import { modelStore } from './middleware/model-store.js';
import { allowedMethods } from './schemas/endpoints.js';
import type { Env, Worker } from './config.js';
import { HEAVY, rateLimit, requireToken } from './middleware/access.js';
import { limitBody } from './middleware/body-limit.js';
import { cacheable } from './middleware/cache.js';
import { corsFromConfig } from './middleware/cors.js';
import { securityHeaders } from './middleware/security-headers.js';

const app = new Hono<Worker>({ strict: false });

app.use('*', securityHeaders, corsFromConfig(), limitBody);
// Models in the R2 bucket (when bound) join the bundled ones before any route looks a model up.
app.use('*', modelStore);
// Deploy-constant answers; robustness is deterministic (seed 0), its default table precomputed.
for (const path of ['/models', '/models/:model', '/openapi.json', '/models/:model/robustness'])
  app.use(path, ...cacheable);
for (const name of HEAVY) app.use(`/models/:model/${name}`, requireToken, rateLimit);

app.route('/health', health);
app.route('/models', models);
app.route('/models', see);
app.route('/models', foolRoutes);
app.route('/models', synthRoutes);
app.route('/__bench', bench);
app.route('/', docs);
app.route('/', page);

const problem = (p: Problem, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(p.toJSON()), {
    status: p.status,
    headers: { 'content-type': 'application/problem+json', ...p.headers, ...headers },
  });

app.notFound((c) => {
  const path = new URL(c.req.url).pathname;
  const allow = allowedMethods(path);
  if (allow.length)
    return problem(
      new Problem(405, 'Method Not Allowed', `${path} answers ${allow.join(', ')}; got ${c.req.method}`, { allow }),
      { allow: allow.join(', ') },
    );
  return problem(new Problem(404, 'Not Found', `no route for ${c.req.method} ${path}; see GET /openapi.json or /docs`));
});

app.onError((err) => {
  if (err instanceof Problem) return problem(err);
  if (err instanceof HTTPException && err.status < 500)
    return problem(new Problem(err.status as 400, 'Error', err.message || 'bad request'));
  const id = crypto.randomUUID();
  console.error(`request ${id}:`, err);
  return problem(
    new Problem(500, 'Internal Server Error', `unexpected error; quote request id ${id} when reporting it`, {
      request_id: id,
    }),
  );
});

export default app satisfies ExportedHandler<Env>;
