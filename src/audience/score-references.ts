import type { SegmentCondition } from '../segments/schema';

/**
 * The score conditions of a segment condition with the path of each score id, as a 400 names it
 * (`where.all.1.score.score`): the check at publish points at the exact leaf.
 */
export function scoreReferences(
  condition: SegmentCondition,
  path: string,
): { score: string; path: string }[] {
  if ('all' in condition) {
    return condition.all.flatMap((c, i) => scoreReferences(c, `${path}.all.${i}`));
  }
  if ('any' in condition) {
    return condition.any.flatMap((c, i) => scoreReferences(c, `${path}.any.${i}`));
  }
  if ('not' in condition) return scoreReferences(condition.not, `${path}.not`);
  if ('score' in condition) return [{ score: condition.score.score, path: `${path}.score.score` }];
  return [];
}
