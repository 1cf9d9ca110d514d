import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { errorBody } from './errors';
import { INPUT_LIMITS } from './input-limits';

type ConnectionError = Error & { code?: string };

/**
 * Requests Node refuses before fastify sees them, answered in the one error format: a request
 * line and headers over what Node reads at all (it cannot tell which part was too long, so 431),
 * a client too slow to send its request (408), anything unparsable (400).
 */
export function clientErrorHandler(this: FastifyInstance, error: ConnectionError, socket: Socket) {
  // A reset connection has no one left to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, body] = refusal(error.code);
  this.log.trace({ err: { code: error.code } }, 'client error');
  if (socket.writable) {
    const json = JSON.stringify(body);
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
        `Content-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(json)}\r\nConnection: close\r\n\r\n${json}`,
    );
  }
  socket.destroy(error);
}

function refusal(code: string | undefined): [number, ReturnType<typeof errorBody>] {
  if (code === 'HPE_HEADER_OVERFLOW') {
    return [
      431,
      errorBody(
        'headers_too_large',
        `the request line and headers must be at most ${INPUT_LIMITS.requestHeadBytes} bytes`,
      ),
    ];
  }
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return [408, errorBody('request_timeout', 'the request did not arrive in time')];
  }
  return [400, errorBody('bad_request', 'the request is not valid HTTP')];
}
