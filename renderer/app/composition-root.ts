/**
 * The call app's composition root: builds the signaling client, the call engine and the domains
 * (state/), and connects them to each other and to the platform. It owns no state and offers no actions
 * of its own: React components read the domains' stores and call the domains' actions (`app.calls.call`).
 */
import { MediaSessionLink, type CallMediaSession } from './media-session.js';
import { Ringer } from './ringer.js';
import { AudioTones, type Tones } from '../audio/tones.js';
import { CallEngine } from '../call/engine.js';
import { browserDevices } from '../call/media.js';
import { api } from '../net/api.js';
import { SignalingClient } from '../net/signaling-client.js';
import type { Platform } from '../platform/platform.js';
import { Calls } from '../state/call.js';
import { Contacts } from '../state/contacts.js';
import { Devices } from '../state/devices.js';
import { Headset, type HeadsetAccess } from '../state/headset.js';
import { History } from '../state/history.js';
import { Notices } from '../state/notices.js';
import { Session } from '../state/session.js';
import { View } from '../state/view.js';
import { errorWords } from '../ui/error-words.js';
import { IdleWatcher } from './idle.js';
import { linkShell } from './shell-link.js';

export class ParleyApp {
  readonly client = new SignalingClient();
  readonly engine: CallEngine;
  readonly notices = new Notices();
  readonly session: Session;
  readonly contacts: Contacts;
  readonly history: History;
  readonly view: View;
  readonly devices: Devices;
  readonly calls: Calls;
  readonly ringer: Ringer;
  readonly headset: Headset;

  constructor(
    readonly platform: Platform,
    readonly tones: Tones = new AudioTones(),
  ) {
    const { client, notices } = this;
    this.engine = new CallEngine(client, () => this.devices.state.getState().prefs, platform.storage);
    this.contacts = new Contacts(client);
    this.history = new History(client, platform);
    this.view = new View((tab) => tab === 'history' && void this.history.markSeen());
    this.devices = new Devices({
      platform,
      signaling: client,
      access: browserDevices,
      engine: this.engine,
      notices,
    });
    this.calls = new Calls({ engine: this.engine, contacts: this.contacts, notices });
    this.ringer = new Ringer(tones, this.calls.state, this.devices.state);
    const mediaSession = globalThis.navigator?.mediaSession as CallMediaSession | undefined;
    if (mediaSession) new MediaSessionLink(mediaSession, this.calls);
    const hid = (globalThis.navigator as { hid?: HeadsetAccess } | undefined)?.hid ?? null;
    this.headset = new Headset(hid, this.calls, this.devices);
    this.session = new Session({
      signaling: client,
      accounts: api,
      platform,
      notices,
      idle: new IdleWatcher((away) => void client.request('presence.update', { away })),
      endCall: () => this.calls.hangup(),
      forget: () => {
        this.contacts.clear();
        this.history.clear();
        this.calls.cancelLinkCall();
        // The tray must not go on showing the account that signed out.
        platform.reportRecentCalls([]);
      },
    });
    linkShell({
      platform,
      signaling: client,
      session: this.session,
      calls: this.calls,
      history: this.history,
      view: this.view,
    });
    platform.onReconnectHint(() => client.reconnectNow());
    client.on('server.shutdown', () => notices.add(errorWords('E_SHUTTING_DOWN')));
    client.on('malformed-message', ({ event, problem }) => {
      console.warn(`ignored malformed ${event}: ${problem}`);
      notices.add(errorWords('E_MALFORMED'));
    });
  }
}
