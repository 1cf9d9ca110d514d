import { createHash, timingSafeEqual } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { codecEndpointToken, PayloadDecryptionError } from '../../codec';
import { bearerAuth } from '../auth';
import type { ApiDeps } from '../deps';
import { errorBody } from '../errors';

const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64');
/** Temporal's Payloads message in protobuf JSON: metadata values and data are base64. */
const payloadsSchema = z.object({
  payloads: z
    .array(z.object({ metadata: z.record(z.string(), base64).optional(), data: base64.optional() }))
    .max(10_000),
});
type PayloadsJson = z.infer<typeof payloadsSchema>;

const OPERATIONS = ['decode', 'encode'] as const;

/**
 * Temporal's codec server protocol (POST …/decode and …/encode, `{payloads}` in and out), so
 * Temporal Web UI and the CLI show what the payload codec encrypted. Two ways in: the API key as
 * a bearer header (the CLI's --codec-auth, a proxy), or /codec/<token>/… with the token derived
 * from an API key (src/codec/endpoint-token.ts), for the Web UI, which sends no header of ours.
 * Token URLs are never logged. Browsers may call it from the configured Web UI origins only.
 */
export const codecRoutes: FastifyPluginCallbackZod<{ deps: ApiDeps }> = (app, { deps }, done) => {
  const settings = deps.codecEndpoint;
  if (!settings) return done();
  const allowedOrigins = new Set(settings.uiOrigins);
  const cors = async (request: FastifyRequest, reply: FastifyReply) => {
    const origin = request.headers.origin;
    if (!origin || !allowedOrigins.has(origin)) return;
    reply.header('access-control-allow-origin', origin).header('vary', 'Origin');
  };
  app.addHook('onRequest', cors);
  const silent = { logLevel: 'silent' as const, schema: { hide: true } };

  for (const operation of OPERATIONS) {
    app.post(
      `/codec/${operation}`,
      {
        onRequest: bearerAuth(deps.apiKeys),
        schema: {
          tags: ['codec'],
          summary: `Temporal codec server: ${operation} payloads (for the Temporal CLI and Web UI)`,
          security: [{ bearerAuth: [] }],
          body: payloadsSchema,
        },
      },
      (request, reply) => convert(settings.codec, operation, request.body, reply),
    );
    app.post(
      `/codec/:token/${operation}`,
      {
        ...silent,
        onRequest: tokenAuth(deps.apiKeys),
        schema: { hide: true, body: payloadsSchema },
      },
      (request, reply) => convert(settings.codec, operation, request.body, reply),
    );
  }
  // The browser's preflight carries no credentials; the origin decides.
  app.options('/codec/*', silent, async (request, reply) => {
    if (reply.hasHeader('access-control-allow-origin')) {
      reply
        .header('access-control-allow-methods', 'POST')
        .header('access-control-allow-headers', 'authorization, content-type, x-namespace')
        .header('access-control-max-age', '600');
    }
    return reply.code(204).send();
  });
  // Anything else under /codec answers here, so no mistyped token URL reaches a log.
  app.route({
    method: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    url: '/codec/*',
    ...silent,
    handler: (_request, reply) =>
      reply.code(404).send(errorBody('route_not_found', 'no such codec route')),
  });
  done();
};

async function convert(
  codec: PayloadCodec,
  operation: (typeof OPERATIONS)[number],
  body: PayloadsJson,
  reply: FastifyReply,
) {
  const payloads = body.payloads.map(fromJson);
  try {
    const converted = await codec[operation](payloads);
    return { payloads: converted.map(toJson) };
  } catch (error) {
    // The protocol answers a payload the codec cannot read with a 400; the message names a key id at most.
    if (!(error instanceof PayloadDecryptionError)) throw error;
    return reply.code(400).send(errorBody('payload_not_decodable', error.message));
  }
}

function fromJson(payload: PayloadsJson['payloads'][number]): Payload {
  return {
    metadata: Object.fromEntries(
      Object.entries(payload.metadata ?? {}).map(([name, value]) => [
        name,
        Buffer.from(value, 'base64'),
      ]),
    ),
    data: Buffer.from(payload.data ?? '', 'base64'),
  };
}

function toJson(payload: Payload) {
  return {
    metadata: Object.fromEntries(
      Object.entries(payload.metadata ?? {}).map(([name, value]) => [
        name,
        Buffer.from(value).toString('base64'),
      ]),
    ),
    data: Buffer.from(payload.data ?? new Uint8Array()).toString('base64'),
  };
}

/** The token of /codec/<token>/…, compared as digests in constant time like the API keys. */
function tokenAuth(apiKeys: string[]) {
  const tokens = apiKeys.map((key) => digest(codecEndpointToken(key)));
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const candidate = digest((request.params as { token?: string }).token ?? '');
    let ok = false;
    for (const known of tokens) ok = timingSafeEqual(candidate, known) || ok;
    if (!ok) {
      await reply.code(401).send(errorBody('unauthorized', 'invalid codec endpoint token'));
    }
  };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
