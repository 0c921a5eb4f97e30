// The tray model in every state: icon precedence, badge, tooltip, and the menu's items and actions.
import { describe, expect, it } from 'vitest';
import type { RecentCall, RingingCall } from '../../shared/app-shell.js';
import {
  menuPerson,
  type MenuItemModel,
  trayBadge,
  trayIcon,
  trayMenu,
  type TrayState,
  trayTooltip,
} from './model.js';

const call: RingingCall = {
  callId: 'c1',
  caller: { username: 'alice', displayName: 'Alice' },
  media: 'audio',
};
const recent: RecentCall[] = [
  { username: 'bob', displayName: 'Bob', media: 'audio' },
  { username: 'carol', displayName: 'Carol & Co', media: 'video' },
];
const base: TrayState = {
  presence: 'online',
  ringing: null,
  inCall: false,
  unseenMissedCalls: 0,
  recent: [],
  startAtLogin: false,
  dnd: false,
};
const state = (over: Partial<TrayState>): TrayState => ({ ...base, ...over });
/** A name as the tray shows it: isolated (FSI ... PDI). */
const iso = (name: string) => `\u2068${name}\u2069`;

const ids = (items: MenuItemModel[]) => items.map((i) => i.id.replace(/^separator-\d+$/, '---'));
const find = (items: MenuItemModel[], id: string): MenuItemModel => {
  for (const i of items) {
    if (i.id === id) return i;
    const inner = i.submenu && find(i.submenu, id);
    if (inner) return inner;
  }
  return undefined as never;
};

describe('trayIcon', () => {
  it.each<[string, Partial<TrayState>, ReturnType<typeof trayIcon>]>([
    ['online', {}, 'online'],
    ['away', { presence: 'away' }, 'away'],
    ['busy presence', { presence: 'busy' }, 'busy'],
    ['in a call', { inCall: true }, 'busy'],
    ['dnd flag', { dnd: true }, 'dnd'],
    ['dnd presence', { presence: 'dnd' }, 'dnd'],
    ['dnd beats in a call', { dnd: true, inCall: true, presence: 'busy' }, 'dnd'],
    ['offline', { presence: 'offline' }, 'offline'],
    ['offline beats dnd', { presence: 'offline', dnd: true }, 'offline'],
    ['ringing', { ringing: call }, 'ringing'],
    ['ringing beats dnd and a call', { ringing: call, dnd: true, inCall: true }, 'ringing'],
    ['ringing beats offline', { ringing: call, presence: 'offline' }, 'ringing'],
    ['missed calls do not change the icon', { unseenMissedCalls: 3 }, 'online'],
  ])('%s', (_what, over, icon) => {
    expect(trayIcon(state(over))).toBe(icon);
  });
});

describe('trayBadge', () => {
  it('is null with no unseen missed calls and the count otherwise', () => {
    expect(trayBadge(base)).toBeNull();
    expect(trayBadge(state({ unseenMissedCalls: 1 }))).toBe(1);
    expect(trayBadge(state({ unseenMissedCalls: 250, ringing: call }))).toBe(250);
  });
});

describe('trayTooltip', () => {
  it.each<[Partial<TrayState>, string]>([
    [{}, 'Parley: Online'],
    [{ presence: 'away' }, 'Parley: Away'],
    [{ dnd: true }, 'Parley: Do not disturb'],
    [{ presence: 'offline' }, 'Parley: Offline'],
    [{ presence: 'busy' }, 'Parley: Busy'],
    [{ ringing: call }, `Parley: incoming call from ${iso('Alice')} (@alice)`],
    [{ ringing: { ...call, media: 'video' } }, `Parley: incoming video call from ${iso('Alice')} (@alice)`],
    [{ inCall: true }, 'Parley: in a call'],
    [{ inCall: true, muted: true }, 'Parley: in a call (muted)'],
    [{ unseenMissedCalls: 1 }, 'Parley: Online · 1 missed call'],
    [{ unseenMissedCalls: 4, dnd: true }, 'Parley: Do not disturb · 4 missed calls'],
  ])('%j -> %s', (over, text) => {
    expect(trayTooltip(state(over))).toBe(text);
  });

  it('shortens a long caller name and stays within 127 characters', () => {
    const long = { ...call, caller: { username: 'alice', displayName: 'A'.repeat(64) } };
    const text = trayTooltip(state({ ringing: long, unseenMissedCalls: 99_999 }));
    expect(text.length).toBeLessThanOrEqual(127);
    expect(text).toContain(`${'A'.repeat(39)}…`);
  });
});

