/**
 * In the desktop app, errors a page does not handle (an exception, a rejected promise nobody awaited)
 * go to main's log file through the bridge, so a bug report can say what happened; main cleans secrets
 * out and limits how many it takes. Nothing here may throw or report itself in a loop.
 */
import { ERROR_REPORT_MAX, type DesktopBridge } from '../../main/ipc/contract.js';

/** Starts forwarding `target`'s unhandled errors; returns the function that stops it. */
export function forwardErrors(
  bridge: Pick<DesktopBridge, 'reportError'>,
  target: Window = window,
): () => void {
  const report = (what: string, reason: unknown) => {
    const message = `${what}: ${describe(reason)}`.slice(0, ERROR_REPORT_MAX);
    bridge.reportError(message).catch(() => undefined); // main gone or refusing: nothing more to do
  };
  const onError = (event: ErrorEvent) =>
    report('error', event.error ?? `${event.message} (${event.filename}:${event.lineno})`);
  const onRejection = (event: PromiseRejectionEvent) => report('unhandled rejection', event.reason);
  target.addEventListener('error', onError);
  target.addEventListener('unhandledrejection', onRejection);
  return () => {
    target.removeEventListener('error', onError);
    target.removeEventListener('unhandledrejection', onRejection);
  };
}

/** An Error's name, message and stack; anything else as text. */
function describe(reason: unknown): string {
  if (reason instanceof Error) {
    const head = `${reason.name}: ${reason.message}`;
    return reason.stack?.includes(reason.message) ? reason.stack : `${head}\n${reason.stack ?? ''}`.trim();
  }
  try {
    return typeof reason === 'string' ? reason : JSON.stringify(reason);
  } catch {
    return String(reason);
  }
}
