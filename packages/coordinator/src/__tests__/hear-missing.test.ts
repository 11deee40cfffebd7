/**
 * A request whose key view lacks a node (made while it was down) must not fail while that
 * node serves: hearMissing says "look again" when the node turned healthy after the view was
 * made — the health loop may hear it between the view and the request (a chaos-test failure:
 * node 1 healthy, the view without it, "2 reachable" with three nodes serving).
 */
import { describe, expect, it } from 'vitest';
import { shoupRsaScheme } from '@qsign/protocol';
import { opensslRsaVerify } from '@qsign/rpc';
import { NodePools } from '../node-pools.js';
import type { NodePort } from '../node-port.js';

const port = (id: number, calls: number[]): NodePort =>
  ({
    address: `fake:${id}`,
    status: async () => {
      calls.push(id);
      return {};
    },
  }) as unknown as NodePort;

describe('NodePools.hearMissing', () => {
  it('is true without a probe when a node missing from the view turned healthy after the view was made', async () => {
    const calls: number[] = [];
    const pools = new NodePools([1, 2, 3].map((id) => ({ id, port: port(id, calls) })), { coordinatorId: 't', scheme: shoupRsaScheme(opensslRsaVerify), log: () => undefined });
    const [n1, n2, n3] = pools.nodes as [typeof pools.nodes[0], typeof pools.nodes[0], typeof pools.nodes[0]];
    const view = new Map([[2, n2], [3, n3]]); // made while node 1 was down
    const viewFetchedAt = Date.now();
    await new Promise((r) => setTimeout(r, 5));
    pools.markHealthy(n1); // the health loop hears node 1 after the view was made
    expect(await pools.hearMissing(view, viewFetchedAt)).toBe(true);
    expect(calls).toEqual([]);
  });

  it('is false when the only node missing from the view was healthy already when the view was made (it does not hold the key)', async () => {
    const calls: number[] = [];
    const pools = new NodePools([1, 2, 3].map((id) => ({ id, port: port(id, calls) })), { coordinatorId: 't', scheme: shoupRsaScheme(opensslRsaVerify), log: () => undefined });
    const [n1, n2, n3] = pools.nodes as [typeof pools.nodes[0], typeof pools.nodes[0], typeof pools.nodes[0]];
    pools.markHealthy(n1);
    await new Promise((r) => setTimeout(r, 5));
    const view = new Map([[2, n2], [3, n3]]);
    expect(await pools.hearMissing(view, Date.now())).toBe(false);
    expect(calls).toEqual([]);
  });
});
