/**
 * The app and the shell it runs in (the desktop app's main process, or a browser tab): the shell follows
 * the domains' state, reported whole (ShellState: the ringing call or none, the call, presence, missed
 * calls) and the recent calls; actions taken
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
  // The shell redraws from this state alone; it is reported whole whenever a part of it changes.
  const report = () => {
    const calling = calls.state.getState();
    const ringing = ringingCall(calling);
    platform.reportState({
      presence: session.state.getState().presence,
      ringing,
      inCall: calling.call !== null && !ringing,
      muted: calling.call?.muted ?? false,
      unseenMissedCalls: history.state.getState().unseenMissedCalls,
    });
  };
  calls.state.subscribe(({ call }, before) => call !== before.call && report());
  session.state.subscribe(({ presence }, before) => presence !== before.presence && report());
  history.state.subscribe(
    ({ unseenMissedCalls }, before) => unseenMissedCalls !== before.unseenMissedCalls && report(),
  );
  // The tray's Recent calls follow each new call.
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
