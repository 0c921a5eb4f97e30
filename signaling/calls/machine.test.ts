import { describe, expect, it } from 'vitest';
import type { Device, LiveCall } from '../domain.js';
import {
  decideInvite,
  relayTarget,
  transition,
  type CallAction,
  type InviteFacts,
  type RelayRequest,
} from './machine.js';

/** Freezes an object and everything reachable from it, so any mutation throws in strict mode. */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

const ALICE = 1;
const BOB = 2;
const CAROL = 3;

const aliceLaptop: Device = { userId: ALICE, deviceId: 'alice-laptop' };
const alicePhone: Device = { userId: ALICE, deviceId: 'alice-phone' };
const bobDesk: Device = { userId: BOB, deviceId: 'bob-desk-01' };
const bobPhone: Device = { userId: BOB, deviceId: 'bob-phone-01' };
const carol: Device = { userId: CAROL, deviceId: 'carol-device' };

/** Alice (laptop) calls Bob; ringing, no callee device yet. Deep-frozen. */
const ringing = (): LiveCall =>
  deepFreeze({
    id: 'call-0000000000000000001',
    media: 'audio',
    caller: { userId: ALICE, deviceId: aliceLaptop.deviceId },
    callee: { userId: BOB, deviceId: null },
    state: 'ringing',
    createdAt: 1_000,
    answeredAt: null,
  });

/** The same call answered on Bob's desk device. Deep-frozen. */
const active = (): LiveCall =>
  deepFreeze({
    ...ringing(),
    callee: { userId: BOB, deviceId: bobDesk.deviceId },
    state: 'active',
    answeredAt: 2_000,
  });

const endsWith = (call: LiveCall, action: CallAction) => {
  const t = transition(call, action);
  if (!t.ok) throw new Error(`expected ok, got ${t.code}`);
  return t;
};

describe('decideInvite', () => {
  const fine: InviteFacts = {
    isContact: true,
    callerInCall: false,
    calleeInCall: false,
    calleeOnline: true,
    calleeDnd: false,
  };

  it('allows a call between contacts when the callee is online and free', () => {
    expect(decideInvite(fine)).toEqual({ ok: true });
  });

  it('refuses non-contacts without recording', () => {
    expect(decideInvite({ ...fine, isContact: false })).toEqual({
      ok: false,
      code: 'E_NOT_CONTACT',
      recordAs: null,
    });
  });

  it('refuses a caller already in a call without recording', () => {
    expect(decideInvite({ ...fine, callerInCall: true })).toEqual({
      ok: false,
      code: 'E_IN_CALL',
      recordAs: null,
    });
  });

  it('refuses a busy callee and records busy', () => {
    expect(decideInvite({ ...fine, calleeInCall: true })).toEqual({
      ok: false,
      code: 'E_BUSY',
      recordAs: 'busy',
    });
  });

  it('refuses an offline callee and records offline', () => {
    expect(decideInvite({ ...fine, calleeOnline: false })).toEqual({
      ok: false,
      code: 'E_OFFLINE',
      recordAs: 'offline',
    });
  });

  it('refuses a callee in do-not-disturb and records dnd', () => {
    expect(decideInvite({ ...fine, calleeDnd: true })).toEqual({ ok: false, code: 'E_DND', recordAs: 'dnd' });
  });

  it('applies the precedence not contact > caller in call > callee busy > offline > dnd', () => {
    const all: InviteFacts = {
      isContact: false,
      callerInCall: true,
      calleeInCall: true,
      calleeOnline: false,
      calleeDnd: true,
    };
    expect(decideInvite(all)).toMatchObject({ code: 'E_NOT_CONTACT' });
    expect(decideInvite({ ...all, isContact: true })).toMatchObject({ code: 'E_IN_CALL' });
    expect(decideInvite({ ...all, isContact: true, callerInCall: false })).toMatchObject({ code: 'E_BUSY' });
    expect(decideInvite({ ...all, isContact: true, callerInCall: false, calleeInCall: false })).toMatchObject(
      {
        code: 'E_OFFLINE',
      },
    );
    expect(
      decideInvite({ ...all, isContact: true, callerInCall: false, calleeInCall: false, calleeOnline: true }),
    ).toMatchObject({ code: 'E_DND' });
  });
});

