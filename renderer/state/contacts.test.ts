// The contacts domain against a fake server (test-support/fake-signaling.ts): what the contact list shows
// after the server's pushes, and what the person's requests send and say.
import { beforeEach, describe, expect, it } from 'vitest';
import type { Contact } from '../../signaling/protocol/index.js';
import { FakeSignaling, sessionReady } from '../test-support/fake-signaling.js';
import { errorWords } from '../ui/error-words.js';
import { Contacts, filterContacts } from './contacts.js';

const contact = (username: string, displayName: string, state: Contact['state'] = 'accepted'): Contact => ({
  username,
  displayName,
  state,
  presence: 'offline',
});

let server: FakeSignaling;
let contacts: Contacts;
const shown = () => contacts.state.getState().contacts;

beforeEach(() => {
  server = new FakeSignaling();
  contacts = new Contacts(server);
});

describe('what the server pushes', () => {
  it('keeps contacts sorted by display name and replaces by username', () => {
    server.push('session.ready', sessionReady({ contacts: [contact('zed', 'Zed'), contact('amy', 'amy')] }));
    server.push('contact.updated', { contact: contact('bob', 'Bob') });
    server.push('contact.updated', { contact: contact('zed', 'Aaron Zed') });
    expect(shown().map((c) => c.username)).toEqual(['zed', 'amy', 'bob']);
  });

  it('applies presence to accepted contacts only', () => {
    server.push(
      'session.ready',
      sessionReady({ contacts: [contact('amy', 'Amy'), contact('pat', 'Pat', 'incoming')] }),
    );
    server.push('presence.changed', { username: 'amy', presence: 'busy' });
    server.push('presence.changed', { username: 'pat', presence: 'online' });
    expect(shown().map((c) => c.presence)).toEqual(['busy', 'offline']);
  });

  it('applies a batch of presence changes in one update, accepted contacts only', () => {
    server.push(
      'session.ready',
      sessionReady({
        contacts: [contact('amy', 'Amy'), contact('bob', 'Bob'), contact('pat', 'Pat', 'outgoing')],
      }),
    );
    let updates = 0;
    contacts.state.subscribe(() => updates++);
    server.push('presence.batch', {
      changes: [
        { username: 'amy', presence: 'online' },
        { username: 'pat', presence: 'online' },
        { username: 'bob', presence: 'away' },
      ],
    });
    expect(shown().map((c) => c.presence)).toEqual(['online', 'away', 'offline']);
    expect(updates).toBe(1);
  });

  it('drops a removed contact, and a new session.ready replaces the whole list', () => {
    server.push('session.ready', sessionReady({ contacts: [contact('amy', 'Amy'), contact('bob', 'Bob')] }));
    server.push('contact.removed', { username: 'amy' });
    expect(shown().map((c) => c.username)).toEqual(['bob']);
    server.push('session.ready', sessionReady({ contacts: [contact('cat', 'Cat')] }));
    expect(shown().map((c) => c.username)).toEqual(['cat']);
  });
});

describe('what the person does', () => {
  it('sends a request for the username as typed, trimmed and lower-cased; null when it went', async () => {
    server.answer('contacts.request', ({ username }) => ({
      ok: true,
      contact: { username, displayName: 'Bob', state: 'outgoing', presence: 'offline' },
    }));
    expect(await contacts.request('  Bob ')).toBeNull();
    expect(server.sentOf('contacts.request')).toEqual([{ username: 'bob' }]);
  });

  it('says why a request, accept, decline or remove was refused', async () => {
    server.answer('contacts.request', () => ({ ok: false, error: { code: 'E_NOT_FOUND', message: 'x' } }));
    server.answer('contacts.accept', () => ({ ok: false, error: { code: 'E_NO_REQUEST', message: 'x' } }));
    expect(await contacts.request('nobody')).toBe(errorWords('E_NOT_FOUND'));
    expect(await contacts.accept('amy')).toBe(errorWords('E_NO_REQUEST'));
    expect(await contacts.decline('amy')).toBe(errorWords('E_NETWORK')); // no answer: not connected
    expect(await contacts.remove('amy')).toBe(errorWords('E_NETWORK'));
    expect(server.sent.map((s) => s.event)).toEqual([
      'contacts.request',
      'contacts.accept',
      'contacts.decline',
      'contacts.remove',
    ]);
  });

  it('"Sent to" lasts while the request waits: answered, declined or withdrawn, it goes', async () => {
    const sentTo = () => contacts.state.getState().sentTo;
    server.answer('contacts.request', ({ username }) => ({
      ok: true,
      contact: contact(username, username, 'outgoing'),
    }));
    await contacts.request('bob');
    expect(sentTo()).toBe('bob');
    server.push('contact.updated', { contact: { ...contact('amy', 'Amy'), presence: 'online' } });
    expect(sentTo()).toBe('bob'); // someone else's news
    server.push('contact.updated', { contact: contact('bob', 'Bob', 'accepted') }); // Bob accepted
    expect(sentTo()).toBeNull();

    await contacts.request('cat');
    server.push('contact.removed', { username: 'cat' }); // declined, or withdrawn from another device
    expect(sentTo()).toBeNull();

    await contacts.request('dan');
    contacts.dismissSent(); // typing another name
    expect(sentTo()).toBeNull();
    await contacts.request('eve');
    contacts.clear();
    expect(sentTo()).toBeNull();
  });

  it('a request to someone who had asked us is answered at once: nothing waits', async () => {
    server.answer('contacts.request', ({ username }) => ({ ok: true, contact: contact(username, 'Bob') }));
    expect(await contacts.request('bob')).toBeNull();
    expect(contacts.state.getState().sentTo).toBeNull();
  });

  it('names a person by their contact entry, or by username when they are not a contact', () => {
    server.push('session.ready', sessionReady({ contacts: [contact('amy', 'Amy Winter')] }));
    expect(contacts.person('amy')).toEqual({ username: 'amy', displayName: 'Amy Winter' });
    expect(contacts.person('zoe')).toEqual({ username: 'zoe', displayName: 'zoe' });
  });

  it('forgets the contacts on sign-out', () => {
    server.push('session.ready', sessionReady({ contacts: [contact('amy', 'Amy')] }));
    contacts.clear();
    expect(shown()).toEqual([]);
  });
});

describe('filterContacts', () => {
  it('filters by display name or username, ignoring case', () => {
    const list = [contact('amy.w', 'Amy Winter'), contact('bob', 'Robert')];
    expect(filterContacts(list, ' WIN ').map((c) => c.username)).toEqual(['amy.w']);
    expect(filterContacts(list, 'bob').map((c) => c.username)).toEqual(['bob']);
    expect(filterContacts(list, '')).toHaveLength(2);
  });
});
