import type { Database } from '../db/database';
import type { JsonValue } from '../journeys/run-types';
import {
  moveCustomerEvents,
  moveCustomerRuns,
  returnCustomerEvents,
  returnCustomerRuns,
} from '../routing/customer-merge';
import type { IdentifierKey } from './identifiers';
import { moveIdentifiers, returnIdentifiers } from './identifier-rows';

export interface MoveContext {
  from: string;
  into: string;
  now: Date;
}

export interface UnmoveContext extends MoveContext {
  /** When the merge was applied: a choice made after it stays (fail closed). */
  mergedAt: Date;
}

/**
 * One part of what belongs to a customer, as a merge moves it: `move` answers a record of what it
 * moved (kept on the merge), `restore` gives back exactly that. Each calls the module that owns
 * its table, as the erasers of src/privacy do.
 */
export interface CustomerMover {
  name: string;
  move(db: Database, context: MoveContext): Promise<JsonValue>;
  restore(db: Database, context: UnmoveContext, record: JsonValue): Promise<void>;
}

const strings = (record: JsonValue): string[] =>
  Array.isArray(record) ? record.filter((v): v is string => typeof v === 'string') : [];

/** The movers of a merge, in order; an unmerge runs them backwards. */
export const CUSTOMER_MOVERS: readonly CustomerMover[] = [
  {
    name: 'identifiers',
    move: async (db, { from, into }) =>
      (await moveIdentifiers(db, from, into)).map((key) => [key.type, key.value]),
    async restore(db, { from }, record) {
      const keys: IdentifierKey[] = Array.isArray(record)
        ? record.flatMap((pair) =>
            Array.isArray(pair) && typeof pair[0] === 'string' && typeof pair[1] === 'string'
              ? [{ type: pair[0], value: pair[1] }]
              : [],
          )
        : [];
      await returnIdentifiers(db, keys, from);
    },
  },
  {
    name: 'events',
    move: (db, { from, into }) => moveCustomerEvents(db, from, into),
    restore: (db, { from }, record) => returnCustomerEvents(db, strings(record), from),
  },
  {
    name: 'runs',
    move: (db, { from, into }) => moveCustomerRuns(db, from, into),
    restore: (db, { from }, record) => returnCustomerRuns(db, strings(record), from),
  },
];
