/**
 * Contacts, Skype style: a request that the other side accepts; either side
 * may remove. Both sides hear about every change on all their devices.
 *
 * Only `request` tells whether a username exists (`E_NOT_FOUND`; it is rate
 * limited). Accept, decline and remove give the same answer for an unknown
 * user as for a real one without that relation, so they cannot be used to
 * probe for accounts.
 */
import { acceptedPeerIds, type ContactRow, type ContactsTable } from '../db/contacts.js';
import type { UserRow, UsersTable } from '../db/users.js';
import type { Notifier } from '../domain.js';
import { AppError } from '../errors.js';
import type { Contact, ContactState } from '../protocol/index.js';
import type { PresenceService } from '../presence/service.js';

export class ContactsService {
  constructor(
    private readonly users: UsersTable,
    private readonly contacts: ContactsTable,
    private readonly presence: PresenceService,
    private readonly notify: Notifier,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * The user's contacts with live presence for accepted ones. `rows`: the user's rows of the contacts
   * table when the caller has just read them (a connect's announcement did), instead of reading them again.
   */
  async list(userId: number, rows?: readonly ContactRow[]): Promise<Contact[]> {
    rows ??= await this.contacts.list(userId);
    const presences = await this.presence.presencesOf(acceptedPeerIds(rows));
    let accepted = 0;
    return rows.map((row) => ({
      username: row.username,
      displayName: row.displayName,
      state: row.state,
      presence: row.state === 'accepted' ? presences[accepted++]! : 'offline',
    }));
  }

  /**
   * Sends a request; if the other side had already asked, this accepts it. Their request may go while this
   * accepts it (declined or withdrawn by a request in flight beside this one): then it looks again, once.
   */
  async request(me: UserRow, username: string): Promise<Contact> {
    const peer = await this.peer(me, username);
    for (let look = 1; ; look++) {
      const state = await this.contacts.stateOf(me.id, peer.id);
      if (state === 'accepted') throw new AppError('E_ALREADY_CONTACT', `${username} is already a contact`);
      if (state !== 'incoming') break;
      try {
        return await this.accept(me, username);
      } catch (err) {
        if (!(err instanceof AppError && err.code === 'E_NO_REQUEST') || look === 2) throw err;
      }
    }
    await this.contacts.setPair(me.id, peer.id, 'outgoing', 'incoming', this.now());
    return this.announce(me, peer, 'outgoing', 'incoming');
  }

  async accept(me: UserRow, username: string): Promise<Contact> {
    const peer = await this.requester(me, username);
    await this.contacts.setPair(me.id, peer.id, 'accepted', 'accepted', this.now());
    return this.announce(me, peer, 'accepted', 'accepted');
  }

  async decline(me: UserRow, username: string): Promise<void> {
    await this.removePair(me, await this.requester(me, username));
  }

  /** Removes a contact, or withdraws a request in either direction; also with a disabled account. */
  async remove(me: UserRow, username: string): Promise<void> {
    if (username === me.username) throw new AppError('E_SELF', 'you cannot remove yourself');
    const peer = await this.users.findByUsername(username);
    if (!peer || (await this.contacts.stateOf(me.id, peer.id)) === undefined) {
      throw new AppError('E_NOT_CONTACT', `${username} is not a contact`);
    }
    await this.removePair(me, peer);
  }

  async isContact(userId: number, peerId: number): Promise<boolean> {
    return this.contacts.isAccepted(userId, peerId);
  }

  /** An enabled user other than `me`, for a new request: the one answer that reveals whether a username exists. */
  private async peer(me: UserRow, username: string): Promise<UserRow> {
    if (username === me.username) throw new AppError('E_SELF', 'you cannot add yourself');
    const peer = await this.users.findByUsername(username);
    if (!peer || peer.disabledAt !== null) throw new AppError('E_NOT_FOUND', `no user ${username}`);
    return peer;
  }

  /** The enabled user who sent `me` a pending contact request; unknown users get the same answer. */
  private async requester(me: UserRow, username: string): Promise<UserRow> {
    if (username === me.username) throw new AppError('E_SELF', 'you cannot answer yourself');
    const peer = await this.users.findByUsername(username);
    if (!peer || peer.disabledAt !== null || (await this.contacts.stateOf(me.id, peer.id)) !== 'incoming') {
      throw new AppError('E_NO_REQUEST', `no contact request from ${username}`);
    }
    return peer;
  }

  private async removePair(me: UserRow, peer: UserRow): Promise<void> {
    await this.contacts.deletePair(me.id, peer.id);
    this.notify.toUsers([me.id], 'contact.removed', { username: peer.username });
    this.notify.toUsers([peer.id], 'contact.removed', { username: me.username });
  }

  /** Tells both sides (all devices) the new relation, with presence once accepted. */
  private async announce(
    me: UserRow,
    peer: UserRow,
    mine: ContactState,
    theirs: ContactState,
  ): Promise<Contact> {
    const accepted = mine === 'accepted';
    const [peerPresence, myPresence] = accepted
      ? await Promise.all([this.presence.presenceOf(peer.id), this.presence.presenceOf(me.id)])
      : (['offline', 'offline'] as const);
    const forMe: Contact = {
      username: peer.username,
      displayName: peer.displayName,
      state: mine,
      presence: peerPresence,
    };
    const forPeer: Contact = {
      username: me.username,
      displayName: me.displayName,
      state: theirs,
      presence: myPresence,
    };
    this.notify.toUsers([me.id], 'contact.updated', { contact: forMe });
    this.notify.toUsers([peer.id], 'contact.updated', { contact: forPeer });
    return forMe;
  }
}
