/**
 * The first cycle of inSegment references, as the path of segment ids that closes it (`a → b →
 * a`), or null. `references` maps each segment to the segments its condition reads. Depth-first,
 * linear in segments and references.
 */
export function findSegmentCycle(
  references: ReadonlyMap<string, readonly string[]>,
): string[] | null {
  const done = new Set<string>();
  const onPath = new Map<string, number>();
  const path: string[] = [];
  const visit = (id: string): string[] | null => {
    if (done.has(id)) return null;
    const at = onPath.get(id);
    if (at !== undefined) return [...path.slice(at), id];
    onPath.set(id, path.length);
    path.push(id);
    for (const next of references.get(id) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    onPath.delete(id);
    done.add(id);
    return null;
  };
  for (const id of references.keys()) {
    const cycle = visit(id);
    if (cycle) return cycle;
  }
  return null;
}
