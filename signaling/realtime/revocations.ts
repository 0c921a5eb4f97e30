/**
 * Closes the open connections of ended sessions, without waiting for the client to send anything.
 * Logout, `users disable` (another process) and the expiry sweep append to the revocation log in the
 * database; every server reads it by id a few times a second and acts on its own connections only, so
 * the same works with several server nodes sharing one database. A node that ended a session itself
 * (a logout) also tells the other nodes through the Redis adapter, when there is one, so they read the
 * log at once rather than at their next poll.
 *
 * A revoked connection first leaves its calls as if its person had hung up (the other party is told at
 * once and history records it), then gets `session.revoked { reason }`, then is disconnected. The same
 * timer loop runs session upkeep: keeping connected sessions alive and sweeping expired ones.
 */
import type { Sessions } from '../accounts/sessions.js';
import type { CallService } from '../calls/service.js';
import type { Revocation } from '../db/revocations.js';
import { AppError } from '../errors.js';
import type { Logger } from '../log.js';
import { deviceOf, type ParleyServer, type ParleySocket } from './types.js';

export interface RevocationTimings {
  /** How often the log is read. */
  pollMs: number;
  /** How often sessions are kept alive and expired ones swept. */
  sweepMs: number;
}

export const DEFAULT_REVOCATION_TIMINGS: RevocationTimings = { pollMs: 250, sweepMs: 60_000 };

const BATCH = 200;

export class RevocationWatch {
  private lastId = 0;
  /** The poll running or queued last; polls never overlap (the first waits for `lastId`). */
  private running: Promise<void>;
  /** A poll queued but not started yet, which any new caller can share. */
  private queued: Promise<void> | undefined;
  private stopped = false;
  private readonly timers: NodeJS.Timeout[];

  constructor(
    private readonly io: ParleyServer,
    private readonly sessions: Sessions,
    private readonly calls: CallService,
    private readonly log: Logger,
    timings: RevocationTimings,
    /** Whether other nodes share the rooms (the Redis adapter) and hear `revokedHere`. */
    private readonly clustered = false,
  ) {
    if (clustered) this.io.on('sessions.revoked', () => void this.pollNow());
    // Older revocations concern sessions that are gone already: nobody can connect with them.
    this.running = sessions.lastRevocationId().then(
      (id) => void (this.lastId = id),
      (err: unknown) => this.log.error({ err }, 'reading the last session revocation failed'),
    );
    this.timers = [
      setInterval(() => void this.pollNow(), timings.pollMs).unref(),
      setInterval(() => void this.sweep(), timings.sweepMs).unref(),
    ];
  }

  /** Applies every revocation appended before this call; resolves when done. */
  pollNow(): Promise<void> {
    if (!this.queued) {
      this.queued = this.running.then(async () => {
        this.queued = undefined;
        if (this.stopped) return;
        try {
          await this.poll();
        } catch (err) {
          this.log.error({ err }, 'applying session revocations failed');
        }
      });
      this.running = this.queued;
    }
    return this.queued;
  }

  /** A session was ended on this node: every node applies it now. */
  revokedHere(): Promise<void> {
    if (this.clustered) this.io.serverSideEmit('sessions.revoked');
    return this.pollNow();
  }

  /** Stops the timers and waits for a poll in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearInterval(timer);
    await this.running;
  }

  private async sweep(): Promise<void> {
    if (this.stopped) return;
    try {
      const connected = new Set(this.localSockets().map((s) => s.data.tokenHashHex));
      await this.sessions.keepAlive(connected);
      const expired = await this.sessions.sweep();
      if (expired > 0) this.log.info({ sessions: expired }, 'expired sessions ended');
    } catch (err) {
      this.log.error({ err }, 'session sweep failed');
    }
    await this.pollNow();
  }

  private async poll(): Promise<void> {
    for (;;) {
      const batch = await this.sessions.revokedAfter(this.lastId, BATCH);
      for (const revocation of batch) {
        this.lastId = revocation.id;
        await this.apply(revocation);
      }
      if (batch.length < BATCH) return;
    }
  }

  private async apply(revocation: Revocation): Promise<void> {
    const tokenHashHex = revocation.tokenHash?.toString('hex');
    const sockets = this.localSockets().filter((s) =>
      tokenHashHex === undefined ? s.data.userId === revocation.userId : s.data.tokenHashHex === tokenHashHex,
    );
    if (sockets.length === 0) return;
    for (const socket of sockets) {
      // A call that cannot be ended cleanly ends by the grace timer instead: the connection closes regardless.
      await this.leaveCalls(socket, revocation).catch((err: unknown) =>
        this.log.error({ err }, 'ending the calls of a revoked connection failed'),
      );
    }
    for (const socket of sockets) {
      socket.emit('session.revoked', { reason: revocation.reason });
      socket.disconnect(true);
    }
    this.log.info(
      { userId: revocation.userId, reason: revocation.reason, connections: sockets.length },
      'session revoked: connections closed',
    );
  }

  /**
   * The calls of a revoked device end as if it hung up: an active call it carries `completed`, its own
   * call still ringing `cancelled`. A disabled account's devices also decline calls ringing for it
   * (nobody can answer them any more); a single ended session leaves those to the user's other devices.
   */
  private async leaveCalls(socket: ParleySocket, revocation: Revocation): Promise<void> {
    const device = deviceOf(socket);
    for (const call of await this.calls.snapshots(device)) {
      const ringingForUser = call.role === 'callee' && call.state === 'ringing';
      const leave = call.boundHere
        ? this.calls.hangup(device, call.callId)
        : ringingForUser && revocation.reason === 'disabled'
          ? this.calls.decline(device, call.callId)
          : undefined;
      await leave?.catch((err: unknown) => {
        if (!(err instanceof AppError)) throw err; // AppError: it ended meanwhile, or another device declined it
      });
    }
  }

  private localSockets(): ParleySocket[] {
    return [...this.io.sockets.sockets.values()];
  }
}
