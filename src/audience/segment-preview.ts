import { sql } from 'drizzle-orm';
import type { Database } from '../db/database';
import { rowsOf } from '../db/rows';
import { customers } from '../db/schema';
import type { SegmentCondition } from '../segments/schema';
import { segmentDependencies } from './dependencies';
import { loadScoreCatalogue } from './score-catalogue';
import { checkScores, checkStages, requireSegments } from './segment-catalogue';
import { segmentPredicate, type SegmentSqlContext } from './segment-sql';

export interface SegmentPreview {
  /** Customers the condition matches now. */
  count: number;
  /** The first of them in id order. */
  sample: string[];
}

/**
 * Who a condition matches now, before it is saved: the count and a sample, in one query over the
 * whole customers table: the SQL the live membership uses, so the preview and the stored members
 * agree. Its per-customer shape, on events_customer_type_time_idx (migration 0008), kept every
 * definition of bench:segments under 2 s on 100k customers and 5M events; the grouped shape
 * (`population: 'all'`) was faster for some and 5–18× slower for others, so it is not used yet.
 * Segments, scores and lifecycle stages it reads must exist (scores: the catalogue now).
 */
export async function previewSegment(
  db: Database,
  condition: SegmentCondition,
  options: Omit<SegmentSqlContext, 'scores'> & { sample: number },
): Promise<SegmentPreview> {
  const scores = await loadScoreCatalogue(db);
  checkScores(condition, scores);
  const dependencies = segmentDependencies(condition, scores);
  checkStages(dependencies.stages);
  await requireSegments(db, dependencies.segments);
  const result = await db.execute(sql`
    select ${customers.id} as id, count(*) over () as total
      from ${customers}
     where ${segmentPredicate(condition, { ...options, scores })}
     order by ${customers.id}
     limit ${Math.max(options.sample, 1)}`);
  const rows = rowsOf<{ id: string; total: string | number }>(result);
  return {
    count: Number(rows[0]?.total ?? 0),
    sample: rows.slice(0, options.sample).map((row) => row.id),
  };
}
