import type { z } from 'zod';
import type { ConditionGroup, EventMatch, Step } from './schema';

/**
 * segments.<id> in a journey: whether the customer is a member of segment <id> now. Membership
 * changes while a run waits, so it is read only where the run loads the customer fresh before it
 * decides: the trigger's `when` and the `audience` (checked at routing and again at entry, on
 * the profile the run loads), a branch's `when` (a branch loads the profile it decides on) and a
 * waitForEvent's `where` (the step loads the profile when its event arrives). Anywhere else
 * (exitOn, goal, a key match, an updateProfile `from`) it would read a profile loaded earlier, so
 * publishing refuses it there; a trigger on segment_entered / segment_exited serves those cases.
 */

/** A segments.<id> read: the id, and the dotted path of the field that names it. */
export interface SegmentRead {
  path: string;
  segmentId: string;
}

const SEGMENT_PATH = /^segments\.([a-z][a-z0-9_]{0,62})$/;

export const isSegmentPath = (path: string | undefined): boolean =>
  path !== undefined && path.split('.')[0] === 'segments';

/** Whether a condition group reads any segments.<id>. */
export function groupReadsSegments(group: ConditionGroup | undefined): boolean {
  return group?.conditions.some((condition) => isSegmentPath(condition.field)) ?? false;
}

interface ReadsInput {
  trigger?: { when?: ConditionGroup; segment?: string };
  audience?: ConditionGroup;
  exitOn?: { match?: EventMatch; when?: ConditionGroup }[];
  goal?: { match?: EventMatch; when?: ConditionGroup };
  steps: Step[];
}

type Path = (string | number)[];

/** Every segment the definition names (segments.<id> where it may be read, trigger.segment). */
export function segmentReads(def: ReadsInput): SegmentRead[] {
  const reads: SegmentRead[] = [];
  // A trigger on one segment's entries or exits names it too.
  if (def.trigger?.segment) reads.push({ path: 'trigger.segment', segmentId: def.trigger.segment });
  for (const [group, path] of freshGroups(def)) {
    group.conditions.forEach((condition, index) => {
      const id = SEGMENT_PATH.exec(condition.field)?.[1];
      if (id !== undefined) {
        reads.push({ path: [...path, 'conditions', index, 'field'].join('.'), segmentId: id });
      }
    });
  }
  return reads;
}

/** zod refinement: segments.<id> names one segment, and only where it is read fresh. */
export function checkSegmentReads(def: ReadsInput, ctx: z.RefinementCtx): void {
  for (const [group, path] of freshGroups(def)) {
    group.conditions.forEach((condition, index) => {
      if (isSegmentPath(condition.field) && !SEGMENT_PATH.test(condition.field)) {
        ctx.addIssue({
          code: 'custom',
          path: [...path, 'conditions', index, 'field'],
          message: 'must be segments.<segment id>, naming one segment',
        });
      }
    });
  }
  for (const path of misplacedReads(def)) {
    ctx.addIssue({
      code: 'custom',
      path,
      message:
        'segments.<id> is read only in trigger.when, audience, a branch’s when and a waitForEvent’s where',
    });
  }
}

function freshGroups(def: ReadsInput): [ConditionGroup, Path][] {
  const groups: [ConditionGroup | undefined, Path][] = [
    [def.trigger?.when, ['trigger', 'when']],
    [def.audience, ['audience']],
    ...def.steps.map((step, index): [ConditionGroup | undefined, Path] => {
      if (step.type === 'branch') return [step.when, ['steps', index, 'when']];
      if (step.type === 'waitForEvent') return [step.where, ['steps', index, 'where']];
      return [undefined, []];
    }),
  ];
  return groups.filter((entry): entry is [ConditionGroup, Path] => entry[0] !== undefined);
}

function misplacedReads(def: ReadsInput): Path[] {
  const found: Path[] = [];
  const inGroup = (group: ConditionGroup | undefined, path: Path) =>
    group?.conditions.forEach((condition, index) => {
      if (isSegmentPath(condition.field)) found.push([...path, 'conditions', index, 'field']);
    });
  const inMatch = (match: EventMatch | undefined, path: Path) => {
    if (isSegmentPath(match?.equals)) found.push([...path, 'match', 'equals']);
  };
  def.exitOn?.forEach((rule, index) => {
    inMatch(rule.match, ['exitOn', index]);
    inGroup(rule.when, ['exitOn', index, 'when']);
  });
  inMatch(def.goal?.match, ['goal']);
  inGroup(def.goal?.when, ['goal', 'when']);
  def.steps.forEach((step, index) => {
    if (step.type === 'waitForEvent') inMatch(step.match, ['steps', index]);
    if (step.type !== 'updateProfile') return;
    for (const [name, value] of Object.entries(step.set)) {
      if (typeof value === 'object' && value !== null && isSegmentPath(value.from)) {
        found.push(['steps', index, 'set', name, 'from']);
      }
    }
  });
  return found;
}
