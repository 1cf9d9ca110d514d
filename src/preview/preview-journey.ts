import { loadScoreCatalogue } from '../audience/score-catalogue';
import { activeJourney } from '../catalogue/active-journeys';
import { findVersion } from '../catalogue/journey-records';
import type { PreviewRequestParsed, PreviewResult } from '../contract/preview';
import { engagementTimes, loadProfileSnapshot, toProfileSnapshot } from '../customers';
import type { Database } from '../db/database';
import { parseDuration } from '../journeys/durations';
import { simulate, type SimulatedEvent, type SimulationResult } from '../journeys/preview';
import type { ProfileSnapshot } from '../journeys/run-types';
import type { JourneyDefinition } from '../journeys/schema';
import type { SendWindow } from '../journeys/send-window';
import { explicitTrigger, runKeyFor } from '../routing/explicit-start';

export interface PreviewDeps {
  db: Database;
  /** The zone and send window real runs get, so the preview waits where a run would. */
  defaultTimeZone: string;
  defaultSendWindow?: SendWindow;
}

export type PreviewRefusal =
  | { reason: 'journey_not_found' }
  | { reason: 'version_not_found'; version: number }
  | { reason: 'customer_not_found' }
  | { reason: 'invalid_key'; message: string }
  /** The journey did not settle (a loop of zero-time steps) or its pure code failed. */
  | { reason: 'simulation_failed'; error: unknown };

export type PreviewOutcome =
  { kind: 'previewed'; result: PreviewResult } | { kind: 'refused'; refusal: PreviewRefusal };

/** A profile described in the request stands for this customer id unless it names one. */
const PREVIEW_CUSTOMER_ID = 'preview';

/**
 * What a journey version would do for a customer over the horizon: the pure interpreter driven
 * by simulate() on a virtual clock, fed the profile a run would load (src/customers) and a trigger
 * built as an explicit start builds it. Nothing is stored and nothing is sent; every send is
 * assumed to go out (consent, caps and addresses are checked by real sends).
 */
export async function previewJourney(
  deps: PreviewDeps,
  journeyId: string,
  request: PreviewRequestParsed,
  now: Date,
): Promise<PreviewOutcome> {
  const journey = await journeyVersion(deps.db, journeyId, request.version);
  if ('reason' in journey) return refused(journey);
  const customer = await customerFor(deps.db, request, now);
  if (!customer) return refused({ reason: 'customer_not_found' });
  const { definition, version } = journey;
  const key = runKeyFor(definition.reEntry, request.key ?? keyInProperties(definition, request));
  if (key !== null && typeof key === 'object')
    return refused({ reason: 'invalid_key', message: key.invalid });

  const start = request.start ? new Date(request.start) : now;
  const horizonMs = parseDuration(request.horizon);
  const trigger = explicitTrigger(
    definition,
    { customerId: customer.profile.id, properties: request.trigger?.properties ?? {} },
    key,
    start,
    'preview:trigger',
  );
  const events: SimulatedEvent[] = (request.events ?? []).map((event, index) => {
    const at = start.getTime() + parseDuration(event.after);
    return {
      at,
      event: {
        id: event.id ?? `preview:event:${index}`,
        type: event.type,
        customerId: customer.profile.id,
        occurredAt: new Date(at).toISOString(),
        properties: event.properties ?? {},
      },
    };
  });
  let simulation: SimulationResult;
  try {
    simulation = simulate(withSendWindow(definition, deps.defaultSendWindow), {
      profile: customer.profile,
      trigger,
      events,
      horizonMs,
      now: start.getTime(),
      engagedAt: customer.engagedAt,
      customerId: customer.profile.id,
      journeyVersion: version,
      ...(key !== null ? { key } : {}),
      defaultTimeZone: deps.defaultTimeZone,
    });
  } catch (error) {
    return refused({ reason: 'simulation_failed', error });
  }
  return {
    kind: 'previewed',
    result: resultView(journeyId, version, customer.profile.id, start, horizonMs, simulation),
  };
}

/** A keyed journey's key may come with the trigger, as it does on a routed event. */
function keyInProperties(
  definition: JourneyDefinition,
  request: PreviewRequestParsed,
): string | undefined {
  if (definition.reEntry.mode !== 'keyed') return undefined;
  const value = request.trigger?.properties?.[definition.reEntry.key];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

async function journeyVersion(
  db: Database,
  journeyId: string,
  version: number | undefined,
): Promise<{ definition: JourneyDefinition; version: number } | PreviewRefusal> {
  if (version === undefined) {
    const active = await activeJourney(db, journeyId);
    return active ?? { reason: 'journey_not_found' };
  }
  const row = await findVersion(db, journeyId, version);
  if (row) return row;
  // Say which is unknown: the journey, or only this version of it.
  return (await activeJourney(db, journeyId))
    ? { reason: 'version_not_found', version }
    : { reason: 'journey_not_found' };
}

/** The profile a run would load now, or the one the request describes, built the same way. */
async function customerFor(
  db: Database,
  request: PreviewRequestParsed,
  now: Date,
): Promise<{ profile: ProfileSnapshot; engagedAt: number[] } | null> {
  if (request.customerId !== undefined) {
    const profile = await loadProfileSnapshot(db, request.customerId, await loadScoreCatalogue(db));
    if (!profile) return null;
    return { profile, engagedAt: await engagementTimes(db, request.customerId, now) };
  }
  const given = request.profile ?? {};
  const lastEngagedAt = given.lastEngagedAt ? new Date(given.lastEngagedAt) : null;
  const profile = toProfileSnapshot({
    id: given.id ?? PREVIEW_CUSTOMER_ID,
    timeZone: given.timeZone ?? null,
    locale: given.locale ?? null,
    hasEmail: given.hasEmail ?? false,
    hasPhone: given.hasPhone ?? false,
    consent: given.consent ?? {},
    attributes: given.attributes ?? {},
    lastEngagedAt,
  });
  return { profile, engagedAt: lastEngagedAt ? [lastEngagedAt.getTime()] : [] };
}

/**
 * simulate() takes no deployment send window, so the journey carries it: its own window still
 * wins, exactly as in a run (journey sendWindow, else the deployment's).
 */
function withSendWindow(
  definition: JourneyDefinition,
  window: SendWindow | undefined,
): JourneyDefinition {
  if (definition.sendWindow || !window) return definition;
  return { ...definition, sendWindow: window };
}

function resultView(
  journeyId: string,
  version: number,
  customerId: string,
  start: Date,
  horizonMs: number,
  simulation: SimulationResult,
): PreviewResult {
  const iso = (at: number) => new Date(at).toISOString();
  const { finalState } = simulation;
  return {
    journeyId,
    version,
    customerId,
    start: start.toISOString(),
    horizonEnd: iso(start.getTime() + horizonMs),
    messages: simulation.sends.map((send) => ({ ...send, at: iso(send.at) })),
    decisions: simulation.decisions.map((decision) => ({
      at: iso(decision.at),
      stepId: decision.stepId,
      kind: decision.kind,
      summary: decision.summary,
      ...(decision.detail ? { detail: decision.detail } : {}),
    })),
    decisionsDropped: finalState.traceDropped,
    outcome: {
      status: finalState.status,
      finishReason: finalState.finishReason,
      reachedHorizon: simulation.reachedHorizon,
      currentStepId: finalState.currentStepId,
    },
  };
}

function refused(refusal: PreviewRefusal): PreviewOutcome {
  return { kind: 'refused', refusal };
}
