/**
 * The account on this device: who is signed in, where, how the connection to the server is doing, and
 * their own presence and do-not-disturb. The store the sign-in form and the header read, and the only code
 * that changes it: signing up, in and out, the connection's status, and the server's presence pushes.
 */
import { storeHook } from '../app/context.js';
import type { Presence, RegisterRequest, SessionGrant, UserSummary } from '../../signaling/protocol/index.js';
import { normaliseServerUrl, RequestError, type api } from '../net/api.js';
import type { ConnectionStatus, SignalingClient } from '../net/signaling-client.js';
import type { Platform } from '../platform/platform.js';
import { errorWords, failureWords } from '../ui/error-words.js';
import { createStore, type ReadableStore } from '../util/store.js';
import type { Notices } from './notices.js';

export interface SessionState {
  phase: 'signed-out' | 'signing-in' | 'signed-in';
  serverUrl: string;
  user: UserSummary | null;
  connection: ConnectionStatus;
  presence: Presence;
  dnd: boolean;
  /** A words-ready error for the sign-in form. */
  error: string | null;
}

export interface SessionDeps {
  signaling: Pick<SignalingClient, 'on' | 'request' | 'connect' | 'disconnect'>;
  /** The server's HTTP account endpoints. */
  accounts: Pick<typeof api, 'register' | 'signIn' | 'signOut'>;
  platform: Pick<Platform, 'storage' | 'session' | 'deviceId' | 'newDeviceId'>;
  notices: Pick<Notices, 'add'>;
  /** Reports this device away after a while without input, while signed in. */
  idle: { start(): void; stop(): void };
  /** Ends the call this device carries (signing out, or this copy was replaced by another). */
  endCall: () => Promise<void>;
  /** Signed out: the other domains forget the account's data. */
  forget: () => void;
}

const KEYS = { server: 'parley.serverUrl' } as const;

const SIGNED_OUT = {
  phase: 'signed-out',
  user: null,
  presence: 'offline',
  error: null,
} as const satisfies Partial<SessionState>;

export class Session {
  private readonly store = createStore<SessionState>()(() => ({
    ...SIGNED_OUT,
    connection: 'disconnected',
    serverUrl: '',
    dnd: false,
  }));
  readonly state: ReadableStore<SessionState> = this.store;

  constructor(private readonly d: SessionDeps) {
    const { signaling } = d;
    // The connection's status has one source, the signaling client, and this is its only setter.
    signaling.on('status', ({ status, error }) => {
      this.store.setState({ connection: status });
      if (error?.code === 'E_UNAUTHORIZED') {
        void this.signOut().then(() => this.store.setState({ error: errorWords('E_UNAUTHORIZED') }));
      } else if (error) {
        // Replaced by the same device elsewhere: this copy stops, and so does any call it was carrying.
        d.notices.add(errorWords(error.code));
        void d.endCall();
      }
    });
    signaling.on('session.ready', ({ user, presence, dnd }) => {
      this.store.setState({ phase: 'signed-in', user, presence, dnd, error: null });
      d.idle.start();
    });
    signaling.on('presence.self', ({ presence, dnd }) => this.store.setState({ presence, dnd }));
  }

  /** Restores the remembered server and session, if any. */
  start(defaultServerUrl: string): void {
    const serverUrl = this.d.platform.storage.get(KEYS.server) ?? defaultServerUrl;
    this.store.setState({ serverUrl });
    void this.d.platform.session.load().then((token) => {
      // Unless the person signed in meanwhile (the desktop app asks main, which takes a moment).
      if (token && this.store.getState().phase === 'signed-out') this.connect(serverUrl, token);
    });
  }

  register(serverUrl: string, req: RegisterRequest): Promise<void> {
    return this.authenticate(serverUrl, (url) => this.d.accounts.register(url, req));
  }

  signIn(serverUrl: string, username: string, password: string): Promise<void> {
    return this.authenticate(serverUrl, (url) => this.d.accounts.signIn(url, username, password));
  }

  async signOut(): Promise<void> {
    const { platform, signaling } = this.d;
    await this.d.endCall();
    const token = await platform.session.load();
    await platform.session.clear();
    signaling.disconnect();
    this.d.idle.stop();
    if (token) await this.d.accounts.signOut(this.store.getState().serverUrl, token).catch(() => undefined);
    this.store.setState(SIGNED_OUT);
    this.d.forget();
  }

  /** Do not disturb on or off; the words of a refusal, or null. */
  async setDnd(dnd: boolean): Promise<string | null> {
    const result = await this.d.signaling.request('presence.update', { dnd });
    if (result.ok) this.store.setState({ dnd: result.dnd, presence: result.presence });
    return failureWords(result);
  }

  private async authenticate(
    serverInput: string,
    obtain: (url: string) => Promise<SessionGrant>,
  ): Promise<void> {
    let serverUrl: string;
    try {
      serverUrl = normaliseServerUrl(serverInput);
    } catch {
      this.store.setState({ error: 'That server address does not look right.' });
      return;
    }
    this.store.setState({ phase: 'signing-in', error: null, serverUrl });
    try {
      const grant = await obtain(serverUrl);
      this.d.platform.storage.set(KEYS.server, serverUrl);
      void this.d.platform.session.save(grant.token);
      this.connect(serverUrl, grant.token);
    } catch (err) {
      const code = err instanceof RequestError ? err.code : 'E_NETWORK';
      this.store.setState({ phase: 'signed-out', error: errorWords(code) });
    }
  }

  private connect(serverUrl: string, token: string): void {
    const { platform } = this.d;
    this.store.setState({ phase: 'signing-in', serverUrl });
    this.d.signaling.connect(serverUrl, token, platform.deviceId(), () => platform.newDeviceId());
  }
}

export const useSession = storeHook((app) => app.session.state);
