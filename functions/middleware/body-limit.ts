/**
 * The request body limit (MAX_BODY_BYTES) for every route, enforced while the body streams in: a declared
 * Content-Length over the limit is refused before reading, and a chunked body (no Content-Length) is counted as it
 * arrives and refused at the first byte over, so it is never buffered past the limit. Routes read the body as usual.
 */
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { maxBody, type Worker } from '../config.js';
import { tooLarge } from '../core/errors.js';

export const limitBody: MiddlewareHandler<Worker> = (c, next) => {
  const limit = maxBody(c.env);
  return bodyLimit({
    maxSize: limit,
    onError: () => {
      const declared = c.req.header('content-length');
      throw tooLarge(
        declared && !c.req.header('transfer-encoding')
          ? `request body is ${declared} bytes; the limit is ${limit} bytes`
          : `request body is over ${limit} bytes (counted while streaming); the limit is ${limit} bytes`,
        { limit },
      );
    },
  })(c, next);
};
