import { is } from 'drizzle-orm';
import { getTableConfig, PgTable } from 'drizzle-orm/pg-core';
import * as schema from '../../src/db/schema';
import { CUSTOMER_ERASERS, TABLES_KEPT } from '../../src/privacy/erasers';

/** Every table of src/db/schema, decided on: erased (deleted or anonymised) or kept, with why. */
const tables = (Object.values(schema) as unknown[])
  .filter((value): value is PgTable => is(value, PgTable))
  .map((table) => getTableConfig(table));

const erased = CUSTOMER_ERASERS.flatMap((eraser) => eraser.tables);

describe('the erasure audit of the schema', () => {
  it('decides on every table: an eraser names it or TABLES_KEPT says why it stays', () => {
    const undecided = tables
      .map((t) => t.name)
      .filter((name) => !erased.includes(name) && !(name in TABLES_KEPT));
    expect(undecided).toEqual([]);
    // And names no table that does not exist, nor one twice.
    const names = new Set(tables.map((t) => t.name));
    expect([...erased, ...Object.keys(TABLES_KEPT)].filter((n) => !names.has(n))).toEqual([]);
    expect(new Set(erased).size).toBe(erased.length);
    expect(erased.filter((name) => name in TABLES_KEPT)).toEqual([]);
  });

  it('erases every table that refers to a customer, and the profile last', () => {
    const referring = tables
      .filter((t) =>
        t.foreignKeys.some(
          (fk) => getTableConfig(fk.reference().foreignTable).name === 'customers',
        ),
      )
      .map((t) => t.name);
    expect(referring.length).toBeGreaterThan(10);
    expect(referring.filter((name) => !erased.includes(name))).toEqual([]);
    expect(CUSTOMER_ERASERS.at(-1)?.tables).toEqual(['customers']);
  });

  it('anonymises only the ledger and the conversions, which keep the counts', () => {
    const anonymised = CUSTOMER_ERASERS.filter((e) => e.action === 'anonymise').flatMap(
      (e) => e.tables,
    );
    expect(anonymised.sort()).toEqual(['conversions', 'deliveries']);
    // Links are found through the ledger's customer, so they go before it is anonymised.
    const order = CUSTOMER_ERASERS.flatMap((e) => e.tables);
    expect(order.indexOf('delivery_links')).toBeLessThan(order.indexOf('deliveries'));
  });
});
