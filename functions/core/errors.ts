/**
 * Problem details (RFC 9457): a typed error carrying its status, rendered once by the app's onError as
 * application/problem+json. Messages name what was received and what is valid.
 */
export class Problem extends Error {
  constructor(
    readonly status: 400 | 401 | 404 | 405 | 413 | 415 | 422 | 429 | 500 | 503,
    readonly title: string,
    readonly detail: string,
    readonly extra: Record<string, unknown> = {},
    /** Response headers the status calls for (WWW-Authenticate on 401, Retry-After on 429). */
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
  }
  toJSON() {
    return { type: 'about:blank', title: this.title, status: this.status, detail: this.detail, ...this.extra };
  }
}

export const badRequest = (detail: string, extra?: Record<string, unknown>) =>
  new Problem(400, 'Bad Request', detail, extra);
export const notFound = (detail: string, extra?: Record<string, unknown>) =>
  new Problem(404, 'Not Found', detail, extra);
export const tooLarge = (detail: string, extra?: Record<string, unknown>) =>
  new Problem(413, 'Content Too Large', detail, extra);
export const unsupported = (detail: string, extra?: Record<string, unknown>) =>
  new Problem(415, 'Unsupported Media Type', detail, extra);
export const unprocessable = (detail: string, extra?: Record<string, unknown>) =>
  new Problem(422, 'Unprocessable Content', detail, extra);
export const unavailable = (detail: string, extra?: Record<string, unknown>) =>
  new Problem(503, 'Service Unavailable', detail, extra);
