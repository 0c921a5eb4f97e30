/**
 * The app's side effects in one place: it connects the signaling client,
 * the call engine, the tones and the platform to the stores, and offers the
 * actions the UI calls. React components only read stores and call these.
 */
import type { RegisterRequest, SessionGrant } from '../../signaling/protocol/index.js';
import { Ringer } from '../audio/ringer.js';
import { AudioTones, type Tones } from '../audio/tones.js';
import { CallEngine } from '../call/engine.js';
import { browserDevices } from '../call/media.js';
import { api, normaliseServerUrl, RequestError } from '../net/api.js';
import { SignalingClient } from '../net/signaling-client.js';
import type { Platform } from '../platform/platform.js';
import { errorWords, failureWords } from '../ui/error-words.js';
import { Calls, ringingCall } from '../state/call.js';
import { Contacts } from '../state/contacts.js';
import { Devices } from '../state/devices.js';
import { History, recentCalls } from '../state/history.js';
import { useSession } from '../state/session.js';
import { Notices } from '../state/notices.js';
import { View } from '../state/view.js';
import { IdleWatcher } from './idle.js';

const KEYS = { server: 'parley.serverUrl' } as const;

export class ParleyApp {
  readonly client = new SignalingClient();
  readonly engine: CallEngine;
  readonly notices = new Notices();
  readonly contacts: Contacts;
  readonly history: History;
  readonly view: View;
  readonly devices: Devices;
  readonly calls: Calls;
  readonly ringer: Ringer;
  private readonly idle = new IdleWatcher((away) => void this.client.request('presence.update', { away }));

  constructor(
    readonly platform: Platform,
    readonly tones: Tones = new AudioTones(),
  ) {
    this.engine = new CallEngine(this.client, () => this.devices.state.getState().prefs);
    this.contacts = new Contacts(this.client);
    this.history = new History(this.client, platform);
    this.view = new View((tab) => tab === 'history' && void this.history.markSeen());
    this.devices = new Devices({
      platform,
      signaling: this.client,
      access: browserDevices,
      engine: this.engine,
      notices: this.notices,
    });
    this.calls = new Calls({ engine: this.engine, contacts: this.contacts, notices: this.notices });
    this.ringer = new Ringer(this.tones, this.calls.state, this.devices.state);
    this.bindServer();
    this.bindShell();
    this.platform.onReconnectHint(() => this.client.reconnectNow());
    platform.onAction((action) => {
      // A notification or tray menu may be older than the call ringing now: act only on the call it named.
      const forThisCall = 'callId' in action && action.callId === this.calls.callId;
      if (action.type === 'accept') {
        if (forThisCall) void this.calls.accept(action.media);
      } else if (action.type === 'decline') {
        if (forThisCall) void this.calls.decline();
      } else if (action.type === 'hangup') void this.calls.hangup();
      else if (action.type === 'toggle-mute') this.calls.toggleMute();
      else if (action.type === 'call') void this.calls.call(action.username, action.media);
      else if (action.type === 'confirm-call') this.calls.askToCall(action.username, action.media);
      else if (action.type === 'open-history') this.view.open('history');
      else if (action.type === 'set-status') void this.setDnd(action.dnd);
    });
  }

  /** Restores the remembered server and session, if any. */
  start(defaultServerUrl: string): void {
    const serverUrl = this.platform.storage.get(KEYS.server) ?? defaultServerUrl;
    useSession.setState({ serverUrl });
    void this.platform.session.load().then((token) => {
      // Unless the person signed in meanwhile (the desktop app asks main, which takes a moment).
      if (token && useSession.getState().phase === 'signed-out') this.connect(serverUrl, token);
    });
  }

  // ---- accounts -------------------------------------------------------------------------------

  register(serverUrl: string, req: RegisterRequest): Promise<void> {
    return this.authenticate(serverUrl, (url) => api.register(url, req));
  }

  signIn(serverUrl: string, username: string, password: string): Promise<void> {
    return this.authenticate(serverUrl, (url) => api.signIn(url, username, password));
  }

