/**
 * Canonical event names. The seeds call one thing cart_abandon, cart_abandonment and
 * cart_abandoned, and Segment's e-commerce spec calls a purchase "Order Completed": a journey
 * waiting for one name must not miss the other. Every event is stored under its canonical name
 * (src/routing/record-events.ts), and definitions that name an alias are refused at publish with
 * the name to use, so a trigger and the events it waits for always agree. Pure: the journey and
 * segment languages and the event store all read this one list.
 */
export interface CanonicalEvent {
  name: string;
  description: string;
  /** Names, in snake_case, that mean this event. */
  aliases: readonly string[];
}

export const CANONICAL_EVENTS: readonly CanonicalEvent[] = [
  {
    name: 'page_view',
    description: 'A page of the website was viewed (Segment: page).',
    aliases: ['page', 'pageview'],
  },
  {
    name: 'screen_view',
    description: 'A screen of the app was viewed (Segment: screen).',
    aliases: ['screen', 'screen_viewed'],
  },
  {
    name: 'product_view',
    description: 'A product was viewed.',
    aliases: ['product_viewed', 'view_item'],
  },
  {
    name: 'product_click',
    description: 'A product was clicked in a list.',
    aliases: ['product_clicked', 'select_item'],
  },
  {
    name: 'add_to_cart',
    description: 'A product was added to the cart.',
    aliases: ['cart_add', 'product_added', 'added_to_cart'],
  },
  {
    name: 'remove_from_cart',
    description: 'A product was removed from the cart.',
    aliases: ['cart_remove', 'product_removed', 'removed_from_cart'],
  },
  {
    name: 'cart_cleared',
    description: 'The cart was emptied.',
    aliases: ['cart_emptied', 'cart_clear'],
  },
  {
    name: 'cart_abandoned',
    description: 'A cart was left without a purchase (sent by a shop that detects it).',
    aliases: ['cart_abandon', 'cart_abandonment'],
  },
  {
    name: 'checkout_started',
    description: 'The checkout was started.',
    aliases: ['begin_checkout', 'checkout_start'],
  },
  {
    name: 'purchase',
    description: 'An order was completed.',
    aliases: ['purchase_completed', 'order_completed'],
  },
  {
    name: 'user_signup',
    description: 'The customer created an account.',
    aliases: ['sign_up', 'user_signed_up', 'registration'],
  },
  {
    name: 'login',
    description: 'The customer signed in.',
    aliases: ['signed_in', 'sign_in', 'user_login'],
  },
  {
    name: 'form_submit',
    description: 'A form was submitted.',
    aliases: ['form_submitted'],
  },
  {
    name: 'review_submit',
    description: 'A product review was submitted.',
    aliases: ['review_submitted', 'product_reviewed'],
  },
  {
    name: 'social_share',
    description: 'Something was shared on a social network.',
    aliases: ['product_shared'],
  },
];

const CANONICAL_BY_ALIAS: ReadonlyMap<string, string> = new Map(
  CANONICAL_EVENTS.flatMap((event) => event.aliases.map((alias) => [alias, event.name] as const)),
);

/** The canonical name an alias stands for, or null when `name` is not an alias. */
export function aliasTarget(name: string): string | null {
  return CANONICAL_BY_ALIAS.get(name) ?? null;
}

/** The name an event is stored under: its canonical name when `type` is an alias, else `type`. */
export function canonicalEventType(type: string): string {
  return aliasTarget(type) ?? type;
}

/**
 * A Segment track call's event name as a Cairn event type: "Order Completed" → purchase,
 * "Video Played" → video_played. Words are joined by "_" and lower-cased (camelCase split), so
 * names in Segment's Title Case and names already in snake_case meet on one spelling; characters
 * an event type cannot hold are dropped. Empty when nothing of the name is left.
 */
export function specEventType(name: string): string {
  const snake = name
    .trim()
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9_.:-]+/g, '_')
    .replace(/_+/g, '_')
    .replace(/^[^a-z]+|_+$/g, '')
    .slice(0, 100);
  return canonicalEventType(snake);
}

/** The refusal for a definition that names an alias (null when the name is canonical). */
export function aliasRefusal(name: string): string | null {
  const target = aliasTarget(name);
  return target === null
    ? null
    : `"${name}" is an alias of "${target}": events are stored under "${target}", so name that`;
}