describe('transition: accept', () => {
  it('binds the accepting callee device, whichever it is, and makes the call active', () => {
    for (const device of [bobDesk, bobPhone]) {
      const t = endsWith(ringing(), { type: 'accept', by: device, at: 5_000 });
      expect(t.ended).toBeNull();
      expect(t.call).toEqual({
        ...ringing(),
        state: 'active',
        answeredAt: 5_000,
        callee: { userId: BOB, deviceId: device.deviceId },
      });
    }
  });

  it('refuses a second accept (answered elsewhere) with E_CALL_STATE', () => {
    const first = endsWith(ringing(), { type: 'accept', by: bobDesk, at: 5_000 });
    deepFreeze(first.call);
    expect(transition(first.call, { type: 'accept', by: bobPhone, at: 5_001 })).toEqual({
      ok: false,
      code: 'E_CALL_STATE',
    });
  });

  it('refuses the caller and third users with E_CALL_NOT_FOUND', () => {
    for (const by of [aliceLaptop, alicePhone, carol]) {
      expect(transition(ringing(), { type: 'accept', by, at: 5_000 })).toEqual({
        ok: false,
        code: 'E_CALL_NOT_FOUND',
      });
    }
  });
});

describe('transition: decline', () => {
  it('ends a ringing call as declined when any callee device declines', () => {
    for (const by of [bobDesk, bobPhone]) {
      const t = endsWith(ringing(), { type: 'decline', by });
      expect(t.ended).toBe('declined');
      expect(t.call).toEqual(ringing());
    }
  });

  it('refuses a decline of an active call with E_CALL_STATE', () => {
    expect(transition(active(), { type: 'decline', by: bobDesk })).toEqual({
      ok: false,
      code: 'E_CALL_STATE',
    });
  });

  it('refuses a decline by someone other than the callee with E_CALL_NOT_FOUND', () => {
    for (const by of [aliceLaptop, carol]) {
      expect(transition(ringing(), { type: 'decline', by })).toEqual({ ok: false, code: 'E_CALL_NOT_FOUND' });
    }
  });
});

describe('transition: cancel', () => {
  it('ends a ringing call as cancelled when the caller device cancels', () => {
    expect(endsWith(ringing(), { type: 'cancel', by: aliceLaptop }).ended).toBe('cancelled');
  });

  it('refuses anyone but the caller device with E_CALL_NOT_FOUND', () => {
    for (const by of [alicePhone, bobDesk, carol]) {
      expect(transition(ringing(), { type: 'cancel', by })).toEqual({ ok: false, code: 'E_CALL_NOT_FOUND' });
    }
  });

  it('refuses a cancel of an active call with E_CALL_STATE', () => {
    expect(transition(active(), { type: 'cancel', by: aliceLaptop })).toEqual({
      ok: false,
      code: 'E_CALL_STATE',
    });
  });
});

describe('transition: hangup', () => {
  it('while ringing: the caller cancels, the callee declines, a stranger is refused', () => {
    expect(endsWith(ringing(), { type: 'hangup', by: aliceLaptop }).ended).toBe('cancelled');
    expect(endsWith(ringing(), { type: 'hangup', by: bobPhone }).ended).toBe('declined');
    expect(transition(ringing(), { type: 'hangup', by: carol })).toEqual({
      ok: false,
      code: 'E_CALL_NOT_FOUND',
    });
  });

  it('when active: either bound device completes the call', () => {
    expect(endsWith(active(), { type: 'hangup', by: aliceLaptop }).ended).toBe('completed');
    expect(endsWith(active(), { type: 'hangup', by: bobDesk }).ended).toBe('completed');
  });

  it('when active: a bound device that found no media path ends the call as failed', () => {
    expect(endsWith(active(), { type: 'hangup', by: aliceLaptop, failed: true }).ended).toBe('failed');
    expect(endsWith(active(), { type: 'hangup', by: bobDesk, failed: true }).ended).toBe('failed');
    // While it rings there is no media path to fail: the usual cancel or decline.
    expect(endsWith(ringing(), { type: 'hangup', by: aliceLaptop, failed: true }).ended).toBe('cancelled');
    expect(transition(active(), { type: 'hangup', by: carol, failed: true })).toEqual({
      ok: false,
      code: 'E_CALL_NOT_FOUND',
    });
  });

  it("when active: the callee's other (unbound) device and strangers are refused", () => {
    for (const by of [bobPhone, alicePhone, carol]) {
      expect(transition(active(), { type: 'hangup', by })).toEqual({ ok: false, code: 'E_CALL_NOT_FOUND' });
    }
  });
});

