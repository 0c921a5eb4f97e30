/**
 * The call service carries out the state machine's decisions: it rings
 * devices, runs the ring and grace timers, writes history, relays SDP/ICE
 * (between the caller's device and the callee's ringing devices while it
 * rings, if `connectWhileRinging` is on; then between the two bound devices),
 * and keeps presence in step.
 *
 * The live call in the registry is what counts; its history row is a record
 * of it. The registry outlives the process: at shutdown only ringing calls
 * end (as interrupted), and at start answered ones resume, each bound device
 * with a grace period from then to come back (`resume`). A device that lost
 * the server may report afterwards how the call really ended (`reportEnd`).
 * A history write that fails is logged and the people in the call are told
 * what happened regardless (a row left open is closed as interrupted at the
 * next start). A timer whose action fails (the registry could not be
 * updated) is logged and tried again, so no call rings or waits forever.
 */
import type { CallsTable } from '../db/calls.js';
import { summaryOf, type UserRow, type UsersTable } from '../db/users.js';
import { sameDevice, type Device, type LiveCall, type Notifier } from '../domain.js';
import { AppError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import type { CallEndReason, CallEndReport, CallSignal, CallSnapshot, Media } from '../protocol/index.js';
import type { DeviceRegistry } from '../presence/device-registry.js';
import type { PresenceService } from '../presence/service.js';
import type { ContactsService } from '../contacts/service.js';
import type { HistoryService } from '../history/service.js';
import { newCallId } from '../accounts/tokens.js';
import {
  decideInvite,
  isBound,
  relayTarget,
  transition,
  type CallAction,
  type Transition,
} from './machine.js';
import type { CallRegistry } from './registry.js';
import { LocalCallTimers, type CallTimers, type TimerAction } from './call-timers.js';
import { deviceOfLeg, legOf } from './legs.js';

export interface CallTimings {
  ringTimeoutMs: number;
  gracePeriodMs: number;
}

export interface CallServiceDeps {
  registry: CallRegistry;
  devices: DeviceRegistry;
  users: UsersTable;
  calls: CallsTable;
  contacts: ContactsService;
  presence: PresenceService;
  history: HistoryService;
  notify: Notifier;
  timings: CallTimings;
  /** Whether the caller's device and the callee's ringing devices may connect before the answer. */
  connectWhileRinging: boolean;
  /** Invites, answers, ends by reason, relayed signals. */
  metrics: Metrics;
  log: Logger;
  now?: () => number;
  /**
   * Where the ring and grace timers live: in this process (the default), or shared by every node
   * (Redis). Shared timers outlive the node, so `stop` leaves ringing calls to them.
   */
  timers?: { shared: boolean; timers: CallTimers };
}

const ringTimer = (callId: string): string => `ring:${callId}`;
const graceTimer = (callId: string, d: Device): string => `grace:${callId}:${d.userId}:${d.deviceId}`;

export class CallService {
  private readonly timers: CallTimers;
  private readonly sharedTimers: boolean;
  private readonly now: () => number;
  /** Set by `stop` (shutdown): no timer is armed after it. */
  private stopped = false;

  constructor(private readonly d: CallServiceDeps) {
    this.now = d.now ?? Date.now;
    this.timers = d.timers?.timers ?? new LocalCallTimers(d.log);
    this.sharedTimers = d.timers?.shared ?? false;
    this.timers.start((callId, action) => this.settle(callId, action));
  }

  /**
   * Places a call. Refusals that count as call attempts (busy, offline, dnd) go into history. Ringing starts
   * once the caller holds the call id: the call's `ring` is handed to `afterAck` (run once the invite is
   * acknowledged).
   */
  async invite(
    caller: UserRow,
    from: Device,
    calleeName: string,
    media: Media,
    afterAck: (ring: () => void) => void,
  ): Promise<{ callId: string }> {
    if (calleeName === caller.username) throw new AppError('E_SELF', 'you cannot call yourself');
    const callee = await this.d.users.findByUsername(calleeName);
    const isContact =
      !!callee && callee.disabledAt === null && (await this.d.contacts.isContact(caller.id, callee.id));
    if (!callee || !isContact) throw new AppError('E_NOT_CONTACT', `${calleeName} is not a contact`);

    const [callerCalls, calleeCalls, calleeDevices] = await Promise.all([
      this.d.registry.callsOf(caller.id),
      this.d.registry.callsOf(callee.id),
      this.d.devices.devices(callee.id),
    ]);
    const decision = decideInvite({
      isContact,
      callerInCall: callerCalls.length > 0,
      calleeInCall: calleeCalls.length > 0,
      calleeOnline: calleeDevices.length > 0,
      calleeDnd: callee.dnd,
    });
    if (!decision.ok) {
      if (decision.recordAs) await this.recordRefused(caller, from, callee, media, decision.recordAs);
      throw new AppError(decision.code, `cannot call ${calleeName}: ${decision.code}`);
    }

    const call: LiveCall = {
      id: newCallId(),
      media,
      caller: { userId: caller.id, deviceId: from.deviceId },
      callee: { userId: callee.id, deviceId: null },
      state: 'ringing',
      createdAt: this.now(),
      answeredAt: null,
    };
    // Between the checks above and here another call may have claimed either party.
    const claim = await this.d.registry.claim(call);
    if (claim === 'caller-in-call') throw new AppError('E_IN_CALL', 'you already have a call in progress');
    if (claim === 'callee-in-call') {
      await this.recordRefused(caller, from, callee, media, 'busy');
      throw new AppError('E_BUSY', `${calleeName} is in a call`);
    }
    try {
      // A timer left behind if the insert fails finds no call: harmless.
      await this.arm(ringTimer(call.id), this.d.timings.ringTimeoutMs, call.id, { type: 'timeout' });
      await this.d.calls.insert({
        id: call.id,
        callerId: caller.id,
        calleeId: callee.id,
        media,
        callerDevice: from.deviceId,
        createdAt: call.createdAt,
      });
    } catch (err) {
      // A call without its ring timer or its history row is not placed: both parties are free again (the
      // caller gets E_INTERNAL).
      await this.d.registry.update(call.id, () => ({ next: null, result: undefined }));
      throw err;
    }
    this.d.metrics.callInvites.inc();
    afterAck(() => {
      this.d.notify.toUsers([callee.id], 'call.incoming', {
        callId: call.id,
        caller: summaryOf(caller),
        media,
        ringTimeoutMs: this.d.timings.ringTimeoutMs,
        ...(this.d.connectWhileRinging ? { preconnect: true } : {}),
      });
      this.d.notify.toDevice(from, 'call.ringing', { callId: call.id, callee: summaryOf(callee) });
    });
    return { callId: call.id };
  }

  accept(by: Device, callId: string): Promise<void> {
    return this.act(callId, { type: 'accept', by, at: this.now() });
  }

  decline(by: Device, callId: string): Promise<void> {
    return this.act(callId, { type: 'decline', by });
  }

  cancel(by: Device, callId: string): Promise<void> {
    return this.act(callId, { type: 'cancel', by });
  }

  /** `reason: 'failed'`: the device found no media path, and the call ends as failed. */
  hangup(by: Device, callId: string, reason?: 'failed'): Promise<void> {
    return this.act(callId, { type: 'hangup', by, failed: reason === 'failed' });
  }

  /**
   * Relays an offer, answer or ICE candidate to the one device the machine names (`relayTarget`), and
   * nowhere else: a callee device's signal goes to the caller with that device's leg (when connecting
   * while ringing is on); the caller's goes to the callee's device without one.
   */
  async relay(from: Device, { callId, signal, leg }: CallSignal): Promise<void> {
    const call = await this.d.registry.get(callId);
    if (!call) throw new AppError('E_CALL_NOT_FOUND', `cannot relay on call ${callId}`);
    const named = leg === undefined ? undefined : { device: await deviceOfLeg(call, leg, this.d.devices) };
    const route = relayTarget(call, { from, named, connectWhileRinging: this.d.connectWhileRinging });
    if ('code' in route) {
      const why =
        route.code === 'E_INVALID' ? 'leg: only the caller names a leg' : `cannot relay on call ${callId}`;
      throw new AppError(route.code, why);
    }
    const stamped = route.stampLeg ? { leg: legOf(callId, from.deviceId) } : {};
    this.d.notify.toDevice(route.to, 'call.signal', { callId, signal, ...stamped });
    this.d.metrics.relayMessages.inc();
  }

  /** The calls a device should know about when it (re)connects. */
  async snapshots(device: Device): Promise<CallSnapshot[]> {
    const calls = await this.d.registry.callsOf(device.userId);
    const snapshots: CallSnapshot[] = [];
    for (const call of calls) {
      const role = call.caller.userId === device.userId ? 'caller' : 'callee';
      const peer = await this.d.users.findById(role === 'caller' ? call.callee.userId : call.caller.userId);
      if (!peer) continue;
      snapshots.push({
        callId: call.id,
        role,
        peer: summaryOf(peer),
        media: call.media,
        state: call.state,
        boundHere: isBound(call, device),
        ...this.earlyFields(call, role, isBound(call, device)),
      });
    }
    return snapshots;
  }

  /** A device dropped: calls it carries get a grace period before they end as connection-lost. */
  async deviceLeft(device: Device): Promise<void> {
    for (const call of await this.d.registry.callsOf(device.userId)) {
      if (!isBound(call, device)) continue;
      await this.arm(graceTimer(call.id, device), this.d.timings.gracePeriodMs, call.id, {
        type: 'connection-lost',
        deviceOf: device,
      });
      this.tellPeer(call, device, false);
    }
  }

  /** A device came back: calls it carries within their grace period go on. */
  async deviceReturned(device: Device): Promise<void> {
    for (const call of await this.d.registry.callsOf(device.userId)) {
      if (await this.timers.clear(graceTimer(call.id, device))) this.tellPeer(call, device, true);
    }
  }

  /**
   * At start: answered calls left in the registry go on, and each bound device has the grace period from
   * now to come back; ringing ones (left by a crash: shutdown ends them) end as interrupted. Returns the
   * ids of the calls that go on.
   */
  async resume(): Promise<string[]> {
    const resumed: string[] = [];
    for (const call of await this.d.registry.all()) {
      if (call.state === 'ringing') {
        await this.endAs(call.id, 'interrupted');
        continue;
      }
      resumed.push(call.id);
      for (const device of this.boundDevices(call)) {
        await this.arm(graceTimer(call.id, device), this.d.timings.gracePeriodMs, call.id, {
          type: 'connection-lost',
          deviceOf: device,
        });
      }
    }
    return resumed;
  }

  /**
   * Server shutdown: ringing calls end as interrupted (nobody could answer them meanwhile); answered
   * calls stay in the registry for the next start, their media being peer-to-peer. Stops all timers.
   * With shared timers other nodes go on: every call stays, and its timers fire there.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    try {
      if (this.sharedTimers) return;
      for (const call of await this.d.registry.all()) {
        if (call.state === 'ringing') await this.endAs(call.id, 'interrupted');
      }
    } finally {
      await this.timers.stop();
    }
  }

  /**
   * A bound device reports that an answered call ended `endedMsAgo` ago while it could not reach the
   * server. A live call ends then, for both; one that already ended is the history's to correct.
   */
  async reportEnd(by: Device, report: CallEndReport): Promise<void> {
    const at = this.now() - report.endedMsAgo;
    const failed = report.reason === 'failed';
    const live = await this.apply(report.callId, { type: 'report', by, failed, at });
    this.d.log.debug({ ...by, callId: report.callId, at, live: live.ok }, 'call end reported');
    if (live.ok) return;
    if (live.code !== 'E_CALL_NOT_FOUND') {
      throw new AppError(live.code, `cannot report the end of call ${report.callId}`);
    }
    // Not live (or not this device's, which its history row says as well): the history row decides.
    await this.d.history.correctEnd(by, report.callId, at, report.reason, this.now());
  }

  /** Ends a call as `reason` whatever its state (start-up and shutdown); a failure is logged. */
  private async endAs(callId: string, reason: CallEndReason): Promise<void> {
    try {
      const removed = await this.d.registry.update(callId, (c) => ({ next: null, result: c }));
      if (removed) await this.finish(removed, reason);
    } catch (err) {
      this.d.log.error({ err, callId }, 'interrupting a call failed'); // the others still end
    }
  }

  /** Applies a user's action; errors go back to that user. */
  private async act(callId: string, action: CallAction): Promise<void> {
    const outcome = await this.apply(callId, action);
    if (!outcome.ok) throw new AppError(outcome.code, `${action.type} refused on call ${callId}`);
  }

  /** Arms a timer that applies `action` to the call; if applying it fails, it is tried again. */
  private arm(name: string, ms: number, callId: string, action: TimerAction): Promise<void> {
    return this.stopped ? Promise.resolve() : this.timers.arm(name, ms, callId, action);
  }

  /** Cancels a timer in the background: one left behind by a failure fires on a call that moved on, harmlessly. */
  private disarm(name: string, callId: string): void {
    this.timers
      .clear(name)
      .catch((err: unknown) => this.d.log.warn({ err, callId }, 'clearing a call timer failed'));
  }

  /** Applies a timer's action; a call that already moved on is simply left alone. */
  private async settle(callId: string, action: TimerAction): Promise<void> {
    if (
      action.type === 'connection-lost' &&
      (await this.d.devices.isConnected(action.deviceOf.userId, action.deviceOf.deviceId))
    ) {
      return; // it came back through another node or just in time
    }
    await this.apply(callId, action);
  }

  private async apply(callId: string, action: CallAction): Promise<Transition> {
    const outcome = await this.d.registry.update(
      callId,
      (call): { next: LiveCall | null | undefined; result: Transition } => {
        const t = transition(call, action);
        return { next: !t.ok ? undefined : t.ended ? null : t.call, result: t };
      },
    );
    if (!outcome) return { ok: false, code: 'E_CALL_NOT_FOUND' };
    if (!outcome.ok) return outcome;
    if (outcome.ended)
      await this.finish(outcome.call, outcome.ended, action.type === 'report' ? action.at : undefined);
    else if (action.type === 'accept') await this.answered(outcome.call, action.by);
    return outcome;
  }

  private async answered(call: LiveCall, by: Device): Promise<void> {
    this.d.metrics.callsAnswered.inc();
    this.disarm(ringTimer(call.id), call.id);
    await this.record({ callId: call.id, step: 'answer' }, () =>
      this.d.calls.markAnswered(call.id, call.answeredAt!, by.deviceId),
    );
    const leg = this.d.connectWhileRinging ? { leg: legOf(call.id, by.deviceId) } : {};
    this.d.notify.toDevice(call.caller, 'call.accepted', { callId: call.id, ...leg });
    this.d.notify.toOtherDevices(by, 'call.ended', { callId: call.id, reason: 'answered-elsewhere' });
    this.d.presence.refreshInBackground(call.caller.userId);
    this.d.presence.refreshInBackground(call.callee.userId);
  }

  /** Ends a call for both parties and in history, at `endedAt` (now unless a device reported the time). */
  private async finish(call: LiveCall, reason: CallEndReason, endedAt = this.now()): Promise<void> {
    this.d.metrics.callsEnded.inc({ reason });
    this.d.log.debug({ callId: call.id, reason, endedAt }, 'call ended');
    this.disarm(ringTimer(call.id), call.id);
    for (const device of this.boundDevices(call)) this.disarm(graceTimer(call.id, device), call.id);
    // Written before anyone hears of the end, so that history asked for afterwards has it.
    const row = await this.record({ callId: call.id, step: 'end', reason }, () =>
      this.d.calls.markEnded(call.id, endedAt, reason, call.answeredAt !== null),
    );

    const ended = { callId: call.id, reason };
    this.d.notify.toDevice(call.caller, 'call.ended', ended);
    if (call.callee.deviceId === null) this.d.notify.toUsers([call.callee.userId], 'call.ended', ended);
    else this.d.notify.toDevice(call.callee, 'call.ended', ended);

    // A row that had ended already (or whose write failed) was announced then (or is closed at the next start).
    if (row) await this.record({ callId: call.id, step: 'announce' }, () => this.d.history.announce(row));
    if (call.state === 'active') {
      this.d.presence.refreshInBackground(call.caller.userId);
      this.d.presence.refreshInBackground(call.callee.userId);
    }
  }

  private async recordRefused(
    caller: UserRow,
    from: Device,
    callee: UserRow,
    media: Media,
    reason: CallEndReason,
  ): Promise<void> {
    this.d.metrics.callsEnded.inc({ reason });
    const id = newCallId();
    const at = this.now();
    await this.record({ callId: id, step: 'refusal', reason }, async () => {
      await this.d.calls.insert({
        id,
        callerId: caller.id,
        calleeId: callee.id,
        media,
        callerDevice: from.deviceId,
        createdAt: at,
      });
      const ended = await this.d.calls.markEnded(id, at, reason, false);
      if (ended) await this.d.history.announce(ended);
    });
  }

  /**
   * Runs one history write or push of a call and returns what it returned; a failure is logged (and
   * returns undefined), and the call goes on regardless.
   */
  private async record<T>(
    fields: { callId: string; step: string; reason?: CallEndReason },
    write: () => Promise<T>,
  ): Promise<T | undefined> {
    try {
      return await write();
    } catch (err) {
      this.d.log.error({ err, ...fields }, 'recording a call failed');
      return undefined;
    }
  }

  /**
   * What a snapshot says about connecting while it rings, when that is on: a ringing callee device may
   * (`preconnect`, as in `call.incoming`); the caller's device of an answered call gets the answering leg
   * (as in `call.accepted`, which it may have missed).
   */
  private earlyFields(call: LiveCall, role: 'caller' | 'callee', boundHere: boolean): Partial<CallSnapshot> {
    if (!this.d.connectWhileRinging) return {};
    if (role === 'callee' && call.state === 'ringing') return { preconnect: true };
    if (role === 'caller' && boundHere && call.callee.deviceId !== null)
      return { leg: legOf(call.id, call.callee.deviceId) };
    return {};
  }

  private boundDevices(call: LiveCall): Device[] {
    return call.callee.deviceId === null ? [call.caller] : [call.caller, call.callee];
  }

  /** Tells the other bound device that this one dropped or came back (active calls only). */
  private tellPeer(call: LiveCall, device: Device, connected: boolean): void {
    if (call.state !== 'active') return;
    const peer = this.boundDevices(call).find((d) => !sameDevice(d, device));
    if (peer) this.d.notify.toDevice(peer, 'call.peer', { callId: call.id, connected });
  }
}
