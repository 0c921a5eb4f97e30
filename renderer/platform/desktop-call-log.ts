/**
 * In the desktop app, each call that ends is reported to main for its log file: how it ended and its
 * setup timings (the engine's TimingRecorder), so a bug report can say where a call got stuck.
 */
import type { DesktopBridge } from '../../main/ipc/contract.js';
import type { CallEngine } from '../call/engine.js';

export function logCallsToMain(
  engine: Pick<CallEngine, 'on' | 'timings'>,
  bridge: Pick<DesktopBridge, 'reportCall'>,
): () => void {
  return engine.on('ended', ({ callId, reason, code }) => {
    const stages = engine.timings?.stages ?? {};
    bridge
      .reportCall({ callId, reason, ...(code ? { code } : {}), stages })
      .catch((err: unknown) => console.warn('desktop bridge', err));
  });
}
