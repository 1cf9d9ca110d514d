import { storedTrace } from '../../src/timeline/run-traces';

describe('storedTrace', () => {
  it('keeps entries shaped like decisions and drops the rest', () => {
    expect(
      storedTrace([
        {
          at: 1,
          stepId: 'wait',
          kind: 'wait_scheduled',
          summary: 'waiting',
          detail: { until: 'x' },
        },
        { at: 2, kind: 'finished', summary: 'run completed (completed)' },
        { at: 'soon', kind: 'entered', summary: 'bad time' },
        { at: 3, kind: 'branch', summary: 'bad detail', detail: [1] },
        null,
        'entered',
      ]),
    ).toEqual([
      { at: 1, stepId: 'wait', kind: 'wait_scheduled', summary: 'waiting', detail: { until: 'x' } },
      { at: 2, stepId: null, kind: 'finished', summary: 'run completed (completed)' },
    ]);
  });

  it('answers null when there is no trace at all', () => {
    expect(storedTrace(null)).toBeNull();
    expect(storedTrace({ trace: [] })).toBeNull();
    expect(storedTrace([])).toEqual([]);
  });
});
