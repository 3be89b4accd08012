import { describe, expect, it } from 'vitest';
import { WorldModel } from '../../main/trace/model';
import type { TraceEvent } from '../../main/trace/schema';

const diagnostic = (seq: number, key: string, count?: number): TraceEvent =>
  ({
    v: 1,
    seq,
    t: 1_700_000_000_000 + seq,
    kind: 'diagnostic',
    severity: 'warning',
    key,
    message: `report ${seq}`,
    ...(count !== undefined ? { count } : {}),
  }) as TraceEvent;

describe('message records helpers did not keep', () => {
  it('are summed from the capture reports, and only from them', () => {
    const model = new WorldModel();
    expect(model.state.unrecorded ?? 0).toBe(0);
    model.apply(diagnostic(0, 'capture', 100));
    model.apply(diagnostic(1, 'quota', 7));
    model.apply(diagnostic(2, 'capture', 400));
    model.apply(diagnostic(3, 'capture'));
    expect(model.state.unrecorded).toBe(500);
  });
});
