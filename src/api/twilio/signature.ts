import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import twilio from 'twilio';
import { errorBody } from '../errors';

/** A Twilio webhook's form fields; a key sent twice keeps all its values (the signature covers each). */
export type TwilioParams = Record<string, string | string[]>;

const FORM_LIMIT_BYTES = 64 * 1024;

/**
 * Twilio posts application/x-www-form-urlencoded. The parser is added to the plugin's own
 * context, so the rest of the API keeps accepting JSON only.
 */
export function acceptTwilioForms(app: FastifyInstance): void {
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: FORM_LIMIT_BYTES },
    (_request, body, done) => done(null, parseForm(body as string)),
  );
}

export function parseForm(body: string): TwilioParams {
  const params: TwilioParams = {};
  for (const [key, value] of new URLSearchParams(body)) {
    const earlier = params[key];
    if (earlier === undefined) params[key] = value;
    else params[key] = Array.isArray(earlier) ? [...earlier, value] : [earlier, value];
  }
  return params;
}

/**
 * The X-Twilio-Signature check: HMAC-SHA1 with the auth token over the URL Twilio called (the
 * public base URL, as Twilio sees it, plus path and query) and the sorted form fields. Without a
 * valid signature the request is answered 403 before any handler runs.
 */
export function requireTwilioSignature(options: { authToken: string; publicBaseUrl: string }) {
  const base = options.publicBaseUrl.replace(/\/+$/, '');
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const signature = request.headers['x-twilio-signature'];
    const params = isParams(request.body) ? request.body : {};
    const url = base + request.url;
    if (typeof signature === 'string' && signature !== '') {
      if (twilio.validateRequest(options.authToken, signature, url, params)) return;
    }
    request.log.warn({ path: request.routeOptions.url }, 'twilio webhook with a bad signature');
    await reply
      .code(403)
      .send(errorBody('forbidden', 'missing or invalid X-Twilio-Signature for this URL and body'));
  };
}

function isParams(body: unknown): body is TwilioParams {
  return typeof body === 'object' && body !== null && !Array.isArray(body);
}

/** One form field as a string; a repeated or missing field is undefined. */
export function field(params: TwilioParams, name: string): string | undefined {
  const value = params[name];
  return typeof value === 'string' ? value : undefined;
}
