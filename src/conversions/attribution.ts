import { allocateUnits } from './allocate';

/**
 * Attribution: which messages get credit for a conversion, and how much. Pure: times are epoch
 * milliseconds passed in, nothing reads a clock or a database.
 *
 * What counts as a touch (the documented rule):
 * - A touch is a delivered message: the caller passes only deliveries with status 'sent'.
 * - It must have been sent inside the window: conversionAt - windowMs <= sentAt <= conversionAt
 *   (both ends inclusive).
 * - A message is clicked when its (latest human) click happened between its send and the
 *   conversion, both inclusive; a click after the conversion did not lead to it and is ignored.
 * - Touch time: the click time for a clicked message, otherwise its send time.
 * - Clicks are the stronger touch: when any touch in the window was clicked, only the clicked
 *   touches are credited; otherwise every message sent in the window is.
 *
 * Order and ties: touches are ordered by touch time, then send time, then delivery id, so the
 * same input always credits the same message. last_touch credits the last of that order,
 * first_touch the first.
 *
 * Weights are whole millionths and revenue shares whole ten-thousandths of the currency unit,
 * split by largest remainder, so the weights of one conversion and model add up to exactly 1 and
 * the revenue shares to exactly the revenue (to those precisions).
 */

export const ATTRIBUTION_MODELS = ['last_touch', 'first_touch', 'linear', 'time_decay'] as const;
export type AttributionModel = (typeof ATTRIBUTION_MODELS)[number];

export const DAY_MS = 86_400_000;
export const DEFAULT_HALF_LIFE_MS = 7 * DAY_MS;
export const WEIGHT_UNITS = 1_000_000;
export const REVENUE_UNITS = 10_000;

/** A message the customer was sent, with the time of its latest click if there was one. */
export interface DeliveredMessage {
  deliveryId: string;
  sentAt: number;
  clickedAt?: number;
}

export interface Touch {
  deliveryId: string;
  sentAt: number;
  /** The click time for a clicked message, otherwise the send time. */
  at: number;
  clicked: boolean;
}

export interface Credit {
  deliveryId: string;
  /** Share of the conversion, 0–1. */
  weight: number;
  /** The conversion's revenue times the weight. */
  revenue: number;
}

export interface AttributionInput {
  conversionAt: number;
  windowMs: number;
  /** Non-negative; 0 when the goal event carries none. */
  revenue: number;
  /** time_decay halves a touch's weight for every half-life before the conversion. */
  halfLifeMs?: number;
}

export interface Attribution {
  touches: Touch[];
  models: Record<AttributionModel, Credit[]>;
}

/** The touches that may be credited for a conversion at `conversionAt`, in credit order. */
export function selectTouches(
  messages: readonly DeliveredMessage[],
  conversionAt: number,
  windowMs: number,
): Touch[] {
  const inWindow = messages
    .filter((m) => m.sentAt >= conversionAt - windowMs && m.sentAt <= conversionAt)
    .map((m) => toTouch(m, conversionAt));
  const clicked = inWindow.filter((touch) => touch.clicked);
  return (clicked.length > 0 ? clicked : inWindow).sort(compareTouches);
}

/** Every model's credits for one conversion. */
export function attributeConversion(
  messages: readonly DeliveredMessage[],
  input: AttributionInput,
): Attribution {
  validateInput(input);
  const touches = selectTouches(messages, input.conversionAt, input.windowMs);
  const entries = ATTRIBUTION_MODELS.map((model) => [model, credit(model, touches, input)]);
  return { touches, models: Object.fromEntries(entries) as Record<AttributionModel, Credit[]> };
}

/** One model's credits; touches must be in credit order (as selectTouches returns them). */
export function credit(
  model: AttributionModel,
  touches: readonly Touch[],
  input: Pick<AttributionInput, 'conversionAt' | 'revenue' | 'halfLifeMs'>,
): Credit[] {
  if (touches.length === 0) return [];
  const credited = creditedTouches(model, touches);
  const shares = rawShares(model, credited, input.conversionAt, input.halfLifeMs);
  const weights = allocateUnits(WEIGHT_UNITS, shares);
  const revenue = allocateUnits(Math.round(input.revenue * REVENUE_UNITS), weights);
  return credited.map((touch, index) => ({
    deliveryId: touch.deliveryId,
    weight: (weights[index] ?? 0) / WEIGHT_UNITS,
    revenue: (revenue[index] ?? 0) / REVENUE_UNITS,
  }));
}

function creditedTouches(model: AttributionModel, touches: readonly Touch[]): readonly Touch[] {
  if (model === 'last_touch') return touches.slice(-1);
  if (model === 'first_touch') return touches.slice(0, 1);
  return touches;
}

function rawShares(
  model: AttributionModel,
  touches: readonly Touch[],
  conversionAt: number,
  halfLifeMs = DEFAULT_HALF_LIFE_MS,
): number[] {
  if (model !== 'time_decay') return touches.map(() => 1);
  return touches.map((touch) => 2 ** (-(conversionAt - touch.at) / halfLifeMs));
}

function toTouch(message: DeliveredMessage, conversionAt: number): Touch {
  const clickedAt = message.clickedAt;
  const clicked =
    clickedAt !== undefined && clickedAt >= message.sentAt && clickedAt <= conversionAt;
  return {
    deliveryId: message.deliveryId,
    sentAt: message.sentAt,
    at: clicked ? clickedAt : message.sentAt,
    clicked,
  };
}

function compareTouches(a: Touch, b: Touch): number {
  if (a.at !== b.at) return a.at - b.at;
  if (a.sentAt !== b.sentAt) return a.sentAt - b.sentAt;
  return a.deliveryId < b.deliveryId ? -1 : a.deliveryId > b.deliveryId ? 1 : 0;
}

function validateInput(input: AttributionInput): void {
  if (!Number.isFinite(input.conversionAt)) throw new RangeError('conversionAt must be finite');
  if (!(Number.isFinite(input.windowMs) && input.windowMs > 0)) {
    throw new RangeError('windowMs must be a positive number');
  }
  if (!(Number.isFinite(input.revenue) && input.revenue >= 0)) {
    throw new RangeError('revenue must be a non-negative number');
  }
  const halfLife = input.halfLifeMs ?? DEFAULT_HALF_LIFE_MS;
  if (!(Number.isFinite(halfLife) && halfLife > 0)) {
    throw new RangeError('halfLifeMs must be a positive number');
  }
}
