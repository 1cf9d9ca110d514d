import type { CustomerScore } from '../contract/scores';
import { qualityLevel } from '../scores';
import type { CustomerScoreView } from './customer-scores';

/** A score as the API shows it (GET /v1/customers/:id, the customer's export). */
export function scoreView(view: CustomerScoreView): CustomerScore {
  const { definition } = view;
  return {
    id: definition.id,
    name: definition.name,
    kind: definition.kind,
    version: definition.version,
    value: view.value,
    asOf: view.asOf ? view.asOf.toISOString() : null,
    contributions: view.rfm
      ? view.rfm.parts
      : view.contributions.map((c) => ({
          eventId: c.eventId,
          eventType: c.eventType,
          points: c.points,
          occurredAt: c.occurredAt.toISOString(),
        })),
    ...(view.rfm ? { cell: view.rfm.cell, cellSince: view.rfm.cellSince.toISOString() } : {}),
    ...(definition.kind === 'profile_quality' ? { level: qualityLevel(view.value) } : {}),
  };
}
