// Customers and events for the segment preview benchmark, as COPY text, from a seeded generator
// so every run loads the same data. Shapes are the ones segments meet in production: profile
// values as numbers, numeric strings, other strings or missing; a few heavy customers and a long
// tail; a fifth of the customers lapsed (no events in the last 30 days), so inactive_30d has
// members; privacy-proxy opens flagged { machineOpen: true }.
import { once } from 'node:events';
import type { Writable } from 'node:stream';

const DAY_MS = 86_400_000;
export const HISTORY_DAYS = 180;
/** Lapsed customers' events all fall before this many days ago. */
const LAPSED_DAYS = 31;

/** mulberry32: small, fast and seedable; Math.random is neither of the last two. */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Event types by weight (they sum to 1). */
const EVENT_TYPES: [string, number][] = [
  ['page_view', 0.38],
  ['session_start', 0.12],
  ['email_opened', 0.14],
  ['add_to_cart', 0.08],
  ['product_viewed', 0.07],
  ['email_clicked', 0.05],
  ['purchase', 0.05],
  ['form_submit', 0.04],
  ['push_opened', 0.04],
  ['sms_clicked', 0.03],
];
const CATEGORIES = ['shoes', 'shirts', 'books', 'garden', 'toys', 'kitchen'];
const PLANS = ['free', 'starter', 'pro', 'enterprise'];
const ZONES = ['Europe/Berlin', 'America/New_York', 'Asia/Tokyo', 'UTC'];

export const customerId = (i: number) => `c${String(i).padStart(7, '0')}`;
const isLapsed = (i: number) => i % 5 === 4;

function copyText(value: string | null): string {
  if (value === null) return '\\N';
  return value.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n');
}

const line = (values: (string | null)[]) => values.map(copyText).join('\t') + '\n';

export const CUSTOMER_COLUMNS = 'id, email, phone, time_zone, locale, attributes, consent';

function customerLine(i: number, random: () => number): string {
  const attributes: Record<string, unknown> = {};
  const ltv = random();
  // Exponential around 400: about a tenth reach 1,000.
  const value = Math.round(-Math.log(1 - random()) * 400 * 100) / 100;
  if (ltv < 0.45) attributes.lifetime_value = value;
  else if (ltv < 0.6) attributes.lifetime_value = String(value);
  else if (ltv < 0.65) attributes.lifetime_value = 'unknown';
  const plan = random();
  if (plan < 0.85) attributes.plan = PLANS[Math.floor(plan * 100) % PLANS.length];
  if (random() < 0.3) attributes.signup_year = String(2015 + Math.floor(random() * 11));
  const consent = random();
  const consentJson =
    consent < 0.3
      ? { email: 'opted_in' }
      : consent < 0.4
        ? { email: 'opted_out' }
        : consent < 0.5
          ? { email: 'opted_in', sms: 'opted_in' }
          : {};
  return line([
    customerId(i),
    random() < 0.9 ? `customer${i}@example.test` : null,
    random() < 0.4 ? `+1555${String(i).padStart(7, '0')}` : null,
    ZONES[i % ZONES.length] ?? null,
    random() < 0.7 ? 'en-US' : null,
    JSON.stringify(attributes),
    JSON.stringify(consentJson),
  ]);
}

export const EVENT_COLUMNS =
  'id, customer_id, type, occurred_at, received_at, properties, source, routed_at, flags';

function pickType(r: number): string {
  let sum = 0;
  for (const [type, weight] of EVENT_TYPES) {
    sum += weight;
    if (r < sum) return type;
  }
  return 'page_view';
}

function eventLine(i: number, customers: number, now: number, random: () => number): string {
  // Squared: low ids are the heavy users, the rest a long tail.
  const customer = Math.min(customers - 1, Math.floor(customers * random() ** 2));
  const newest = isLapsed(customer) ? LAPSED_DAYS : 0;
  const occurred = now - (newest + random() * (HISTORY_DAYS - newest)) * DAY_MS;
  const type = pickType(random());
  let properties: Record<string, unknown> = {};
  let flags: string | null = null;
  if (type === 'purchase') {
    const total = Math.round(random() * 300 * 100) / 100;
    // A few totals arrive as numeric strings, as some sources send them.
    properties = {
      total: random() < 0.1 ? String(total) : total,
      category: CATEGORIES[Math.floor(random() * CATEGORIES.length)],
    };
  } else if (type === 'page_view') {
    properties = { path: `/p/${Math.floor(random() * 500)}` };
  } else if (type === 'add_to_cart') {
    properties = { sku: `sku-${Math.floor(random() * 2000)}`, quantity: 1 };
  } else if (type === 'email_opened' && random() < 0.3) {
    flags = '{"machineOpen":true}';
  }
  const at = new Date(occurred).toISOString();
  const received = new Date(occurred + 1000).toISOString();
  return line([
    `e${i}`,
    customerId(customer),
    type,
    at,
    received,
    JSON.stringify(properties),
    'bench',
    received,
    flags,
  ]);
}

/** Writes with backpressure, CHUNK lines a write. */
async function writeLines(
  writable: Writable,
  from: number,
  to: number,
  make: (i: number) => string,
): Promise<void> {
  const CHUNK = 5_000;
  const finished = new Promise<void>((resolve, reject) => {
    writable.on('error', reject);
    writable.on('finish', resolve);
  });
  for (let start = from; start < to; start += CHUNK) {
    let text = '';
    for (let i = start; i < Math.min(to, start + CHUNK); i++) text += make(i);
    if (!writable.write(text)) await once(writable, 'drain');
  }
  writable.end();
  await finished;
}

export function writeCustomers(writable: Writable, count: number, seed: number): Promise<void> {
  const random = seeded(seed);
  return writeLines(writable, 0, count, (i) => customerLine(i, random));
}

/** Events [from, to): each slice has its own seed, so slices may be copied in parallel. */
export function writeEvents(
  writable: Writable,
  slice: { from: number; to: number; customers: number; now: number; seed: number },
): Promise<void> {
  const random = seeded(slice.seed);
  return writeLines(writable, slice.from, slice.to, (i) =>
    eventLine(i, slice.customers, slice.now, random),
  );
}
