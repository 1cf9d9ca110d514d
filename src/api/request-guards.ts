import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from './errors';
import { INPUT_LIMITS, inputIssues } from './input-limits';

/** Bodies the JSON parser has already checked; the preValidation hook checks the rest. */
const checkedBodies = new WeakSet<FastifyRequest>();

/**
 * Every request, before any route or schema sees it: a request target and headers within their
 * limits (414, 431), JSON as the only body (415 for anything else, unless a plugin accepts its own
 * form), and path parameters, query and body within the input limits (400 naming the field).
 * Call on the root instance before any route is registered, so every context inherits it.
 */
export function installRequestGuards(app: FastifyInstance): void {
  app.addHook('onRequest', (request, _reply, done) => done(oversizedHead(request)));

  // Replaces fastify's JSON and text parsers: a text body would only reach the schema as a string.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    try {
      const parsed = parseJson(body as string);
      checkedBodies.add(request);
      done(null, parsed);
    } catch (error) {
      done(error as Error, undefined);
    }
  });

  app.addHook('preValidation', (request, _reply, done) => {
    try {
      refuseBeyondLimits('path parameters', request.params);
      refuseBeyondLimits('query string', request.query);
      // A form a plugin parsed (Twilio's) is checked here; an opaque string body is the route's.
      if (!checkedBodies.has(request) && typeof request.body === 'object') {
        refuseBeyondLimits('request body', request.body);
      }
      done();
    } catch (error) {
      done(error as ApiError);
    }
  });
}

/**
 * Bodies of `contentType` reach the route as the request's stream, unread, so a large upload (a
 * CSV file of a million ids) is read as it arrives, never buffered whole; the route bounds what
 * it reads. Only in the context of the plugin that calls it.
 */
export function acceptStreamedBody(app: FastifyInstance, contentType: string): void {
  app.addContentTypeParser(contentType, (request, payload, done) => {
    checkedBodies.add(request);
    done(null, payload);
  });
}

function oversizedHead(request: FastifyRequest): ApiError | undefined {
  if (Buffer.byteLength(request.url) > INPUT_LIMITS.urlBytes) {
    return new ApiError(
      414,
      'url_too_long',
      `the path and query string must be at most ${INPUT_LIMITS.urlBytes} bytes`,
    );
  }
  if (headerBytes(request.raw.rawHeaders) > INPUT_LIMITS.headerBytes) {
    return new ApiError(
      431,
      'headers_too_large',
      `the headers must be at most ${INPUT_LIMITS.headerBytes} bytes in total`,
    );
  }
  return undefined;
}

function parseJson(text: string): unknown {
  if (text.trim() === '') {
    throw new ApiError(400, 'invalid_json', 'request body is empty; send a JSON value');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // The parser's own message quotes the text around the error: none of it is repeated here.
    throw new ApiError(400, 'invalid_json', 'request body is not valid JSON');
  }
  refuseBeyondLimits('request body', parsed);
  return parsed;
}

function refuseBeyondLimits(where: string, value: unknown): void {
  const issues = inputIssues(value);
  if (issues.length > 0) {
    throw new ApiError(400, 'validation_failed', `invalid ${where}`, issues);
  }
}

function headerBytes(rawHeaders: string[]): number {
  // Each name and value, plus the ": " and line break between them.
  return rawHeaders.reduce((total, part) => total + Buffer.byteLength(part) + 2, 0);
}
