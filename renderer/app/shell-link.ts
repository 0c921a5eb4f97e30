/**
 * The app and the shell it runs in (the desktop app's main process, or a browser tab): the shell follows
 * the domains' state (the ringing call, the call, presence, missed calls, recent calls), and actions taken
 * outside the page (tray, notification buttons, shortcuts, links, the incoming-call window) go to the
 * domain that owns them.
 */
import type { PlatformAction } from '../../shared/app-shell.js';
import type { SignalingClient } from '../net/signaling-client.js';
import type { Platform } from '../platform/platform.js';
import { ringingCall, type Calls } from '../state/call.js';
import { recentCalls, type History } from '../state/history.js';
import type { Session } from '../state/session.js';
import type { View } from '../state/view.js';

export interface ShellLinkDeps {
  platform: Platform;
  signaling: Pick<SignalingClient, 'on'>;
  session: Session;
  calls: Calls;
  history: History;
  view: View;
}

type Handlers = { [T in PlatformAction['type']]: (action: Extract<PlatformAction, { type: T }>) => void };

export function linkShell({ platform, signaling, session, calls, history, view }: ShellLinkDeps): void {
  const report = () => {
    const { call } = calls.state.getState();
    platform.reportState({
      presence: session.state.getState().presence,
      call: !call ? 'idle' : call.phase === 'incoming' ? 'ringing' : 'in-call',
      muted: call?.muted ?? false,
      unseenMissedCalls: history.state.getState().unseenMissedCalls,
    });
  };

  // The incoming-call window (or notification) and the tray follow the call.
  let shown: string | null = null;
  calls.state.subscribe((state, before) => {
    if (state.call === before.call) return;
    const ringing = ringingCall(state);
    if (ringing && ringing.callId !== shown) platform.showIncomingCall(ringing);
    if (!ringing && shown) platform.hideIncomingCall(shown);
    shown = ringing?.callId ?? null;
    report();
  });
  session.state.subscribe(({ presence }, before) => presence !== before.presence && report());
  // The badge and the tray's count follow the missed calls; the tray's Recent calls each new call.
  history.state.subscribe(({ unseenMissedCalls }, before) => {
    if (unseenMissedCalls === before.unseenMissedCalls) return;
    platform.setBadge(unseenMissedCalls);
    report();
  });
  signaling.on('history.entry', () =>
    platform.reportRecentCalls(recentCalls(history.state.getState().entries)),
  );

  // A notification or tray menu may be older than the call ringing now: answers act only on the call named.
  const handlers: Handlers = {
    accept: ({ callId, media }) => callId === calls.callId && void calls.accept(media),
    decline: ({ callId }) => callId === calls.callId && void calls.decline(),
    hangup: () => void calls.hangup(),
    'toggle-mute': () => calls.toggleMute(),
    call: ({ username, media }) => void calls.call(username, media),
    'confirm-call': ({ username, media }) => calls.askToCall(username, media),
    'open-history': () => view.open('history'),
    'set-status': ({ dnd }) => void session.setDnd(dnd),
  };
  platform.onAction((action) => (handlers[action.type] as (a: PlatformAction) => void)(action));
}
