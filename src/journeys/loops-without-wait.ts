import type { z } from 'zod';
import type { Step } from './schema';
import { stepTargets } from './step-targets';
import { stronglyConnected } from './strongly-connected';

/**
 * A loop of steps needs a step in it that makes time pass durably, every time round. Without
 * one, a send that leads back to itself sends as fast as the provider answers (a customer got
 * 877 emails in 90 seconds that way), and a loop of branches spins until the run's step limit.
 *
 * What counts as waiting: a wait step `for` a duration, `untilLocalTime` or `untilBestHour`
 * (always a moment still to come), and a waitForEvent (it needs an event, or its timeout).
 * What does not: an `untilSinceEntry` wait (its moment passes once, and every later round goes
 * on at once), a message's `offset` (measured from entering the step, it is already past when
 * the messages before it took longer) and quiet hours (only outside the send window).
 */

type Edge = { field: string; target: number };

/**
 * An issue per group of steps that loop without a wait, at the edge that leaves the group's
 * first step; it names the shortest loop through that step. Linear in steps and edges.
 */
export function checkLoopsWithoutWait(steps: Step[], ctx: z.RefinementCtx): void {
  const edges = edgesBetweenZeroTimeSteps(steps);
  const groups = stronglyConnected(edges.map((out) => out.map((edge) => edge.target)));
  const looping = groups
    .filter(
      ([only, ...others]) => others.length > 0 || edges[only!]!.some((e) => e.target === only),
    )
    .map((group) => ({ start: group.reduce((a, b) => Math.min(a, b)), members: new Set(group) }))
    .sort((a, b) => a.start - b.start);
  for (const { start, members } of looping) {
    const loop = loopThrough(start, edges, members);
    if (loop === null) continue;
    ctx.addIssue({
      code: 'custom',
      path: ['steps', start, loop[0]!.field],
      message: describeLoop(steps, start, loop),
    });
  }
}

/** The edges from each step that does not wait to the steps that do not wait either. */
function edgesBetweenZeroTimeSteps(steps: Step[]): Edge[][] {
  const index = new Map<string, number>();
  // The first of two steps with one id is the one a target reaches (duplicates are refused).
  steps.forEach((step, i) => {
    if (!index.has(step.id)) index.set(step.id, i);
  });
  return steps.map((step) => {
    if (waits(step)) return [];
    const edges: Edge[] = [];
    for (const [field, id] of Object.entries(stepTargets(step))) {
      const target = id === undefined ? undefined : index.get(id);
      if (target !== undefined && !waits(steps[target]!)) edges.push({ field, target });
    }
    return edges;
  });
}

function waits(step: Step): boolean {
  if (step.type === 'waitForEvent') return true;
  if (step.type !== 'wait') return false;
  return (
    step.for !== undefined || step.untilLocalTime !== undefined || step.untilBestHour !== undefined
  );
}

/**
 * The shortest way from `start` back to itself along zero-time edges within its group, as the
 * edges taken (the target of the last one is `start`), or null. Breadth first, edges in field order, so the
 * loop reported is the same every time.
 */
function loopThrough(start: number, edges: Edge[][], members: Set<number>): Edge[] | null {
  const cameBy = new Map<number, { from: number; edge: Edge }>();
  const queue = [start];
  for (let head = 0; head < queue.length; head += 1) {
    const from = queue[head]!;
    for (const edge of edges[from]!) {
      if (edge.target === start) return [...pathTo(from, start, cameBy), edge];
      if (cameBy.has(edge.target) || !members.has(edge.target)) continue;
      cameBy.set(edge.target, { from, edge });
      queue.push(edge.target);
    }
  }
  return null;
}

function pathTo(step: number, start: number, cameBy: Map<number, { from: number; edge: Edge }>) {
  const path: Edge[] = [];
  for (let at = step; at !== start;) {
    const came = cameBy.get(at)!;
    path.unshift(came.edge);
    at = came.from;
  }
  return path;
}

function describeLoop(steps: Step[], start: number, loop: Edge[]): string {
  let from = start;
  const hops: string[] = [];
  for (const edge of loop) {
    hops.push(`steps.${from}.${edge.field}`);
    from = edge.target;
  }
  const ids = [start, ...loop.map((edge) => edge.target)].map((i) => `"${steps[i]!.id}"`);
  const sends = [start, ...loop.map((edge) => edge.target)].some((i) => steps[i]!.type === 'send');
  const harm = sends
    ? 'it sends messages over and over with no time passing in between'
    : 'it would run its steps over and over with no time passing';
  return (
    `a loop without a wait: ${hops.join(' → ')} → steps.${start} (${ids.join(' → ')}); ${harm}. ` +
    'Put a wait step ("for", "untilLocalTime" or "untilBestHour") or a waitForEvent in the loop ' +
    '(an "untilSinceEntry" wait or a message offset does not count: it passes only once)'
  );
}
