import { eventually } from '../support/eventually';

describe('eventually', () => {
  it('resolves with the first truthy value the condition returns', async () => {
    let calls = 0;
    const value = await eventually(() => (++calls >= 3 ? { calls } : null), { intervalMs: 1 });
    expect(value).toEqual({ calls: 3 });
  });

  it('counts a thrown error as "not yet"', async () => {
    let calls = 0;
    const value = await eventually(
      () => {
        calls += 1;
        if (calls < 2) throw new Error('not ready');
        return 'ready';
      },
      { intervalMs: 1 },
    );
    expect(value).toBe('ready');
  });

  it('fails on timeout, saying what it waited for and what it last saw', async () => {
    await expect(
      eventually(() => false, { timeoutMs: 50, intervalMs: 5, describe: 'the run to reach nudge' }),
    ).rejects.toThrow(
      /^timed out after 50 ms \(\d+ attempts\) waiting for the run to reach nudge; last value: false$/,
    );
  });

  it('names the last error, and quotes the condition when not told what it waits for', async () => {
    const failure = eventually(
      () => {
        throw new Error('connection refused');
      },
      { timeoutMs: 30, intervalMs: 5 },
    );
    await expect(failure).rejects.toThrow(/waiting for condition .*connection refused.*/);
    await expect(failure).rejects.toThrow(/last error: connection refused$/);
  });
});
