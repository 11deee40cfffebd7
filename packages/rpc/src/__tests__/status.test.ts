import { describe, expect, it } from 'vitest';
import { QsignError } from '@qsign/protocol';
import { fromServiceError, toServiceError } from '../status.js';

describe('error status on the wire', () => {
  it('a refusal whose details hold non-ASCII text (a node reason, a file name) travels intact instead of crashing the server', () => {
    const e = new QsignError('POLICY_REFUSED', 'refused', { details: { excluded: { 1: 'window 14:00 – 15:00, file ünïcode.rpm' } } });
    const se = toServiceError(e);
    const back = fromServiceError({ ...se, message: 'x' }, 'peer');
    expect(back.code).toBe('POLICY_REFUSED');
    expect(back.details).toEqual({ excluded: { 1: 'window 14:00 – 15:00, file ünïcode.rpm' } });
  });
});
