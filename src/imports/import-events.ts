import type { Database } from '../db/database';
import {
  STAGED_EVENTS_COLUMNS,
  STAGED_EVENTS_DDL,
  STAGED_EVENTS_TABLE,
  storeStagedEvents,
} from '../routing/store-staged-events';
import { ChunkPipeline } from './chunk-pipeline';
import { EVENT_CSV_LAYOUT, eventRow, type StagedEvent } from './event-rows';
import { fileRows, type FileBody, type ImportFormat } from './file-rows';
import { Rejections, REJECTIONS_SHOWN, type RowIssue } from './row-issues';
import type { RowRules } from './row-rules';
import { fillStaging, type StagingRow } from './staging';

export interface EventImportOptions {
  format: ImportFormat;
  /** false: imported history (audience upkeep only, no journey); true: routed like any event. */
  trigger: boolean;
  source: string;
  rules: RowRules;
  now: Date;
  /** Rows per chunk, each stored in a transaction of its own. Default 50,000. */
  chunkRows?: number;
}

export interface EventImportOutcome {
  rows: number;
  imported: number;
  duplicates: number;
  rejected: number;
  rejectedRows: RowIssue[];
}

const DEFAULT_CHUNK_ROWS = 50_000;
/**
 * Chunks of history stored at once, each on a connection of its own: Postgres's index upkeep is
 * most of an import's cost, and two backends use two cores. Events that trigger journeys go one
 * chunk at a time, so a customer's events reach the outbox (and their runs) in file order.
 */
const HISTORY_CHUNKS_IN_FLIGHT = 2;

/**
 * Events from a CSV or NDJSON file as it streams in: each row checked in Node as the events API
 * checks a body (event-rows.ts), refused rows reported by line and field, good rows gathered into
 * chunks and each chunk stored in a transaction of its own — COPY into a temporary table, then one
 * set-based statement into the outbox (src/routing/store-staged-events.ts), which refuses by line
 * the rows naming an unknown customer or another customer's delivery. Idempotent by event id, so
 * a file imported again, or again after a failure cut it short, stores nothing twice.
 */
export async function importEvents(
  db: Database,
  body: FileBody,
  options: EventImportOptions,
): Promise<EventImportOutcome> {
  const chunkRows = options.chunkRows ?? DEFAULT_CHUNK_ROWS;
  const rejections = new Rejections();
  const totals = { rows: 0, imported: 0, duplicates: 0 };
  const pipeline = new ChunkPipeline(options.trigger ? 1 : HISTORY_CHUNKS_IN_FLIGHT);
  let chunk: StagingRow[] = [];
  const store = async (rows: StagingRow[]) => {
    const outcome = await storeChunk(db, rows, options);
    totals.imported += outcome.stored;
    totals.duplicates += outcome.accepted - outcome.stored;
    rejections.addLines(
      outcome.unknownCustomerLines,
      outcome.unknownCustomerCount,
      'customerId',
      'no customer with this id; import the customers first',
    );
    rejections.addLines(
      outcome.foreignDeliveryLines,
      outcome.foreignDeliveryCount,
      'deliveryId',
      'no delivery with this id for this customer',
    );
  };
  const maxRowChars = Math.max(1024 * 1024, 2 * options.rules.maxEventBytes);
  for await (const batch of fileRows(body, options.format, EVENT_CSV_LAYOUT, maxRowChars)) {
    for (const row of batch) {
      totals.rows += 1;
      const checked = 'issues' in row ? row : eventRow(row.line, row.value, options.rules);
      if ('issues' in checked) rejections.add(checked.issues);
      else chunk.push(stagingRow(checked.event));
    }
    if (chunk.length >= chunkRows) {
      const full = chunk;
      chunk = [];
      await pipeline.submit(() => store(full));
    }
  }
  if (chunk.length > 0) await pipeline.submit(() => store(chunk));
  await pipeline.finish();
  return { ...totals, rejected: rejections.rows, rejectedRows: rejections.sorted() };
}

function stagingRow(event: StagedEvent): StagingRow {
  return [
    event.line,
    event.id,
    event.customerId,
    event.type,
    event.occurredAt,
    event.properties,
    event.deliveryId,
  ];
}

function storeChunk(db: Database, rows: StagingRow[], options: EventImportOptions) {
  return db.transaction(async (tx) => {
    await tx.execute(STAGED_EVENTS_DDL);
    await fillStaging(tx, STAGED_EVENTS_TABLE, STAGED_EVENTS_COLUMNS, rows);
    return storeStagedEvents(tx, {
      source: options.source,
      now: options.now,
      audienceOnly: !options.trigger,
      linesShown: REJECTIONS_SHOWN,
    });
  });
}