describe('transition: report', () => {
  const report = (by: Device, at: number, failed = false): CallAction => ({ type: 'report', by, failed, at });
  const answeredAt = active().answeredAt!;

  it('ends an answered call as completed or failed when a bound device reports it', () => {
    expect(endsWith(active(), report(aliceLaptop, answeredAt + 5)).ended).toBe('completed');
    expect(endsWith(active(), report(bobDesk, answeredAt, true)).ended).toBe('failed');
  });

  it('refuses an end before the answer', () => {
    expect(transition(active(), report(aliceLaptop, answeredAt - 1))).toEqual({
      ok: false,
      code: 'E_INVALID',
    });
  });

  it('refuses a ringing call to its parties (not answered yet) and to anyone else (not theirs)', () => {
    expect(transition(ringing(), report(aliceLaptop, 5))).toEqual({ ok: false, code: 'E_CALL_STATE' });
    expect(transition(ringing(), report(bobPhone, 5))).toEqual({ ok: false, code: 'E_CALL_STATE' });
    expect(transition(ringing(), report(carol, 5))).toEqual({ ok: false, code: 'E_CALL_NOT_FOUND' });
  });

  it('refuses devices that are not bound to the answered call', () => {
    for (const by of [alicePhone, bobPhone, carol]) {
      expect(transition(active(), report(by, answeredAt + 5))).toEqual({
        ok: false,
        code: 'E_CALL_NOT_FOUND',
      });
    }
  });
});

describe('transition: timeout', () => {
  it('ends a ringing call as missed', () => {
    expect(endsWith(ringing(), { type: 'timeout' }).ended).toBe('missed');
  });

  it('refuses on an active call with E_CALL_STATE', () => {
    expect(transition(active(), { type: 'timeout' })).toEqual({ ok: false, code: 'E_CALL_STATE' });
  });
});

describe('transition: connection-lost', () => {
  it('ends a ringing call when the caller device is lost', () => {
    expect(endsWith(ringing(), { type: 'connection-lost', deviceOf: aliceLaptop }).ended).toBe(
      'connection-lost',
    );
  });

  it('ends an active call when either bound device is lost', () => {
    expect(endsWith(active(), { type: 'connection-lost', deviceOf: aliceLaptop }).ended).toBe(
      'connection-lost',
    );
    expect(endsWith(active(), { type: 'connection-lost', deviceOf: bobDesk }).ended).toBe('connection-lost');
  });

  it('refuses for an unbound device with E_CALL_NOT_FOUND', () => {
    const notFound = { ok: false, code: 'E_CALL_NOT_FOUND' };
    expect(transition(ringing(), { type: 'connection-lost', deviceOf: bobDesk })).toEqual(notFound);
    expect(transition(ringing(), { type: 'connection-lost', deviceOf: alicePhone })).toEqual(notFound);
    expect(transition(active(), { type: 'connection-lost', deviceOf: bobPhone })).toEqual(notFound);
    expect(transition(active(), { type: 'connection-lost', deviceOf: carol })).toEqual(notFound);
  });
});

