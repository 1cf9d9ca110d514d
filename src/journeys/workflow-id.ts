import type { JourneyEvent } from './run-types';
import type { JourneyDefinition } from './schema';

/**
 * Deterministic workflow ids: one run per (journey, customer) or (journey, customer, key), so a
 * duplicate trigger collapses onto the running workflow. ':' separates the parts, so ':' and
 * '%' inside a part are percent-encoded and the id always splits back unambiguously.
 */
export function journeyWorkflowId(journeyId: string, customerId: string, key?: string): string {
  if (journeyId === '') throw new Error('journeyWorkflowId: journeyId must not be empty');
  if (customerId === '') throw new Error('journeyWorkflowId: customerId must not be empty');
  const parts = ['journey', encodePart(journeyId), encodePart(customerId)];
  if (key !== undefined) parts.push(encodePart(key));
  return parts.join(':');
}

export interface ParsedWorkflowId {
  journeyId: string;
  customerId: string;
  key?: string;
}

/** The inverse of journeyWorkflowId; null for ids that are not journey run ids. */
export function parseJourneyWorkflowId(workflowId: string): ParsedWorkflowId | null {
  const parts = workflowId.split(':');
  if (parts[0] !== 'journey' || parts.length < 3 || parts.length > 4) return null;
  const [, journeyId, customerId, key] = parts.map(decodePart);
  if (!journeyId || !customerId) return null;
  return key === undefined ? { journeyId, customerId } : { journeyId, customerId, key };
}

function encodePart(part: string): string {
  return part.replace(/%/g, '%25').replace(/:/g, '%3A');
}

function decodePart(part: string): string {
  return part.replace(/%3A/gi, ':').replace(/%25/g, '%');
}

/** A keyed journey was triggered by an event without the key property. */
export class MissingRunKeyError extends Error {
  constructor(
    readonly journeyId: string,
    readonly keyProperty: string,
    readonly eventId: string,
  ) {
    super(
      `journey "${journeyId}" is keyed by trigger property "${keyProperty}", but trigger event ${eventId} ` +
        'has no usable value for it (missing, empty, or not a string or number)',
    );
    this.name = 'MissingRunKeyError';
  }
}

/**
 * The run key for keyed re-entry: the trigger property named by reEntry.key, as a string.
 * undefined for journeys that are not keyed; MissingRunKeyError when a keyed journey's trigger
 * has no usable key (fail closed: no key, no run).
 */
export function runKeyFromTrigger(
  definition: JourneyDefinition,
  event: JourneyEvent,
): string | undefined {
  const reEntry = definition.reEntry;
  if (reEntry?.mode !== 'keyed') return undefined;
  const value = event.properties[reEntry.key];
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  throw new MissingRunKeyError(definition.id, reEntry.key, event.id);
}
