/**
 * The restart phase's clients in a load worker (`--restart`, bench/README.md): one SignalingClient per
 * account, Parley's own client with its reconnect schedule, as the app connects. After the mark (just
 * before the SIGTERM) each records when it was back (`session.ready`, or its connect for the bare server)
 * and when its view of its contacts' presence last became right: every contact online, in the contact
 * list of its latest `session.ready` updated by each `presence.changed` (or `presence.batch`) heard
 * since. (Every account of the run is connected and none is away in this phase, so online is right for
 * every contact.)
 */
import { SignalingClient } from '../../renderer/net/signaling-client.js';
import type { PresenceChanged } from '../../signaling/protocol/index.js';
import type { Account, ErrorCounts, WorkerReport } from './messages.js';
import { monotonicMs } from './proc.js';

interface RestartClient {
  client: SignalingClient;
  /** Each contact's presence as this client knows it (username -> presence). */
  presence: Map<string, string>;
  /** How many of those are not online. */
  notOnline: number;
  backAt: number;
  settledAt: number;
}

export class RestartClients {
  private readonly clients: RestartClient[] = [];
  private markedAt = Infinity;
  private markedAtWall = Infinity;

  /** Connects one client per account, `concurrency` at a time, each until it is back (or stopped). */
  async connect(
    accounts: Account[],
    url: string,
    concurrency: number,
    backOn: 'session.ready' | 'connect',
  ): Promise<Extract<WorkerReport, { type: 'restart-connected' }>> {
    const errors: ErrorCounts = {};
    let connected = 0;
    let next = 0;
    const lane = async () => {
      while (next < accounts.length) {
        const error = await this.connectOne(accounts[next++]!, url, backOn);
        if (error === undefined) connected++;
        else errors[error] = (errors[error] ?? 0) + 1;
      }
    };
    await Promise.all(Array.from({ length: concurrency }, lane));
    return { type: 'restart-connected', connected, errors };
  }

  private connectOne(
    account: Account,
    url: string,
    backOn: 'session.ready' | 'connect',
  ): Promise<string | undefined> {
    const entry: RestartClient = {
      client: new SignalingClient(),
      presence: new Map(),
      notOnline: 0,
      backAt: NaN,
      settledAt: NaN,
    };
    this.clients.push(entry);
    const { client } = entry;
    const back = () => {
      if (monotonicMs() > this.markedAt && Number.isNaN(entry.backAt)) entry.backAt = monotonicMs();
    };
    client.on('session.ready', ({ contacts }) => {
      entry.presence = new Map(contacts.map((c) => [c.username, c.presence]));
      entry.notOnline = contacts.filter((c) => c.presence !== 'online').length;
      if (backOn === 'session.ready') back();
      this.judge(entry);
    });
    const heard = ({ username, presence }: PresenceChanged) => {
      const was = entry.presence.get(username);
      if (was === undefined) return;
      entry.presence.set(username, presence);
      entry.notOnline += Number(presence !== 'online') - Number(was !== 'online');
    };
    client.on('presence.changed', (change) => {
      heard(change);
      this.judge(entry);
    });
    client.on('presence.batch', ({ changes }) => {
      changes.forEach(heard);
      this.judge(entry);
    });
    if (backOn === 'connect') client.on('status', ({ status }) => status === 'connected' && back());
    const deviceId = `bench-${account.index.toString().padStart(8, '0')}`;
    client.connect(url, account.token, deviceId, () => deviceId);
    return new Promise((resolve) => {
      const done = (error: string | undefined) => {
        offs.forEach((off) => off());
        resolve(error);
      };
      const offs = [
        client.on('session.ready', () => backOn === 'session.ready' && done(undefined)),
        client.on('status', ({ status, error }) => {
          if (error) done(error.code);
          else if (status === 'connected' && backOn === 'connect') done(undefined);
        }),
      ];
    });
  }

  /** After the client is back: settled when its view is right, unsettled again if it goes wrong. */
  private judge(entry: RestartClient): void {
    if (Number.isNaN(entry.backAt)) return;
    if (entry.notOnline > 0) entry.settledAt = NaN;
    else if (Number.isNaN(entry.settledAt)) entry.settledAt = monotonicMs();
  }

  mark(): void {
    this.markedAt = monotonicMs();
    this.markedAtWall = Date.now();
    for (const entry of this.clients) entry.backAt = entry.settledAt = NaN;
  }

  report(withHappenings: boolean): Extract<WorkerReport, { type: 'restart-reported' }> {
    const happenings: ErrorCounts = {};
    if (withHappenings)
      for (const { client } of this.clients)
        for (const { at, what } of client.happenings())
          if (at >= this.markedAtWall && (what.startsWith('attempt') || what.startsWith('disconnected')))
            happenings[what] = (happenings[what] ?? 0) + 1;
    return {
      type: 'restart-reported',
      backAt: Float64Array.from(this.clients, (c) => c.backAt),
      settledAt: Float64Array.from(this.clients, (c) => c.settledAt),
      happenings,
    };
  }

  close(): void {
    for (const { client } of this.clients) client.disconnect();
    this.clients.length = 0;
  }
}
