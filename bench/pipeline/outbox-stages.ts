// Where an event's time went inside Cairn, read back from the outbox after a run: stored →
// routed for the events a benchmark sent and, for a segment path, stored → the segment event it
// caused stored (the evaluation) → that one routed. Database clock throughout.
import postgres from 'postgres';
import { percentile } from './bench-support';

export interface StageFigures {
  /** Stage name → [p50, p99] in ms. */
  [stage: string]: [number, number];
}

export async function outboxStages(
  databaseUrl: string,
  eventType: string,
  causedType?: string,
): Promise<StageFigures> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => undefined });
  try {
    const rows = await sql<
      { routed: number; caused: number | null; causedRouted: number | null }[]
    >`
      select extract(epoch from e.routed_at - e.received_at) * 1000 as routed,
             extract(epoch from c.received_at - e.received_at) * 1000 as caused,
             extract(epoch from c.routed_at - c.received_at) * 1000 as "causedRouted"
      from events e
      left join lateral (
        select received_at, routed_at from events c
        where c.customer_id = e.customer_id and c.type = ${causedType ?? ''} and c.seq > e.seq
        order by c.seq limit 1
      ) c on true
      where e.type = ${eventType}`;
    const figures: StageFigures = {};
    const add = (stage: string, values: (number | null)[]) => {
      const present = values.filter((v): v is number => v !== null).map(Number);
      if (present.length > 0)
        figures[stage] = [percentile(present, 0.5), percentile(present, 0.99)];
    };
    add(
      `${eventType} stored → routed`,
      rows.map((r) => r.routed),
    );
    if (causedType) {
      add(
        `${eventType} stored → ${causedType} stored`,
        rows.map((r) => r.caused),
      );
      add(
        `${causedType} stored → routed`,
        rows.map((r) => r.causedRouted),
      );
    }
    return figures;
  } finally {
    await sql.end();
  }
}

export function stagesLine(figures: StageFigures): string {
  return Object.entries(figures)
    .map(([stage, [p50, p99]]) => `${stage} p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms`)
    .join('; ');
}
