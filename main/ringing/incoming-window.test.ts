// IncomingCallWindows with fake windows: every way ringing ends closes the window exactly once (when the app
// reports ringing stopped) and sends at most one action; closing by hand, replacement by a newer call, stale
// and repeated messages.
import { describe, expect, it, vi } from 'vitest';
import type { PlatformAction, RingingCall } from '../../shared/app-shell.js';
import { IncomingCallWindows, type IncomingWindow } from './incoming-window.js';

interface FakeWindow extends IncomingWindow {
  /** Stands for the window's web contents (an IPC message's sender). */
  contents: object;
  calls: RingingCall[];
  closes: number;
  shows: number;
  /** The person closes the window (title bar, Alt+F4). */
  closeByHand(): void;
}

/** `closedAsync`: fire `closed` on a later tick, like Electron; otherwise synchronously inside close(). */
function setup({ closedAsync = false } = {}) {
  const windows: FakeWindow[] = [];
  const onAction = vi.fn<(action: PlatformAction) => void>();
  const factory = {
    create: vi.fn((): IncomingWindow => {
      let destroyed = false;
      const closedCbs: (() => void)[] = [];
      const destroy = () => {
        if (destroyed) throw new Error('Object has been destroyed');
        destroyed = true;
        const fire = () => closedCbs.forEach((cb) => cb());
        if (closedAsync) queueMicrotask(fire);
        else fire();
      };
      const w: FakeWindow = {
        contents: {},
        calls: [],
        closes: 0,
        shows: 0,
        showInactive: () => {
          if (destroyed) throw new Error('Object has been destroyed');
          w.shows++;
        },
        close: () => {
          w.closes++;
          destroy();
        },
        isDestroyed: () => destroyed,
        sendCall: (call) => {
          if (destroyed) throw new Error('Object has been destroyed');
          w.calls.push(call);
        },
        onClosed: (cb) => closedCbs.push(cb),
        hasContents: (contents) => !destroyed && contents === w.contents,
        closeByHand: destroy,
      };
      windows.push(w);
      return w;
    }),
  };
  const manager = new IncomingCallWindows({ factory, onAction });
  return { manager, windows, onAction, factory };
}

const alice: RingingCall = {
  callId: 'call-a',
  caller: { username: 'alice', displayName: 'Alice' },
  media: 'audio',
};
const bob: RingingCall = {
  callId: 'call-b',
  caller: { username: 'bob', displayName: 'Bob' },
  media: 'video',
};
const flush = () => new Promise<void>((r) => setTimeout(r, 0));

describe('show', () => {
  it('creates one window, sends the call and shows it without focus', () => {
    const { manager, windows } = setup();
    expect(manager.show(alice)).toBe(true);
    expect(windows).toHaveLength(1);
    expect(windows[0]!.calls).toEqual([alice]);
    expect(windows[0]!.shows).toBe(1);
  });

  it('reuses the window when the same call is shown again', () => {
    const { manager, windows } = setup();
    manager.show(alice);
    manager.show(alice);
    expect(windows).toHaveLength(1);
    expect(windows[0]!.calls).toEqual([alice, alice]);
  });

  it('a new call replaces the old one in the same window', () => {
    const { manager, windows } = setup();
    manager.show(alice);
    manager.show(bob);
    expect(windows).toHaveLength(1);
    expect(windows[0]!.calls).toEqual([alice, bob]);
    expect(windows[0]!.closes).toBe(0);
  });

  it('after a replacement, ending the old call leaves the new one up', () => {
    const { manager, windows, onAction } = setup();
    manager.show(alice);
    manager.show(bob);
    expect(manager.hide('call-a')).toBe(false);
    expect(manager.choose({ type: 'accept', callId: 'call-a', media: 'audio' })).toBe(false);
    expect(windows[0]!.closes).toBe(0);
    expect(onAction).not.toHaveBeenCalled();
    // The window answers for Bob's call.
    expect(manager.choose({ type: 'accept', callId: 'call-b', media: 'audio' })).toBe(true);
  });

  it('creates a fresh window when the old one was destroyed without telling us', () => {
    const { manager, windows } = setup();
    manager.show(alice);
    vi.spyOn(windows[0]!, 'isDestroyed').mockReturnValue(true);
    manager.show(bob);
    expect(windows).toHaveLength(2);
    expect(windows[1]!.calls).toEqual([bob]);
  });
});

