import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { errorBody } from './errors';

/**
 * Bearer API key check for /v1. Keys are compared as SHA-256 digests with timingSafeEqual, so
 * neither the content nor the length of a key leaks through response timing. No keys configured
 * means every request is refused.
 */
export function bearerAuth(apiKeys: string[]) {
  const digests = apiKeys.map(digest);
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const presented = bearerToken(request.headers.authorization);
    if (presented === null) {
      return deny(reply, 'missing API key: send "Authorization: Bearer <api key>"');
    }
    const candidate = digest(presented);
    let ok = false;
    for (const known of digests) ok = timingSafeEqual(candidate, known) || ok;
    if (!ok) return deny(reply, 'invalid API key');
  };
}

function bearerToken(header: string | undefined): string | null {
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match?.[1] ?? null;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

async function deny(reply: FastifyReply, message: string): Promise<void> {
  await reply
    .code(401)
    .header('www-authenticate', 'Bearer')
    .send(errorBody('unauthorized', message));
}
