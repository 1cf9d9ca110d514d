/**
 * The strongly connected components of a directed graph given as adjacency lists (Tarjan's
 * algorithm, iterative so a long chain of steps cannot overflow the stack). Linear in nodes and
 * edges: publishing runs it on every definition, whatever its size. Each component lists its
 * nodes; a node on no cycle is a component of its own.
 */
export function stronglyConnected(successors: number[][]): number[][] {
  const count = successors.length;
  const order = new Array<number>(count).fill(-1);
  const low = new Array<number>(count).fill(0);
  const onStack = new Array<boolean>(count).fill(false);
  const stack: number[] = [];
  const components: number[][] = [];
  let visited = 0;
  const discover = (node: number) => {
    order[node] = visited;
    low[node] = visited;
    visited += 1;
    stack.push(node);
    onStack[node] = true;
  };
  for (let root = 0; root < count; root += 1) {
    if (order[root] !== -1) continue;
    discover(root);
    const work = [{ node: root, next: 0 }];
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const target = successors[frame.node]![frame.next];
      if (target !== undefined) {
        frame.next += 1;
        if (order[target] === -1) {
          discover(target);
          work.push({ node: target, next: 0 });
        } else if (onStack[target]) {
          low[frame.node] = Math.min(low[frame.node]!, order[target]!);
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low[parent.node] = Math.min(low[parent.node]!, low[frame.node]!);
      if (low[frame.node] === order[frame.node]) components.push(popComponent(frame.node));
    }
  }
  return components;

  function popComponent(head: number): number[] {
    const component: number[] = [];
    for (;;) {
      const member = stack.pop()!;
      onStack[member] = false;
      component.push(member);
      if (member === head) return component;
    }
  }
}