  async signOut(): Promise<void> {
    await this.calls.hangup();
    const token = await this.platform.session.load();
    await this.platform.session.clear();
    this.client.disconnect();
    this.idle.stop();
    if (token) await api.signOut(useSession.getState().serverUrl, token).catch(() => undefined);
    useSession.setState({
      phase: 'signed-out',
      user: null,
      connection: 'disconnected',
      presence: 'offline',
      error: null,
    });
    this.contacts.clear();
    this.history.clear();
    this.calls.cancelLinkCall();
    // The tray must not go on showing the account that signed out.
    this.platform.reportRecentCalls([]);
  }

  // ---- presence and contacts ------------------------------------------------------------------

  async setDnd(dnd: boolean): Promise<string | null> {
    const result = await this.client.request('presence.update', { dnd });
    if (result.ok) useSession.setState({ dnd: result.dnd, presence: result.presence });
    return failureWords(result);
  }

  // ---- wiring ---------------------------------------------------------------------------------

  private async authenticate(
    serverInput: string,
    obtain: (url: string) => Promise<SessionGrant>,
  ): Promise<void> {
    let serverUrl: string;
    try {
      serverUrl = normaliseServerUrl(serverInput);
    } catch {
      useSession.setState({ error: 'That server address does not look right.' });
      return;
    }
    useSession.setState({ phase: 'signing-in', error: null, serverUrl });
    try {
      const grant = await obtain(serverUrl);
      this.platform.storage.set(KEYS.server, serverUrl);
      void this.platform.session.save(grant.token);
      this.connect(serverUrl, grant.token);
    } catch (err) {
      const code = err instanceof RequestError ? err.code : 'E_NETWORK';
      useSession.setState({ phase: 'signed-out', error: errorWords(code) });
    }
  }

  private connect(serverUrl: string, token: string): void {
    useSession.setState({ phase: 'signing-in', serverUrl });
    this.client.connect(serverUrl, token, this.platform.deviceId(), () => this.platform.newDeviceId());
  }

  private reportShell(): void {
    const call = this.calls.state.getState().call;
    this.platform.reportState({
      presence: useSession.getState().presence,
      call: !call ? 'idle' : call.phase === 'incoming' ? 'ringing' : 'in-call',
      muted: call?.muted ?? false,
      unseenMissedCalls: this.history.state.getState().unseenMissedCalls,
    });
  }

  private bindServer(): void {
    const c = this.client;
    c.on('status', ({ status, error }) => {
      useSession.setState({ connection: status });
      if (error?.code === 'E_UNAUTHORIZED') {
        void this.signOut().then(() => useSession.setState({ error: errorWords('E_UNAUTHORIZED') }));
      } else if (error) {
        // Replaced by the same device elsewhere: this copy stops, and so does any call it was carrying.
        this.notices.add(errorWords(error.code));
        void this.calls.hangup();
      }
    });
    c.on('session.ready', (ready) => {
      useSession.setState({
        phase: 'signed-in',
        user: ready.user,
        presence: ready.presence,
        dnd: ready.dnd,
        error: null,
      });
      this.idle.start();
    });
    c.on('presence.self', ({ presence, dnd }) => {
      useSession.setState({ presence, dnd });
      this.reportShell();
    });
    c.on('history.entry', () =>
      this.platform.reportRecentCalls(recentCalls(this.history.state.getState().entries)),
    );
    // The badge and the tray's count follow the missed calls.
    this.history.state.subscribe(({ unseenMissedCalls }, before) => {
      if (unseenMissedCalls === before.unseenMissedCalls) return;
      this.platform.setBadge(unseenMissedCalls);
      this.reportShell();
    });
    c.on('server.shutdown', () => this.notices.add(errorWords('E_SHUTTING_DOWN')));
    c.on('malformed-message', ({ event, problem }) => {
      console.warn(`ignored malformed ${event}: ${problem}`);
      this.notices.add(errorWords('E_MALFORMED'));
    });
  }

  /** The incoming-call window (or notification) and the tray follow the call. */
  private bindShell(): void {
    let shown: string | null = null;
    this.calls.state.subscribe((state, before) => {
      if (state.call === before.call) return;
      const ringing = ringingCall(state);
      if (ringing && ringing.callId !== shown) this.platform.showIncomingCall(ringing);
      if (!ringing && shown) this.platform.hideIncomingCall(shown);
      shown = ringing?.callId ?? null;
      this.reportShell();
    });
  }
}
