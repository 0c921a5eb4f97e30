// Ringing policy: channels per platform, support and dnd; incoming and missed-call notification models.
import { describe, expect, it } from 'vitest';
import type { RingingCall } from '../../shared/app-shell.js';
import {
  incomingCallNotification,
  missedCallNotification,
  notificationActionsSupported,
  ringingChannels,
} from './policy.js';

const call: RingingCall = {
  callId: 'c1',
  caller: { username: 'alice', displayName: 'Alice' },
  media: 'audio',
};
const platforms: NodeJS.Platform[] = ['darwin', 'win32', 'linux', 'freebsd'];
/** A name as plain text shows it: isolated (FSI ... PDI). */
const iso = (name: string) => `\u2068${name}\u2069`;

describe('notificationActionsSupported', () => {
  it.each<[NodeJS.Platform, boolean]>([
    ['darwin', true],
    ['win32', true],
    ['linux', false],
    ['freebsd', false],
    ['openbsd', false],
  ])('%s -> %s', (platform, supported) => {
    expect(notificationActionsSupported(platform)).toBe(supported);
  });
});

describe('ringingChannels', () => {
  it.each(platforms)('dnd turns every channel off (%s)', (platform) => {
    expect(
      ringingChannels({
        dnd: true,
        platform,
        notificationsSupported: true,
        notificationActionsSupported: true,
      }),
    ).toEqual({
      incomingWindow: false,
      notification: false,
      notificationActions: false,
      trayRinging: false,
      attention: null,
      ringtone: false,
    });
  });

  it.each(platforms)(
    "the desktop's do not disturb, followed: only the tray shows the call, nothing sounds (%s)",
    (platform) => {
      const input = {
        dnd: false,
        platform,
        notificationsSupported: true,
        notificationActionsSupported: true,
      };
      expect(ringingChannels({ ...input, desktopQuiet: true })).toEqual({
        incomingWindow: false,
        notification: false,
        notificationActions: false,
        trayRinging: true,
        attention: null,
        ringtone: false,
      });
      // Parley's own do not disturb still wins: nothing at all.
      expect(ringingChannels({ ...input, dnd: true, desktopQuiet: true }).trayRinging).toBe(false);
      expect(ringingChannels({ ...input, desktopQuiet: false }).ringtone).toBe(true);
    },
  );

  it('macOS: everything, with notification buttons, and a dock bounce', () => {
    expect(
      ringingChannels({
        dnd: false,
        platform: 'darwin',
        notificationsSupported: true,
        notificationActionsSupported: notificationActionsSupported('darwin'),
      }),
    ).toEqual({
      incomingWindow: true,
      notification: true,
      notificationActions: true,
      trayRinging: true,
      attention: 'dock-bounce',
      ringtone: true,
    });
  });

  it('Windows: everything, with notification buttons, and a taskbar flash', () => {
    expect(
      ringingChannels({
        dnd: false,
        platform: 'win32',
        notificationsSupported: true,
        notificationActionsSupported: true,
      }),
    ).toMatchObject({ notification: true, notificationActions: true, attention: 'flash-frame' });
  });

  it('Linux: a notification without buttons (a click opens the app)', () => {
    expect(
      ringingChannels({
        dnd: false,
        platform: 'linux',
        notificationsSupported: true,
        notificationActionsSupported: notificationActionsSupported('linux'),
      }),
    ).toEqual({
      incomingWindow: true,
      notification: true,
      notificationActions: false,
      trayRinging: true,
      attention: 'flash-frame',
      ringtone: true,
    });
  });

  it.each(platforms)(
    'no notification system (%s): no notification, no buttons; window and tray stay',
    (p) => {
      expect(
        ringingChannels({
          dnd: false,
          platform: p,
          notificationsSupported: false,
          notificationActionsSupported: true,
        }),
      ).toMatchObject({
        incomingWindow: true,
        notification: false,
        notificationActions: false,
        trayRinging: true,
      });
    },
  );
});

