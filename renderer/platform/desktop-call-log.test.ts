// logCallsToMain: each call that ends is reported to main once, with how it ended and the setup timings
// the engine recorded for it; a bridge that fails does not break the app.
import { describe, expect, it, vi } from 'vitest';
import type { CallReport } from '../../main/ipc/contract.js';
import type { EngineEvents } from '../call/view.js';
import type { SetupTimings } from '../call/timings.js';
import { Emitter } from '../util/emitter.js';
import { logCallsToMain } from './desktop-call-log.js';

class Engine extends Emitter<EngineEvents> {
  timings: SetupTimings | null = null;
  end(payload: EngineEvents['ended'], timings: SetupTimings | null): void {
    this.timings = timings;
    this.emit('ended', payload);
  }
}

const bob = { username: 'bob', displayName: 'Bob' };

describe('logCallsToMain', () => {
  it('reports each ended call with its reason, code and setup stages', () => {
    const engine = new Engine();
    const reportCall = vi.fn<(r: CallReport) => Promise<void>>(() => Promise.resolve());
    logCallsToMain(engine, { reportCall });
    engine.end(
      { callId: 'c1', peer: bob, reason: 'failed', code: 'E_ICE_FAILED' },
      { startedAt: 1, stages: { 'invite-sent': 0, ringing: 120, accepted: 900 } },
    );
    engine.end({ callId: null, peer: bob, reason: 'refused' }, null);
    expect(reportCall.mock.calls).toEqual([
      [
        {
          callId: 'c1',
          reason: 'failed',
          code: 'E_ICE_FAILED',
          stages: { 'invite-sent': 0, ringing: 120, accepted: 900 },
        },
      ],
      [{ callId: null, reason: 'refused', stages: {} }],
    ]);
  });

  it('a bridge that refuses is only warned about; stopping ends the reports', async () => {
    const engine = new Engine();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const reportCall = vi.fn(() => Promise.reject(new Error('main is gone')));
    const stop = logCallsToMain(engine, { reportCall });
    engine.end({ callId: 'c1', peer: bob, reason: 'completed' }, null);
    await vi.waitFor(() => expect(warn).toHaveBeenCalledWith('desktop bridge', expect.any(Error)));
    stop();
    engine.end({ callId: 'c2', peer: bob, reason: 'completed' }, null);
    expect(reportCall).toHaveBeenCalledTimes(1);
    warn.mockRestore();
  });
});
