import { Worker, type ReplayResult } from '@temporalio/worker';
import { testWorkflowBundle } from '../support/temporal';
import { historyFilesOnDisk, loadHistory, readManifest } from './history-files';
import { replaySinks } from '../../src/runtime/run-finished-sink';

/**
 * Every recorded history replays against the workflow bundle this jest run built from the
 * current code. A change to what the workflow or the interpreter emits for a run that is
 * already in flight (an activity, timer, search-attribute upsert or continue-as-new moved, added
 * or removed without a patch) fails here with the file that shows it.
 */
describe('recorded workflow histories replay against the current workflow code', () => {
  const manifest = readManifest();
  const results = new Map<string, ReplayResult>();

  beforeAll(async () => {
    const replays = Worker.runReplayHistories(
      { workflowBundle: testWorkflowBundle(), sinks: replaySinks() },
      manifest.map((entry) => loadHistory(entry)),
    );
    // Replayed one after another, in the order given.
    let index = 0;
    for await (const result of replays) {
      results.set(manifest[index]!.file, result);
      index += 1;
    }
  }, 120_000);

  it('lists every history file in the manifest, and covers every built-in journey', () => {
    expect(manifest.map((e) => e.file).sort()).toEqual(historyFilesOnDisk());
    const journeys = new Set(manifest.map((e) => e.journey));
    for (const id of ['welcome-series', 'abandoned-cart', 're-engagement', 'onboarding']) {
      expect(journeys).toContain(id);
    }
    expect(manifest.length).toBeGreaterThanOrEqual(18);
  });

  it.each(manifest.map((e) => [e.file, e.state]))('%s (%s) replays', (file) => {
    const result = results.get(file);
    expect(result).toBeDefined();
    expect(result?.error?.message ?? null).toBeNull();
  });
});
