/** Issue 16 item 10: a node's error is prefixed with the node once ("node 1: denied …", not "node 1: node 1: denied …"). */
import { describe, expect, it } from 'vitest';
import { fromNode } from '../node-reason.js';

describe('fromNode', () => {
  it('names the node once', () => {
    expect(fromNode(1, 'node 1: denied by operator alice: no')).toBe('node 1: denied by operator alice: no');
    expect(fromNode(1, 'node 1 is unreachable: nothing is listening')).toBe('node 1 is unreachable: nothing is listening');
    expect(fromNode(1, 'policy refused: x')).toBe('node 1: policy refused: x');
    expect(fromNode(1, 'node 12: other')).toBe('node 1: node 12: other');
  });
});
