/** Redialing a node connection (issue 12): only a channel that is backing off is dropped; a dial under way is left to finish. */
import { describe, expect, it } from 'vitest';
import { RedialingNodePort } from '../redial-port.js';

function dialer(states: boolean[]) {
  const made: Array<{ closed: boolean }> = [];
  const dial = () => {
    const me = { closed: false };
    made.push(me);
    const backingOff = states[made.length - 1] ?? false;
    return { address: `fake:${made.length}`, backingOff: () => backingOff, close: () => void (me.closed = true) } as never;
  };
  return { made, dial };
}

describe('RedialingNodePort', () => {
  it('replaces a connection that is backing off, closing the old one', () => {
    const d = dialer([true]);
    const p = new RedialingNodePort(d.dial);
    p.redial();
    expect(d.made).toHaveLength(2);
    expect(d.made[0]!.closed).toBe(true);
    expect(p.address).toBe('fake:2');
  });

  it('keeps a connection that is connecting or ready (a slow TLS handshake with a starting node is not started over)', () => {
    const d = dialer([false]);
    const p = new RedialingNodePort(d.dial);
    p.redial();
    p.redial();
    expect(d.made).toHaveLength(1);
    expect(d.made[0]!.closed).toBe(false);
  });
});