type Outcome = {
  name: string;
  end: (m: IncomingCallWindows) => void;
  action: PlatformAction | null;
};

const outcomes: Outcome[] = [
  {
    name: 'answered here (voice) via the window',
    end: (m) => m.choose({ type: 'accept', callId: 'call-a', media: 'audio' }),
    action: { type: 'accept', callId: 'call-a', media: 'audio' },
  },
  {
    name: 'answered here (video) via the window',
    end: (m) => m.choose({ type: 'accept', callId: 'call-a', media: 'video' }),
    action: { type: 'accept', callId: 'call-a', media: 'video' },
  },
  {
    name: 'declined via the window',
    end: (m) => m.choose({ type: 'decline', callId: 'call-a' }),
    action: { type: 'decline', callId: 'call-a' },
  },
  { name: 'answered elsewhere', end: (m) => m.hide('call-a'), action: null },
  { name: 'declined elsewhere', end: (m) => m.hide('call-a'), action: null },
  { name: 'cancelled by the caller', end: (m) => m.hide('call-a'), action: null },
  { name: 'timed out', end: (m) => m.hide('call-a'), action: null },
];

describe.each([false, true])('ringing ends (closed event async: %s)', (closedAsync) => {
  it.each(outcomes)('$name: closes exactly once, at most one action', async ({ end, action }) => {
    const { manager, windows, onAction } = setup({ closedAsync });
    manager.show(alice);
    end(manager);
    // What follows every outcome: the main window reports ringing stopped; a double click; a late show.
    manager.hide('call-a');
    manager.choose({ type: 'accept', callId: 'call-a', media: 'audio' });
    manager.choose({ type: 'decline', callId: 'call-a' });
    await flush();
    manager.hide('call-a');
    expect(manager.show(alice)).toBe(false);
    manager.closeAll();

    expect(windows).toHaveLength(1);
    expect(windows[0]!.closes).toBe(1);
    expect(onAction.mock.calls).toEqual(action ? [[action]] : []);
  });
});

describe('choose', () => {
  it('forwards the first answer only, and leaves closing to the end of ringing', () => {
    const { manager, windows, onAction } = setup();
    manager.show(alice);
    expect(manager.choose({ type: 'decline', callId: 'call-a' })).toBe(true);
    expect(manager.choose({ type: 'accept', callId: 'call-a', media: 'audio' })).toBe(false); // a double click
    expect(onAction.mock.calls).toEqual([[{ type: 'decline', callId: 'call-a' }]]);
    expect(windows[0]!.closes).toBe(0);
    manager.hide('call-a'); // the app reports the call no longer ringing
    expect(windows[0]!.closes).toBe(1);
  });

  it('a newer call shown in the same window can be answered', () => {
    const { manager, onAction } = setup();
    manager.show(alice);
    manager.choose({ type: 'decline', callId: 'call-a' });
    manager.show(bob);
    expect(manager.choose({ type: 'accept', callId: 'call-b', media: 'video' })).toBe(true);
    expect(onAction).toHaveBeenCalledTimes(2);
  });

  it.each<PlatformAction>([
    { type: 'hangup' },
    { type: 'toggle-mute' },
    { type: 'call', username: 'mallory', media: 'video' },
    { type: 'open-history' },
    { type: 'set-status', dnd: true },
    { type: 'accept', callId: 'other-call', media: 'audio' },
    { type: 'decline', callId: 'other-call' },
  ])('ignores $type that is not a choice about the shown call', (action) => {
    const { manager, windows, onAction } = setup();
    manager.show(alice);
    expect(manager.choose(action)).toBe(false);
    expect(onAction).not.toHaveBeenCalled();
    expect(windows[0]!.closes).toBe(0);
  });

  it('with no window is ignored', () => {
    const { manager, onAction } = setup();
    expect(manager.choose({ type: 'decline', callId: 'call-a' })).toBe(false);
    expect(onAction).not.toHaveBeenCalled();
  });
});

