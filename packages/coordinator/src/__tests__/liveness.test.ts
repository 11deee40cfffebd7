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
    expect(r.unreachable.map(({ node, why }) => ({ node, why }))).toEqual([{ node: { id: 5 }, why: 'connection refused' }]);
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

  it('probes again until a quorum answers: a restarting node that misses one probe is not counted out for the request', async () => {
    let t = 0;
    const l = new Liveness({ freshMs: 500, retryMs: 250, now: () => t, sleep: async (ms) => void (t += ms) });
    for (const n of nodes) l.heard(n.id);
    t = 1000; // nobody fresh
    let round3 = 0;
    const r = await l.awaitQuorum(
      nodes,
      3,
      async (n) => {
        if (n.id === 4 || n.id === 5) throw new Error('connection refused');
        // node 3 is still starting: its first two probes time out
        if (n.id === 3 && ++round3 < 3) throw new Error('deadline exceeded');
      },
      10_000,
    );
    expect(r.reachable.map((n) => n.id).sort()).toEqual([1, 2, 3]);
    expect(round3).toBe(3);
  });

  /** Nodes 3-5 never answer; how many probe rounds run before awaitQuorum gives up, and when. */
  async function refused(deadlineMs: number, mayAnswer?: (e: unknown) => boolean) {
    let t = 0;
    const l = new Liveness({ retryMs: 250, now: () => t, sleep: async (ms) => void (t += ms) });
    let rounds = 0;
    const probe = async (n: { id: number }) => {
      if (n.id === 1) rounds++;
      if (n.id > 2) throw new Error('connection refused');
    };
    const r = await l.awaitQuorum(nodes, 3, probe, deadlineMs, mayAnswer);
    return { r, rounds, t };
  }

  it('gives up at its deadline and says who did not answer', async () => {
    const { r, rounds, t } = await refused(2000);
    expect(r.reachable.map((n) => n.id).sort()).toEqual([1, 2]);
    expect(r.unreachable.map((x) => x.node.id)).toEqual([3, 4, 5]);
    // nodes 1 and 2 stay fresh for 500 ms, so they are probed only every other round; the rounds stop before t = 2000
    expect(t).toBeLessThan(2000);
    expect(rounds).toBeGreaterThan(1);
  });

  it('does not wait when too few candidates may still answer (the others refused the connection)', async () => {
    const { r, rounds } = await refused(10_000, (e) => (e as { slow?: boolean }).slow === true);
    expect(r.reachable.map((n) => n.id)).toEqual([1, 2]);
    expect(rounds).toBe(1);
  });

  it('waits longer in each round, so a node that is slow to answer (but answers) joins the quorum', async () => {
    let t = 0;
    const l = new Liveness({ probeTimeoutMs: 1000, retryMs: 250, now: () => t, sleep: async (ms) => void (t += ms) });
    const timeouts: number[] = [];
    const r = await l.awaitQuorum(
      nodes,
      3,
      async (n, timeoutMs) => {
        if (n.id > 3) throw new Error('connection refused');
        if (n.id === 3) {
          timeouts.push(timeoutMs);
          if (timeoutMs < 1500) throw new Error('deadline exceeded'); // node 3 takes 1.5 s to answer
        }
      },
      30_000,
    );
    expect(r.reachable.map((n) => n.id).sort()).toEqual([1, 2, 3]);
    expect(timeouts).toEqual([1000, 2000]);
  });
});
