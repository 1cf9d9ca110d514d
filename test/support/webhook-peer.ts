import { EventEmitter } from 'node:events';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitForArrivals } from './arrivals';

/** A request the peer received, with the raw body exactly as it arrived (for signatures). */
export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  rawBody: string;
}

/** What the peer answers one request with. */
export interface ScriptedResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  /** Answer only after this long (to outlast the client's timeout). */
  delayMs?: number;
}

export interface WebhookPeer {
  /** http://127.0.0.1:<port> */
  url: string;
  /** Every request in arrival order; a request is here before its response is written. */
  requests: ReceivedRequest[];
  /** Queues responses for the next requests, in order; afterwards the peer answers 200. */
  respondWith(...responses: ScriptedResponse[]): void;
  waitForRequests(count: number, timeoutMs?: number): Promise<ReceivedRequest[]>;
  stop(): Promise<void>;
}

/** A real HTTP server on an ephemeral localhost port that records webhook requests. */
export async function startWebhookPeer(): Promise<WebhookPeer> {
  const requests: ReceivedRequest[] = [];
  const script: ScriptedResponse[] = [];
  const arrivals = new EventEmitter();
  const pending = new Set<NodeJS.Timeout>();

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      requests.push({
        method: request.method ?? '',
        path: request.url ?? '',
        headers: request.headers,
        rawBody: Buffer.concat(chunks).toString('utf8'),
      });
      arrivals.emit('request');
      answer(response, script.shift() ?? { status: 200 });
    });
  });

  function answer(response: ServerResponse, scripted: ScriptedResponse): void {
    const write = () => {
      if (response.destroyed) return;
      response.writeHead(scripted.status, scripted.headers);
      response.end(scripted.body ?? '');
    };
    if (!scripted.delayMs) return write();
    const timer = setTimeout(() => {
      pending.delete(timer);
      write();
    }, scripted.delayMs);
    pending.add(timer);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    respondWith: (...responses) => script.push(...responses),
    waitForRequests: (count, timeoutMs = 5_000) =>
      waitForArrivals(requests, count, arrivals, 'request', timeoutMs, 'webhook request(s)').then(
        () => requests,
      ),
    stop: async () => {
      pending.forEach(clearTimeout);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
