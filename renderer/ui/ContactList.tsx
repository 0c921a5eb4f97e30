/** The Contacts tab: search, add by username, and the list (requests for me first, then contacts, then my requests). */
import { useId, useMemo } from 'react';
import type { Contact } from '../../signaling/protocol/index.js';
import { useApp } from '../app/context.js';
import { filterContacts, useContacts } from '../state/contacts.js';
import { AddContact } from './AddContact.js';
import { ContactItem } from './ContactItem.js';

const order: Record<Contact['state'], number> = { incoming: 0, accepted: 1, outgoing: 2 };

export function ContactList() {
  const app = useApp();
  const contacts = useContacts((s) => s.contacts);
  const search = useContacts((s) => s.search);
  const shown = useMemo(
    () => filterContacts(contacts, search).sort((a, b) => order[a.state] - order[b.state]),
    [contacts, search],
  );
  const id = useId();

  return (
    <div className="contacts">
      <div className="search">
        <label htmlFor={`${id}-search`} className="visually-hidden">
          Search contacts
        </label>
        <input
          id={`${id}-search`}
          type="search"
          placeholder="Search contacts"
          value={search}
          onChange={(e) => app.contacts.setSearch(e.target.value)}
        />
      </div>
      <ul role="list" aria-label="Contacts" className="list">
        {shown.map((c) => (
          <ContactItem key={c.username} contact={c} />
        ))}
      </ul>
      {shown.length === 0 && (
        <p className="empty">
          {contacts.length === 0
            ? 'No contacts yet. Add someone by their username below.'
            : `No contacts match “${search.trim()}”.`}
        </p>
      )}
      <AddContact />
    </div>
  );
}
