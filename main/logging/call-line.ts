/**
 * A call as one line of main's log, from what the main window reports when it ends (IPC `log.call`):
 * how it ended and when each stage of its setup was reached, so a bug report can say where a call that
 * failed or was slow to connect got stuck.
 */
import type { CallReport } from '../ipc/contract.js';

/** `call Ab12… ended: failed (E_ICE_FAILED); setup: invite-sent 0 ms, ringing 140 ms, accepted 2310 ms` */
export function callLine({ callId, reason, code, stages }: CallReport): string {
  const setup = Object.entries(stages)
    .sort(([, a], [, b]) => a - b)
    .map(([stage, ms]) => `${stage} ${ms} ms`)
    .join(', ');
  return `call ${callId ?? '(not yet numbered)'} ended: ${reason}${code ? ` (${code})` : ''}; setup: ${setup || 'none'}`;
}
