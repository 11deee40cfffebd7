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

  it('gives up a call to a node that falls silent once a probe of it fails, without waiting for the call', async () => {
    const l = new Liveness({ probeTimeoutMs: 10 });
    const never = new Promise<string>(() => undefined);
    let probes = 0;
    const err = await l.unlessSilent(never, async (timeoutMs) => {
      probes++;
      expect(timeoutMs).toBe(10);
      if (probes === 3) throw new Error('node 3 did not answer in time');
    }).then(() => undefined, (e: unknown) => e);
    expect(String(err)).toMatch(/node 3 did not answer in time/);
    expect(probes).toBe(3);
  });

  it('waits for a slow call while its node answers probes, and passes its result or error through', async () => {
    const l = new Liveness({ probeTimeoutMs: 5 });
    let probes = 0;
    const slow = new Promise<string>((res) => setTimeout(() => res('share'), 60));
    expect(await l.unlessSilent(slow, async () => void probes++)).toBe('share');
    expect(probes).toBeGreaterThan(0);
    const seen = probes;
    await new Promise((r) => setTimeout(r, 30));
    expect(probes).toBe(seen); // no probe after the call ended
    await expect(l.unlessSilent(Promise.reject(new Error('refused: policy')), async () => undefined)).rejects.toThrow(/refused: policy/);
  });
});
