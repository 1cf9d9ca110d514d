import type { Database } from '../../src/db/database';
import { preparedPerDatabase } from '../../src/db/prepared';

describe('statements built once per database', () => {
  it('builds on first use, reuses it for that database, and builds apart for another', () => {
    const builtFor: Database[] = [];
    const statement = preparedPerDatabase((db) => {
      builtFor.push(db);
      return { boundTo: db };
    });
    const one = {} as Database;
    const two = {} as Database;

    const first = statement(one);
    expect(statement(one)).toBe(first);
    expect(statement(two)).not.toBe(first);
    expect(statement(two).boundTo).toBe(two);
    expect(builtFor).toHaveLength(2);
    expect(builtFor[0]).toBe(one);
    expect(builtFor[1]).toBe(two);
  });
});