describe('trayMenu', () => {
  it('idle: status, open, recent calls, start at login, logs, quit', () => {
    const menu = trayMenu(base);
    expect(ids(menu)).toEqual([
      'status',
      'open',
      'recent',
      '---',
      'start-at-login',
      'open-logs',
      '---',
      'quit',
    ]);
    expect(find(menu, 'open-logs')).toEqual({
      id: 'open-logs',
      label: 'Open logs folder',
      type: 'normal',
      action: { type: 'open-logs' },
    });
    expect(find(menu, 'open')).toEqual({
      id: 'open',
      label: 'Open Parley',
      type: 'normal',
      action: { type: 'open' },
    });
    expect(find(menu, 'quit')).toMatchObject({ label: 'Quit Parley', action: { type: 'quit' } });
  });

  it('ringing: Answer <name>, Answer with video and Decline come first', () => {
    const menu = trayMenu(state({ ringing: call }));
    expect(ids(menu).slice(0, 4)).toEqual(['answer', 'answer-video', 'decline', '---']);
    expect(menu[0]).toMatchObject({
      label: `Answer ${iso('Alice')} (@alice)`,
      action: { type: 'accept', callId: 'c1', media: 'audio' },
    });
    expect(menu[1]).toMatchObject({
      label: 'Answer with video',
      action: { type: 'accept', callId: 'c1', media: 'video' },
    });
    expect(menu[2]).toMatchObject({ label: 'Decline', action: { type: 'decline', callId: 'c1' } });
    expect(ids(menu)).not.toContain('hangup');
  });

  it('in a call: Hang up and Mute, or Unmute when muted', () => {
    const menu = trayMenu(state({ inCall: true }));
    expect(ids(menu).slice(0, 3)).toEqual(['hangup', 'mute', '---']);
    expect(menu[0]).toMatchObject({ label: 'Hang up', action: { type: 'hangup' } });
    expect(menu[1]).toMatchObject({ label: 'Mute', action: { type: 'toggle-mute' } });
    expect(trayMenu(state({ inCall: true, muted: true }))[1]).toMatchObject({
      label: 'Unmute',
      action: { type: 'toggle-mute' },
    });
    expect(ids(menu)).not.toContain('answer');
  });

  it('ringing during a call shows both groups, ringing first', () => {
    expect(ids(trayMenu(state({ ringing: call, inCall: true }))).slice(0, 7)).toEqual([
      'answer',
      'answer-video',
      'decline',
      '---',
      'hangup',
      'mute',
      '---',
    ]);
  });

  it.each([
    [false, 'Status: Online', true, false],
    [true, 'Status: Do not disturb', false, true],
  ])('status radio with dnd=%s', (dnd, label, onlineChecked, dndChecked) => {
    const status = find(trayMenu(state({ dnd })), 'status');
    expect(status).toMatchObject({ label, type: 'submenu' });
    expect(status.submenu).toEqual([
      {
        id: 'status-online',
        label: 'Online',
        type: 'radio',
        checked: onlineChecked,
        action: { type: 'set-status', dnd: false },
      },
      {
        id: 'status-dnd',
        label: 'Do not disturb',
        type: 'radio',
        checked: dndChecked,
        action: { type: 'set-status', dnd: true },
      },
    ]);
  });

  it('no recent calls: one disabled item', () => {
    expect(find(trayMenu(base), 'recent').submenu).toEqual([
      { id: 'recent-none', label: 'No recent calls', type: 'normal', enabled: false },
    ]);
  });

  it('recent calls: Call back <name> with the call media; & is escaped for menus', () => {
    expect(find(trayMenu(state({ recent })), 'recent').submenu).toEqual([
      {
        id: 'recent-0',
        label: `Call back ${iso('Bob')} (@bob)`,
        type: 'normal',
        enabled: true,
        action: { type: 'call', username: 'bob', media: 'audio' },
      },
      {
        id: 'recent-1',
        label: `Call back ${iso('Carol && Co')} (@carol) (video)`,
        type: 'normal',
        enabled: true,
        action: { type: 'call', username: 'carol', media: 'video' },
      },
    ]);
  });

  it('recent calls fall back to the username when the display name is empty', () => {
    const menu = trayMenu(state({ recent: [{ username: 'dave', displayName: '', media: 'audio' }] }));
    expect(find(menu, 'recent-0').label).toBe('Call back @dave');
  });

  it.each([
    ['ringing', { ringing: call }],
    ['in a call', { inCall: true }],
  ])('recent calls are disabled while %s', (_what, over) => {
    const submenu = find(trayMenu(state({ ...over, recent })), 'recent').submenu!;
    expect(submenu.every((i) => i.enabled === false)).toBe(true);
  });

  it('missed calls add an item that opens the history', () => {
    expect(ids(trayMenu(base))).not.toContain('missed');
    expect(find(trayMenu(state({ unseenMissedCalls: 1 })), 'missed')).toMatchObject({
      label: '1 missed call',
      action: { type: 'open-history' },
    });
    expect(find(trayMenu(state({ unseenMissedCalls: 3 })), 'missed').label).toBe('3 missed calls');
  });

  it.each([true, false])('start at login checkbox reflects %s and toggles', (on) => {
    expect(find(trayMenu(state({ startAtLogin: on })), 'start-at-login')).toEqual({
      id: 'start-at-login',
      label: 'Start at login',
      type: 'checkbox',
      checked: on,
      action: { type: 'toggle-start-at-login' },
    });
  });

  it('offline and away keep the full menu', () => {
    for (const presence of ['offline', 'away', 'busy'] as const) {
      expect(ids(trayMenu(state({ presence })))).toEqual(ids(trayMenu(base)));
    }
  });

  it('item ids are unique in every state', () => {
    const all = trayMenu(state({ ringing: call, inCall: true, recent, unseenMissedCalls: 2 }));
    const flat = (items: MenuItemModel[]): string[] => items.flatMap((i) => [i.id, ...flat(i.submenu ?? [])]);
    const list = flat(all);
    expect(new Set(list).size).toBe(list.length);
  });

  it('a caller named with & and a long name is safe menu text', () => {
    const menu = trayMenu(
      state({ ringing: { ...call, caller: { username: 'x', displayName: 'Tom & Jerry' } } }),
    );
    expect(menu[0]!.label).toBe(`Answer ${iso('Tom && Jerry')} (@x)`);
    expect(menuPerson({ username: 'b', displayName: 'B'.repeat(60) })).toBe(
      `${iso(`${'B'.repeat(39)}…`)} (@b)`,
    );
  });

  it('two callers with the same name are told apart by @username; a bidi override is cleaned out', () => {
    const answer = (username: string, displayName: string) =>
      trayMenu(state({ ringing: { ...call, caller: { username, displayName } } }))[0]!.label;
    expect(answer('alice.l', 'Alice Liddell')).toBe(`Answer ${iso('Alice Liddell')} (@alice.l)`);
    expect(answer('alice-l', 'Alice Liddell')).toBe(`Answer ${iso('Alice Liddell')} (@alice-l)`);
    expect(answer('bob', 'Bob \u202Egnp.exe')).toBe(`Answer ${iso('Bob gnp.exe')} (@bob)`);
  });
});
