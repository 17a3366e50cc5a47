/**
 * edge-cnn: Hono on workerd. Route groups are mounted here; every error becomes application/problem+json.
 */
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { Problem } from './core/errors.js';
import { bench } from './routes/bench.js';
import { docs } from './routes/docs.js';
import { health } from './routes/health.js';
import { models } from './routes/models.js';
import { see } from './routes/see.js';

const app = new Hono<{ Bindings: { MAX_BODY_BYTES?: string; BENCH?: string } }>();

app.route('/health', health);
app.route('/models', models);
app.route('/models', see);
app.route('/__bench', bench);
app.route('/', docs);

const problem = (p: Problem) =>
  new Response(JSON.stringify(p.toJSON()), {
    status: p.status,
    headers: { 'content-type': 'application/problem+json' },
  });

app.notFound((c) =>
  problem(
    new Problem(
      404,
      'Not Found',
      `no route for ${c.req.method} ${new URL(c.req.url).pathname}; see GET /openapi.json or /docs for the API`,
    ),
  ),
);

app.onError((err) => {
  if (err instanceof Problem) return problem(err);
  if (err instanceof HTTPException) return problem(new Problem(err.status as 400, 'Error', err.message));
  console.error(err);
  return problem(
    new Problem(500, 'Internal Server Error', `unexpected error: ${(err as Error).message ?? String(err)}`),
  );
});

export default app;
