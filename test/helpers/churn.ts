/**
 * Node churn for the chaos test (issue 12, target 7): SIGKILL one node every
 * `everyMs`, restart it `downMs` later, never more than `maxDown` down, and
 * keep a timeline of when each node was down. A node is down from just before
 * its SIGKILL until the restarted process has answered a Status call of its
 * own (not when it was spawned): on two busy cores a node takes seconds to
 * start, and counting it as serving before it answers would blame the
 * coordinator for a node that could not yet sign.
 */
import type { TestCluster } from './cluster.js';

/** One node's time down: [from, to), `to` Infinity while it is still down. */
export interface DownSpan {
  id: number;
  from: number;
  to: number;
}

/** Churn tunables. */
export interface ChurnOptions {
  nodes: number[];
  everyMs: number;
  downMs: number;
  maxDown: number;
}

/** A running churn loop: its timeline, and `stop` (resolves once every killed node serves again). */
export interface Churn {
  readonly down: DownSpan[];
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Starts killing and restarting nodes of `c` in turn (round robin over `o.nodes`). */
export function startChurn(c: TestCluster, o: ChurnOptions): Churn {
  const down: DownSpan[] = [];
  let stopping = false;
  const restarts: Array<Promise<void>> = [];
  const isDown = (id: number) => down.some((d) => d.id === id && d.to === Infinity);
  const loop = (async () => {
    let k = 0;
    while (!stopping) {
      if (down.filter((d) => d.to === Infinity).length < o.maxDown) {
        let id = o.nodes[k++ % o.nodes.length]!;
        while (isDown(id)) id = o.nodes[k++ % o.nodes.length]!;
        const span: DownSpan = { id, from: Date.now(), to: Infinity };
        down.push(span);
        await c.kill(id);
        restarts.push(
          sleep(o.downMs)
            .then(() => c.restartServing(id))
            .then(() => void (span.to = Date.now())),
        );
      }
      await sleep(o.everyMs);
    }
  })();
  return {
    down,
    async stop() {
      stopping = true;
      await loop;
      await Promise.all(restarts);
    },
  };
}

/** The most nodes down at one instant within [start, end] (a sweep over the spans that overlap it). */
export function maxDownDuring(down: readonly DownSpan[], start: number, end: number): number {
  const edges: Array<[number, number]> = [];
  for (const d of down) {
    if (d.from > end || d.to < start) continue;
    edges.push([Math.max(d.from, start), 1], [Math.min(d.to, end), -1]);
  }
  // At equal times count returns first: the churn loop kills a node only after it saw another
  // return (a loaded box often records both in the same millisecond); that is not three down.
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let max = 0;
  for (const [, delta] of edges) max = Math.max(max, (now += delta));
  return max;
}
