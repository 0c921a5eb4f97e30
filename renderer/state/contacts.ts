/**
 * Contacts and pending requests with live presence: the store the contact list reads, and the only code
 * that changes it (the person's requests and answers, and the server's pushes).
 */
import { storeHook } from '../app/context.js';
import type { Contact, PresenceChanged, UserSummary } from '../../signaling/protocol/index.js';
import type { SignalingClient } from '../net/signaling-client.js';
import { failureWords } from '../ui/error-words.js';
import { createStore, type ReadableStore } from '../util/store.js';

export interface ContactsState {
  /** Sorted by display name, then username. */
  contacts: Contact[];
  search: string;
  /** The username of the request just sent from Add contact, until it is answered, withdrawn or dismissed. */
  sentTo: string | null;
}

const byName = (a: Contact, b: Contact) =>
  a.displayName.localeCompare(b.displayName, undefined, { sensitivity: 'base' }) ||
  a.username.localeCompare(b.username);

export class Contacts {
  private readonly store = createStore<ContactsState>()(() => ({ contacts: [], search: '', sentTo: null }));
  readonly state: ReadableStore<ContactsState> = this.store;

  constructor(private readonly signaling: Pick<SignalingClient, 'on' | 'request'>) {
    signaling.on('session.ready', ({ contacts }) =>
      this.store.setState({ contacts: [...contacts].sort(byName) }),
    );
    signaling.on('contact.updated', ({ contact }) =>
      this.store.setState((s) => ({
        contacts: [...s.contacts.filter((c) => c.username !== contact.username), contact].sort(byName),
        sentTo: s.sentTo === contact.username && contact.state !== 'outgoing' ? null : s.sentTo,
      })),
    );
    signaling.on('contact.removed', ({ username }) =>
      this.store.setState((s) => ({
        contacts: s.contacts.filter((c) => c.username !== username),
        sentTo: s.sentTo === username ? null : s.sentTo,
      })),
    );
    signaling.on('presence.changed', (change) => this.applyPresence([change]));
    signaling.on('presence.batch', ({ changes }) => this.applyPresence(changes));
  }

  /** Accepted contacts' new presence: one update of the list however many changed. */
  private applyPresence(changes: readonly PresenceChanged[]): void {
    const presenceOf = new Map(changes.map((change) => [change.username, change.presence]));
    this.store.setState((s) => ({
      contacts: s.contacts.map((c) => {
        const presence = c.state === 'accepted' ? presenceOf.get(c.username) : undefined;
        return presence ? { ...c, presence } : c;
      }),
    }));
  }

  /**
   * Asks `username` to become a contact; the words of a refusal, or null. A request that waits for an
   * answer is `sentTo` until it is answered (a request to someone who had asked us is answered at once).
   */
  async request(username: string): Promise<string | null> {
    const result = await this.signaling.request('contacts.request', {
      username: username.trim().toLowerCase(),
    });
    if (result.ok)
      this.store.setState({ sentTo: result.contact.state === 'outgoing' ? result.contact.username : null });
    return failureWords(result);
  }

  /** The person moved on (started typing another name). */
  dismissSent(): void {
    this.store.setState({ sentTo: null });
  }

  async accept(username: string): Promise<string | null> {
    return failureWords(await this.signaling.request('contacts.accept', { username }));
  }

  async decline(username: string): Promise<string | null> {
    return failureWords(await this.signaling.request('contacts.decline', { username }));
  }

  async remove(username: string): Promise<string | null> {
    return failureWords(await this.signaling.request('contacts.remove', { username }));
  }

  setSearch(search: string): void {
    this.store.setState({ search });
  }

  /** Signed out: nobody's contacts are shown. */
  clear(): void {
    this.store.setState({ contacts: [], sentTo: null });
  }

  /** Someone as the contact list knows them, or by username alone (a link may name a stranger). */
  person(username: string): UserSummary {
    const contact = this.store.getState().contacts.find((c) => c.username === username);
    return contact ? { username, displayName: contact.displayName } : { username, displayName: username };
  }
}

export const useContacts = storeHook((app) => app.contacts.state);

/** Contacts whose name or username contains the search text. */
export function filterContacts(contacts: readonly Contact[], search: string): Contact[] {
  const q = search.trim().toLowerCase();
  if (!q) return [...contacts];
  return contacts.filter((c) => c.displayName.toLowerCase().includes(q) || c.username.includes(q));
}
