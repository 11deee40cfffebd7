/** The probe-before-use rule: fresh nodes are used as they are, stale or dead-marked ones are probed first. */
import { describe, expect, it } from 'vitest';
import { Liveness } from '../liveness.js';

const nodes = [1, 2, 3, 4, 5].map((id) => ({ id }));

describe('Liveness', () => {
  it('probes no node when enough answered lately', async () => {
    let t = 0;
    const l = new Liveness({ freshMs: 500, now: () => t });
    for (const n of nodes) l.heard(n.id);
    t = 400;
    const probed: number[] = [];
    const r = await l.confirm(nodes, 3, async (n) => void probed.push(n.id));
    expect(probed).toEqual([]);
    expect(r.reachable.map((n) => n.id)).toEqual([1, 2, 3, 4, 5]);
  });

  it('probes a node marked dead before declaring too few nodes, and counts it when it answers (a restarted node is used at once)', async () => {
    let t = 0;
    const l = new Liveness({ freshMs: 500, probeTimeoutMs: 800, now: () => t });
    for (const n of nodes) l.heard(n.id);
    l.lost(4);
    l.lost(5);
    l.lost(3);
    const probed: Array<[number, number]> = [];
    const r = await l.confirm(nodes, 3, async (n, timeoutMs) => {
      probed.push([n.id, timeoutMs]);
      if (n.id === 5) throw new Error('connection refused');
    });
    expect(probed.sort()).toEqual([[3, 800], [4, 800], [5, 800]]);
    expect(r.reachable.map((n) => n.id).sort()).toEqual([1, 2, 3, 4]);
    expect(r.unreachable).toEqual([{ node: { id: 5 }, why: 'connection refused' }]);
    expect(l.isFresh(4)).toBe(true);
    expect(l.isFresh(5)).toBe(false);
  });

  it('does not take a node heard from long ago as reachable without a probe (a node cut off since the last health check)', async () => {
    let t = 0;
    const l = new Liveness({ freshMs: 500, now: () => t });
    for (const n of nodes) l.heard(n.id);
    t = 1000;
    const r = await l.confirm(nodes, 3, async (n) => {
      if (n.id > 2) throw new Error('deadline exceeded');
    });
    expect(r.reachable.map((n) => n.id)).toEqual([1, 2]);
    expect(r.unreachable.map((x) => x.node.id)).toEqual([3, 4, 5]);
  });
});
