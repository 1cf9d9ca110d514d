import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { loadHistory, readManifest } from './history-files';
import { replaySinks } from '../../src/runtime/run-finished-sink';

const quietLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: (message: string) => console.error(message),
};

/**
 * The replay suite must catch an incompatible deploy: the welcome-series histories replayed
 * against a bundle that swaps the run's first two commands (send, then wait becomes wait, then
 * send) fail with a determinism violation, and the same change behind patched() replays.
 */
describe('a changed command order', () => {
  const welcome = readManifest().filter((e) => e.journey === 'welcome-series');
  let reordered: { code: string };
  let patchedBundle: { code: string };

  beforeAll(async () => {
    [reordered, patchedBundle] = await Promise.all([
      bundleWorkflowCode({
        workflowsPath: require.resolve('./fixtures/reordered-workflows'),
        logger: quietLogger,
      }),
      bundleWorkflowCode({
        workflowsPath: require.resolve('./fixtures/patched-workflows'),
        logger: quietLogger,
      }),
    ]);
  }, 120_000);

  it('has welcome-series histories that begin with the welcome email', () => {
    // Recorded before the lean-run-history patch, with it (-v2) and as history shapes 3 to 5.
    expect(welcome.map((e) => e.file).sort()).toEqual([
      'welcome-series-completed-v2.json',
      'welcome-series-completed-v3.json',
      'welcome-series-completed-v4.json',
      'welcome-series-completed.json',
      'welcome-series-deferred-by-cap-v2.json',
      'welcome-series-deferred-by-cap-v3.json',
      'welcome-series-deferred-by-cap-v4.json',
      'welcome-series-deferred-by-cap.json',
      'welcome-series-quiet-hours-v2.json',
      'welcome-series-quiet-hours-v3.json',
      'welcome-series-quiet-hours-v4.json',
      'welcome-series-quiet-hours-v5.json',
      'welcome-series-quiet-hours.json',
    ]);
  });

  // The quiet-hours run rests on its first timer, and a timer is a timer to Temporal whatever its
  // duration: its commands so far (upsert, load profile, upsert, timer; with the lean patch its
  // marker, the local profile read, upsert, timer) keep their kinds.
  const pastTheFirstSend = welcome.filter((e) => !e.file.startsWith('welcome-series-quiet-hours'));

  it('fails replay of recorded runs past the first send with a DeterminismViolationError', async () => {
    expect(pastTheFirstSend).toHaveLength(8);
    for (const entry of pastTheFirstSend) {
      const { history, workflowId } = loadHistory(entry);
      const replay = Worker.runReplayHistory(
        { workflowBundle: reordered, sinks: replaySinks() },
        history,
        workflowId,
      );
      await expect(replay).rejects.toBeInstanceOf(DeterminismViolationError);
    }
  });

  it('replays the same recorded runs when the change is behind patched()', async () => {
    for (const entry of welcome) {
      const { history, workflowId } = loadHistory(entry);
      await Worker.runReplayHistory(
        { workflowBundle: patchedBundle, sinks: replaySinks() },
        history,
        workflowId,
      );
    }
  });
});
