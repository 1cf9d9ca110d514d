import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import type { ApiIssue, ErrorResponse } from '../contract/common';
import { describeFailure } from '../db/safe-error';
import { INPUT_LIMITS } from './input-limits';

/** An error with an HTTP status and a machine-readable code, sent as the standard error body. */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly issues?: ApiIssue[],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export function temporalUnavailable(): ApiError {
  return new ApiError(503, 'temporal_unavailable', 'Temporal did not answer; try again shortly');
}

/** 404s for the things routes look up, naming the request field that pointed at nothing. */
export function journeyNotFound(): ApiError {
  return new ApiError(404, 'journey_not_found', 'no journey with this id', [
    { path: 'id', message: 'no journey with this id' },
  ]);
}

export function journeyVersionNotFound(): ApiError {
  return new ApiError(404, 'journey_version_not_found', 'no such journey version', [
    { path: 'version', message: 'the journey has no version with this number' },
  ]);
}

export function customerNotFound(path: 'id' | 'customerId'): ApiError {
  return new ApiError(404, 'customer_not_found', 'no customer with this id', [
    { path, message: 'no customer with this id' },
  ]);
}

/**
 * The customer asked to be forgotten (src/privacy): their erasure has begun or is done. A new
 * profile for the id takes PUT /v1/customers/{id} with newOptIn once the erasure is done.
 */
export function customerErased(paths: string[]): ApiError {
  return new ApiError(
    410,
    'customer_erased',
    'this customer was erased at their request; nothing was stored',
    paths.map((path) => ({
      path,
      message:
        'this customer was erased; a new profile needs PUT /v1/customers/{id} with "newOptIn": true',
    })),
  );
}

/** A run key the journey refuses (missing for a keyed journey, given for another, malformed). */
export function invalidRunKey(message: string): ApiError {
  return new ApiError(400, 'validation_failed', 'invalid request body', [{ path: 'key', message }]);
}

export function errorBody(code: string, message: string, issues?: ApiIssue[]): ErrorResponse {
  return { error: { code, message, ...(issues ? { issues } : {}) } };
}

export function sendError(reply: FastifyReply, error: ApiError): FastifyReply {
  return reply.code(error.statusCode).send(errorBody(error.code, error.message, error.issues));
}

interface ValidationEntry {
  instancePath: string;
  message?: string;
  keyword: string;
  params: Record<string, unknown>;
}

/** "/steps/2/next" → "steps.2.next"; an unrecognised key is named itself. */
export function validationIssues(entries: ValidationEntry[]): ApiIssue[] {
  return entries.flatMap((entry) => {
    const base = entry.instancePath.split('/').filter(Boolean);
    const message = entry.message ?? 'is invalid';
    const keys =
      entry.keyword === 'unrecognized_keys'
        ? (entry.params.keys as string[] | undefined)
        : undefined;
    if (keys && keys.length > 0) {
      return keys.map((key) => ({
        path: [...base, key].join('.'),
        message: 'is not a known field',
      }));
    }
    return [{ path: base.join('.') || '(root)', message }];
  });
}

const CONTEXT_NAMES: Record<string, string> = {
  body: 'request body',
  params: 'path parameters',
  querystring: 'query string',
  headers: 'headers',
};

/**
 * One error format everywhere. Messages never carry request values: a JSON syntax error names no
 * input, a validation issue names the field and the rule, and a 500 says nothing of its cause.
 */
export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof ApiError) return sendError(reply, error);
    if (hasZodFastifySchemaValidationErrors(error)) {
      const where = CONTEXT_NAMES[error.validationContext ?? 'body'] ?? 'request';
      const issues = validationIssues(error.validation);
      return reply.code(400).send(errorBody('validation_failed', `invalid ${where}`, issues));
    }
    if (error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error instanceof SyntaxError) {
      return reply.code(400).send(errorBody('invalid_json', 'request body is not valid JSON'));
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const [code, message] = clientErrorText(error.code, status);
      return reply.code(status).send(errorBody(code, message));
    }
    request.log.error(
      { err: { name: error.name, code: error.code, message: describeFailure(error) } },
      'request failed',
    );
    return reply
      .code(500)
      .send(errorBody('internal_error', 'internal error; see the server log for this request id'));
  });
  // The path is not quoted: it may carry a customer id or an address.
  app.setNotFoundHandler((_request, reply) =>
    reply
      .code(404)
      .send(errorBody('route_not_found', 'no route with this method and path; see /openapi.json')),
  );
}

/** Fastify's own refusals, in words of ours: some of its messages quote the request. */
const FRAMEWORK_REFUSALS: Record<string, [code: string, message: string]> = {
  FST_ERR_CTP_BODY_TOO_LARGE: [
    'body_too_large',
    `the request body is larger than this route accepts (${INPUT_LIMITS.bodyBytes} bytes for JSON)`,
  ],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [
    'unsupported_media_type',
    'send the request body as application/json',
  ],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [
    'invalid_content_length',
    'the body does not have the length its Content-Length header says',
  ],
  FST_ERR_CTP_EMPTY_JSON_BODY: ['invalid_json', 'request body is empty; send a JSON value'],
};

function clientErrorText(code: string | undefined, status: number): [string, string] {
  const known = code !== undefined ? FRAMEWORK_REFUSALS[code] : undefined;
  if (known) return known;
  const reason = STATUS_CODES[status] ?? 'Bad Request';
  return [reason.toLowerCase().replace(/[^a-z]+/g, '_'), reason];
}

/**
 * Errors the router raises before any route runs (a path segment that is not valid URL encoding,
 * or longer than the router allows), in the one error format. Fastify's own answer would quote
 * the path, and with it the customer or run id.
 */
export function frameworkError(
  error: FastifyError,
  _request: FastifyRequest,
  reply: FastifyReply,
): void {
  const [status, body] =
    error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? [414, errorBody('path_parameter_too_long', 'a path segment is longer than the API allows')]
      : error.code === 'FST_ERR_BAD_URL'
        ? [400, errorBody('bad_url', 'a path segment is not valid URL encoding')]
        : [400, errorBody('bad_request', 'the request could not be routed')];
  void reply.code(status).send(body);
}
