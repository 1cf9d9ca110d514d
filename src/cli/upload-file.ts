import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';

export interface UploadCounts {
  bytesSent: number;
  rowsSent: number;
}

/**
 * Streams a file as a request body, counting what has gone: the bytes and the line breaks (rows,
 * near enough: a CSV header and quoted line breaks count too). Node's fetch reads the body as the
 * server takes it, so the counts follow what the API has read, never the whole file in memory.
 */
export async function uploadFile(
  file: string,
  request: { url: string; headers: Record<string, string> },
  counts: UploadCounts,
): Promise<Response> {
  const counting = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      counts.bytesSent += chunk.length;
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) counts.rowsSent += 1;
      done(null, chunk);
    },
  });
  const body = Readable.toWeb(createReadStream(file).pipe(counting)) as ReadableStream;
  return fetch(request.url, {
    method: 'POST',
    headers: request.headers,
    body,
    duplex: 'half',
  });
}

export async function fileSize(file: string): Promise<number> {
  return (await stat(file)).size;
}
