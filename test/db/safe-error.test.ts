import { sql } from 'drizzle-orm';
import { customers } from '../../src/db/schema';
import { describeFailure } from '../../src/db/safe-error';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

describe('describeFailure', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
    await database.db.insert(customers).values({ id: 'dup', email: 'first@example.com' });
  });

  afterAll(async () => {
    await database?.close();
  });

  it("names a failed query's driver error and never its parameters", async () => {
    const error = await database.db
      .insert(customers)
      .values({ id: 'dup', email: 'secret.person@example.com', phone: '+15555550123' })
      .catch((failure: unknown) => failure);

    // drizzle's own message carries every parameter: the reason this function exists.
    expect(String((error as Error).message)).toContain('secret.person@example.com');
    const described = describeFailure(error);
    expect(described).toMatch(/\(23505\).*duplicate key value violates unique constraint/);
    expect(described).not.toContain('secret.person');
    expect(described).not.toContain('+15555550123');
  });

  it('leaves out the value Postgres quotes in its own message', async () => {
    const error = await database.db
      .execute(sql`select ${'secret.person@example.com'}::int`)
      .catch((failure: unknown) => failure);
    const cause = (error as Error).cause as Error;
    expect(cause.message).toContain('secret.person@example.com');
    const described = describeFailure(error);
    expect(described).toBe('PostgresError (22P02): invalid input syntax for type integer: "…"');
  });

  it('describes other errors by name and message, truncated', () => {
    expect(describeFailure(new TypeError('x'.repeat(600)))).toHaveLength(500);
    expect(describeFailure(new RangeError('bad range'))).toBe('RangeError: bad range');
    expect(describeFailure('a string')).toBe('unknown error');
  });
});
