import type { JsonObject, ProfileSnapshot } from '../journeys/run-types';
import type { StoredScore } from '../scores/decay';

/** A stored event as a segment condition reads it. */
export interface FactEvent {
  type: string;
  /** Epoch milliseconds. */
  occurredAt: number;
  properties: JsonObject;
  /** { machineOpen?, bot? }; null when the event carries none. */
  flags: JsonObject | null;
}

/** An email address or phone number: whether the customer has one, and whether it is suppressed. */
export interface AddressFact {
  present: boolean;
  suppressed: boolean;
}

export type ConsentChoice = 'opted_in' | 'opted_out';
export type ConsentFacts = Partial<Record<'email' | 'sms' | 'push', ConsentChoice>>;

/** A topic that exists, with the customer's explicit choice (null: none made). */
export interface TopicFact {
  mode: 'opt_in' | 'opt_out';
  choice: 'subscribed' | 'unsubscribed' | null;
}

/**
 * Everything a segment condition can read about one customer, gathered by the caller: the pure
 * evaluator reads nothing else, so the same facts always give the same answer.
 */
export interface CustomerFacts {
  /** The snapshot journeys see (src/customers/profile-snapshot.ts). */
  profile: ProfileSnapshot;
  /** Every stored event of the customer, in any order (events after `now` are ignored). */
  events: readonly FactEvent[];
  email: AddressFact;
  sms: AddressFact;
  /** One entry per device token: whether that token is suppressed. */
  pushTokens: readonly { suppressed: boolean }[];
  consent: ConsentFacts;
  /** Every topic that exists, by id; a topic not listed does not exist. */
  topics: Readonly<Record<string, TopicFact>>;
  /** The segments the customer is currently a member of. */
  segments: ReadonlySet<string>;
  /**
   * The stored state of each decaying score of its current version, by score id (none: 0), and
   * of each RFM score (value r + f + m, asOf its recompute; none: missing).
   */
  scores?: Readonly<Record<string, StoredScore>>;
  /** The customer's stored lifecycle stage; null when none was ever given. */
  lifecycleStage: string | null;
}