describe('closed by hand', () => {
  it.each([false, true])(
    'ringing goes on elsewhere: no action, and no reopening (async: %s)',
    async (closedAsync) => {
      const { manager, windows, onAction } = setup({ closedAsync });
      manager.show(alice);
      windows[0]!.closeByHand();
      await flush();
      expect(manager.show(alice)).toBe(false);
      expect(manager.hide('call-a')).toBe(false);
      expect(onAction).not.toHaveBeenCalled();
      expect(windows).toHaveLength(1);
      expect(windows[0]!.closes).toBe(0);
    },
  );

  it('the next call gets a new window', () => {
    const { manager, windows } = setup();
    manager.show(alice);
    windows[0]!.closeByHand();
    expect(manager.show(bob)).toBe(true);
    expect(windows).toHaveLength(2);
    expect(windows[1]!.calls).toEqual([bob]);
  });
});

describe('hide and closeAll', () => {
  it('hide for an unknown call is a no-op', () => {
    const { manager, windows, factory } = setup();
    expect(manager.hide('nope')).toBe(false);
    expect(factory.create).not.toHaveBeenCalled();
    manager.show(alice);
    expect(manager.hide('nope')).toBe(false);
    expect(windows[0]!.closes).toBe(0);
    expect(manager.hide('call-a')).toBe(true); // it still showed Alice's call
  });

  it('a call that ended by hide is not shown again by a late show', () => {
    const { manager, windows } = setup();
    manager.show(alice);
    manager.hide('call-a');
    expect(manager.show(alice)).toBe(false);
    expect(windows).toHaveLength(1);
  });

  it('closeAll closes the window once and is safe to repeat', () => {
    const { manager, windows } = setup();
    manager.closeAll();
    manager.show(alice);
    manager.closeAll();
    manager.closeAll();
    expect(windows[0]!.closes).toBe(1);
  });

  it('does not close a window that is already destroyed', () => {
    const { manager, windows } = setup();
    manager.show(alice);
    vi.spyOn(windows[0]!, 'isDestroyed').mockReturnValue(true);
    expect(() => manager.hide('call-a')).not.toThrow();
    expect(windows[0]!.closes).toBe(0);
  });

  it('remembers a bounded number of ended calls', () => {
    const { manager } = setup();
    for (let i = 0; i < 60; i++) {
      manager.show({ ...alice, callId: `call-${i}` });
      manager.hide(`call-${i}`);
    }
    expect(manager.show({ ...alice, callId: 'call-59' })).toBe(false);
    expect(manager.show({ ...alice, callId: 'call-0' })).toBe(true); // forgotten: long over anyway
  });
});

describe('isWindowOf', () => {
  it('is true only for the contents of the window shown now, not for a closed or replaced one', () => {
    const { manager, windows } = setup();
    expect(manager.isWindowOf({})).toBe(false);
    manager.show(alice);
    const [first] = windows;
    expect(manager.isWindowOf(first!.contents)).toBe(true);
    expect(manager.isWindowOf({})).toBe(false);
    manager.hide('call-a');
    expect(manager.isWindowOf(first!.contents)).toBe(false);
    manager.show(bob);
    expect(manager.isWindowOf(first!.contents)).toBe(false);
    expect(manager.isWindowOf(windows[1]!.contents)).toBe(true);
  });
});
