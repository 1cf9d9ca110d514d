import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { errorBody } from './errors';

/** A Segment source's write key and the source it names (website, mobile_app, …). */
export interface WriteKey {
  source: string;
  key: string;
}

/** The source a Segment-spec request authenticated as: a write key's, or `api` for an API key. */
export type SpecSource = { source: string };

declare module 'fastify' {
  interface FastifyRequest {
    specSource?: string;
  }
}

/**
 * Authentication for the Segment-spec endpoints, the way Segment's libraries present a write key:
 * HTTP Basic with the key as the user name, or `writeKey` in the body; a Bearer API key works too.
 * A write key only reaches these endpoints (it ships in browsers and apps, so it must read nothing)
 * and names the source its calls are recorded under; an API key's calls are the `api` source.
 * Compared as SHA-256 digests with timingSafeEqual, as the API key check does.
 */
export function writeKeyAuth(apiKeys: string[], writeKeys: WriteKey[]) {
  const known = [
    ...apiKeys.map((key) => ({ source: 'api', digest: digest(key) })),
    ...writeKeys.map((w) => ({ source: w.source, digest: digest(w.key) })),
  ];
  const sourceOf = (presented: string): string | null => {
    const candidate = digest(presented);
    let source: string | null = null;
    for (const k of known) if (timingSafeEqual(candidate, k.digest)) source ??= k.source;
    return source;
  };
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const presented = headerKey(request.headers.authorization) ?? bodyKey(request.body);
    if (presented === null) {
      return deny(reply, 'missing write key: send HTTP Basic with the write key as user name');
    }
    const source = sourceOf(presented);
    if (source === null) return deny(reply, 'invalid write key');
    request.specSource = source;
  };
}

function headerKey(header: string | undefined): string | null {
  if (!header) return null;
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (bearer?.[1]) return bearer[1];
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!basic?.[1]) return null;
  const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
  const user = decoded.split(':')[0];
  return user ? user : null;
}

function bodyKey(body: unknown): string | null {
  const key = body && typeof body === 'object' ? (body as { writeKey?: unknown }).writeKey : null;
  return typeof key === 'string' && key.length > 0 ? key : null;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

async function deny(reply: FastifyReply, message: string): Promise<void> {
  await reply
    .code(401)
    .header('www-authenticate', 'Basic realm="cairn"')
    .send(errorBody('unauthorized', message));
}
