/** Contacts and pending requests with live presence. */
import { create } from 'zustand';
import type { Contact, Presence } from '../../signaling/protocol/index.js';

export interface ContactsState {
  contacts: Contact[];
  search: string;
}

export const useContacts = create<ContactsState>(() => ({ contacts: [], search: '' }));

const byName = (a: Contact, b: Contact) =>
  a.displayName.localeCompare(b.displayName, undefined, { sensitivity: 'base' }) ||
  a.username.localeCompare(b.username);

export const contactsActions = {
  replaceAll: (contacts: Contact[]) => useContacts.setState({ contacts: [...contacts].sort(byName) }),
  upsert: (contact: Contact) =>
    useContacts.setState((s) => ({
      contacts: [...s.contacts.filter((c) => c.username !== contact.username), contact].sort(byName),
    })),
  remove: (username: string) =>
    useContacts.setState((s) => ({ contacts: s.contacts.filter((c) => c.username !== username) })),
  setPresence: (username: string, presence: Presence) =>
    useContacts.setState((s) => ({
      contacts: s.contacts.map((c) =>
        c.username === username && c.state === 'accepted' ? { ...c, presence } : c,
      ),
    })),
  setSearch: (search: string) => useContacts.setState({ search }),
};

/** Contacts whose name or username contains the search text. */
export function filterContacts(contacts: readonly Contact[], search: string): Contact[] {
  const q = search.trim().toLowerCase();
  if (!q) return [...contacts];
  return contacts.filter((c) => c.displayName.toLowerCase().includes(q) || c.username.includes(q));
}