describe('incomingCallNotification', () => {
  it('voice call with buttons: Accept, Accept video, Decline; stays until removed; silent (ringtone plays)', () => {
    expect(incomingCallNotification(call, { actions: true })).toEqual({
      id: 'incoming-c1',
      title: 'Incoming call',
      body: `${iso('Alice')} (@alice) is calling`,
      silent: true,
      urgency: 'critical',
      timeoutType: 'never',
      actions: [
        { type: 'accept-audio', label: 'Accept', action: { type: 'accept', callId: 'c1', media: 'audio' } },
        {
          type: 'accept-video',
          label: 'Accept video',
          action: { type: 'accept', callId: 'c1', media: 'video' },
        },
        { type: 'decline', label: 'Decline', action: { type: 'decline', callId: 'c1' } },
      ],
      click: { type: 'open' },
    });
  });

  it('video call title; without buttons a click opens the app', () => {
    const n = incomingCallNotification({ ...call, media: 'video' }, { actions: false });
    expect(n.title).toBe('Incoming video call');
    expect(n.actions).toEqual([]);
    expect(n.click).toEqual({ type: 'open' });
  });

  it('falls back to the username when the display name is blank, and shortens long names', () => {
    expect(
      incomingCallNotification(
        { ...call, caller: { username: 'alice', displayName: '  ' } },
        { actions: false },
      ).body,
    ).toBe('@alice is calling');
    const long = incomingCallNotification(
      { ...call, caller: { username: 'alice', displayName: 'x'.repeat(100) } },
      { actions: false },
    );
    expect(long.body).toBe(`${iso(`${'x'.repeat(63)}…`)} (@alice) is calling`);
  });

  it('tells apart two callers with the same name, and cleans a bidi override out of an older name', () => {
    const body = (username: string, displayName: string) =>
      incomingCallNotification({ ...call, caller: { username, displayName } }, { actions: false }).body;
    expect(body('alice.l', 'Alice Liddell')).toBe(`${iso('Alice Liddell')} (@alice.l) is calling`);
    expect(body('alice-l', 'Alice Liddell')).toBe(`${iso('Alice Liddell')} (@alice-l) is calling`);
    expect(body('bob', 'Bob \u202Egnp.exe')).toBe(`${iso('Bob gnp.exe')} (@bob) is calling`);
  });
});

describe('missedCallNotification', () => {
  const missed = { callId: 'c9', caller: { username: 'bob', displayName: 'Bob' }, media: 'audio' } as const;

  it('outside dnd: a normal notification with Call back (audio), a click opens the history', () => {
    expect(missedCallNotification(missed, { dnd: false })).toEqual({
      id: 'missed-c9',
      title: 'Missed call',
      body: `${iso('Bob')} (@bob) called`,
      silent: false,
      urgency: 'normal',
      timeoutType: 'default',
      actions: [
        { type: 'call-back', label: 'Call back', action: { type: 'call', username: 'bob', media: 'audio' } },
      ],
      click: { type: 'open-history' },
    });
  });

  it('in dnd: still shown, but silent', () => {
    const n = missedCallNotification(missed, { dnd: true });
    expect(n).not.toBeNull();
    expect(n!.silent).toBe(true);
    expect(n!.actions).toHaveLength(1);
  });

  it('calls back with the media the caller used', () => {
    expect(missedCallNotification({ ...missed, media: 'video' }, { dnd: false })!.actions[0]!.action).toEqual(
      {
        type: 'call',
        username: 'bob',
        media: 'video',
      },
    );
  });

  it('without buttons (Linux) the click still opens the history', () => {
    const n = missedCallNotification(missed, { dnd: false, actions: false })!;
    expect(n.actions).toEqual([]);
    expect(n.click).toEqual({ type: 'open-history' });
  });

  it('null when the system has no notifications (the badge still counts the call)', () => {
    expect(missedCallNotification(missed, { dnd: false, notificationsSupported: false })).toBeNull();
    expect(missedCallNotification(missed, { dnd: true, notificationsSupported: false })).toBeNull();
  });
});