describe('relayTarget', () => {
  /** A signal from `from`, without a leg, or naming `device` by its leg; connecting while ringing on unless said. */
  const req = (from: Device, named?: Device | null, connectWhileRinging = true): RelayRequest => ({
    from,
    ...(named === undefined ? {} : { named: { device: named } }),
    connectWhileRinging,
  });
  const notFound = { code: 'E_CALL_NOT_FOUND' };
  const wrongState = { code: 'E_CALL_STATE' };
  const invalid = { code: 'E_INVALID' };

  describe('with connecting while ringing off (as before legs)', () => {
    it('relays between the caller and the bound callee, both directions, when active, without legs', () => {
      expect(relayTarget(active(), req(aliceLaptop, undefined, false))).toEqual({
        to: bobDesk,
        stampLeg: false,
      });
      expect(relayTarget(active(), req(bobDesk, undefined, false))).toEqual({
        to: aliceLaptop,
        stampLeg: false,
      });
    });

    it('refuses the caller and every ringing callee device with E_CALL_STATE while it rings, leg or not', () => {
      for (const from of [aliceLaptop, bobDesk, bobPhone]) {
        expect(relayTarget(ringing(), req(from, undefined, false))).toEqual(wrongState);
        expect(relayTarget(ringing(), req(from, bobDesk, false))).toEqual(wrongState);
      }
    });
  });

  describe('while it rings', () => {
    it("sends a callee device's signal to the caller's device with the sender's leg", () => {
      for (const from of [bobDesk, bobPhone]) {
        expect(relayTarget(ringing(), req(from))).toEqual({ to: aliceLaptop, stampLeg: true });
      }
    });

    it("sends the caller's signal to the callee device its leg names, and nowhere without a leg", () => {
      expect(relayTarget(ringing(), req(aliceLaptop, bobPhone))).toEqual({ to: bobPhone, stampLeg: false });
      expect(relayTarget(ringing(), req(aliceLaptop, bobDesk))).toEqual({ to: bobDesk, stampLeg: false });
      expect(relayTarget(ringing(), req(aliceLaptop))).toEqual(wrongState);
    });

    it('refuses a leg that names no ringing device, or a device of someone else, with E_CALL_NOT_FOUND', () => {
      expect(relayTarget(ringing(), req(aliceLaptop, null))).toEqual(notFound);
      expect(relayTarget(ringing(), req(aliceLaptop, carol))).toEqual(notFound);
      expect(relayTarget(ringing(), req(aliceLaptop, alicePhone))).toEqual(notFound);
    });

    it('refuses a leg from a callee device with E_INVALID: it is never told one', () => {
      expect(relayTarget(ringing(), req(bobPhone, bobDesk))).toEqual(invalid);
      expect(relayTarget(ringing(), req(bobPhone, null))).toEqual(invalid);
    });
  });

  describe('once answered', () => {
    it("stamps the bound callee's signals with its leg, and relays the caller's with the bound leg or none", () => {
      expect(relayTarget(active(), req(bobDesk))).toEqual({ to: aliceLaptop, stampLeg: true });
      expect(relayTarget(active(), req(aliceLaptop))).toEqual({ to: bobDesk, stampLeg: false });
      expect(relayTarget(active(), req(aliceLaptop, bobDesk))).toEqual({ to: bobDesk, stampLeg: false });
    });

    it("refuses the caller's signal for a device that did not answer, or an unknown leg, with E_CALL_NOT_FOUND", () => {
      expect(relayTarget(active(), req(aliceLaptop, bobPhone))).toEqual(notFound);
      expect(relayTarget(active(), req(aliceLaptop, null))).toEqual(notFound);
      expect(relayTarget(active(), req(aliceLaptop, null, false))).toEqual(notFound);
    });

    it('refuses a leg from the bound callee with E_INVALID', () => {
      expect(relayTarget(active(), req(bobDesk, bobDesk))).toEqual(invalid);
      expect(relayTarget(active(), req(bobDesk, bobDesk, false))).toEqual(invalid);
    });
  });

  it('refuses unbound devices and third users with E_CALL_NOT_FOUND, before looking at the leg or the setting', () => {
    for (const connectWhileRinging of [true, false]) {
      for (const named of [undefined, null, bobDesk]) {
        for (const from of [bobPhone, alicePhone, carol]) {
          expect(relayTarget(active(), req(from, named, connectWhileRinging))).toEqual(notFound);
        }
        for (const from of [alicePhone, carol]) {
          expect(relayTarget(ringing(), req(from, named, connectWhileRinging))).toEqual(notFound);
        }
      }
    }
  });
});

describe('purity', () => {
  it('never mutates the input call', () => {
    const actions: CallAction[] = [
      { type: 'accept', by: bobDesk, at: 9_000 },
      { type: 'accept', by: carol, at: 9_000 },
      { type: 'decline', by: bobPhone },
      { type: 'cancel', by: aliceLaptop },
      { type: 'hangup', by: aliceLaptop },
      { type: 'hangup', by: bobDesk },
      { type: 'timeout' },
      { type: 'connection-lost', deviceOf: aliceLaptop },
    ];
    for (const make of [ringing, active]) {
      const call = make();
      const snapshot = structuredClone(call);
      for (const action of actions) transition(call, deepFreeze(action));
      relayTarget(call, { from: aliceLaptop, named: { device: bobPhone }, connectWhileRinging: true });
      relayTarget(call, { from: bobDesk, connectWhileRinging: true });
      expect(Object.isFrozen(call.callee)).toBe(true);
      expect(call).toEqual(snapshot);
    }
  });

  it('returns a new call object on accept, leaving the frozen input as it was', () => {
    const call = ringing();
    const t = endsWith(call, { type: 'accept', by: bobPhone, at: 7_000 });
    expect(t.call).not.toBe(call);
    expect(t.call.callee).not.toBe(call.callee);
    expect(call.state).toBe('ringing');
    expect(call.callee.deviceId).toBeNull();
  });
});
