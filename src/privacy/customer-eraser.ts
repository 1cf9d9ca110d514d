import type { Database } from '../db/database';
import type { CustomerIdentifier, IdentifierKey } from './identifier-hash';

/** What every eraser of one erasure is told. */
export interface ErasureContext {
  customerId: string;
  /** The customer's identifiers in clear, gathered before any row went (see IDENTIFIER_SOURCES). */
  identifiers: readonly CustomerIdentifier[];
  key: IdentifierKey;
}

/**
 * One domain's part of an erasure: the module that owns the tables erases from them (the eraser
 * here only calls it). `tables` names every table it deletes from or anonymises, so the audit of
 * the schema (test/privacy) can tell no table was forgotten; `erase` returns rows per table.
 */
export interface CustomerEraser {
  domain: string;
  action: 'delete' | 'anonymise';
  tables: readonly string[];
  erase(db: Database, context: ErasureContext): Promise<Record<string, number>>;
}

/**
 * Where a customer's identifiers are held (the profile's email and phone, device tokens): they
 * are hashed into the tombstone before anything is erased. A later identity module adds its own
 * identifiers table here, and its identifiers get the same treatment.
 */
export interface IdentifierSource {
  domain: string;
  identifiers(db: Database, customerId: string): Promise<CustomerIdentifier[]>;
}
