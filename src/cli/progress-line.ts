/**
 * What `npm run import` shows while a file uploads: a bar of the bytes sent, the rows sent and
 * their rate. Pure: the caller gives the figures and the clock.
 */
export interface UploadProgress {
  bytesSent: number;
  totalBytes: number;
  rowsSent: number;
  elapsedMs: number;
}

const BAR_WIDTH = 24;

export function progressLine(progress: UploadProgress): string {
  const share = progress.totalBytes > 0 ? Math.min(1, progress.bytesSent / progress.totalBytes) : 1;
  const filled = Math.round(share * BAR_WIDTH);
  const bar = '█'.repeat(filled) + '░'.repeat(BAR_WIDTH - filled);
  const rate = rowsPerSecond(progress.rowsSent, progress.elapsedMs);
  return (
    `${bar} ${String(Math.floor(share * 100)).padStart(3)}% ` +
    `${progress.rowsSent.toLocaleString('en')} rows sent, ${rate.toLocaleString('en')} rows/s`
  );
}

export function rowsPerSecond(rows: number, elapsedMs: number): number {
  return elapsedMs > 0 ? Math.round((rows / elapsedMs) * 1000) : 0;
}
