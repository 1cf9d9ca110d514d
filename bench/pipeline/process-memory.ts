// Resident memory of a process and its descendants, from /proc (Linux). `npm run worker` is npm
// → sh → tsx → node: the worker's own figure is the largest process in that tree.
import { readdirSync, readFileSync } from 'node:fs';

function parentOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return null;
  }
}

/** VmRSS in MiB, or 0 for a process that is gone. */
export function rssMiB(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
    return kb ? Number(kb) / 1024 : 0;
  } catch {
    return 0;
  }
}

export function descendantsOf(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const parent = parentOf(Number(entry));
    if (parent !== null) children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
  }
  const found: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.shift() as number;
    found.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return found;
}

/** The largest resident process under `root` (the node process doing the work) and the total. */
export function treeMemory(root: number): { pid: number; rssMiB: number; treeMiB: number } {
  const sized = descendantsOf(root).map((pid) => ({ pid, rss: rssMiB(pid) }));
  const largest = sized.reduce((a, b) => (b.rss > a.rss ? b : a), { pid: root, rss: 0 });
  return {
    pid: largest.pid,
    rssMiB: largest.rss,
    treeMiB: sized.reduce((sum, p) => sum + p.rss, 0),
  };
}

/** CPU seconds (user + system) of the processes under `root` so far. */
export function treeCpuSeconds(root: number): number {
  let total = 0;
  for (const pid of descendantsOf(root)) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      total += (Number(fields[11]) + Number(fields[12])) / 100; // CLK_TCK is 100 on Linux
    } catch {
      // gone
    }
  }
  return total;
}
