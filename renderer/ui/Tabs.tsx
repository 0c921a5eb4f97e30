/**
 * The Contacts / History / Settings tabs (ARIA tabs: arrow keys, Home and End
 * move between them). The History tab carries the missed-call badge.
 */
import { useRef, type KeyboardEvent } from 'react';
import { useHistory } from '../state/history.js';
import { TABS, type TabId } from '../state/view.js';

export type { TabId };

export const titles: Record<TabId, string> = {
  contacts: 'Contacts',
  history: 'History',
  settings: 'Settings',
};
export const tabId = (tab: TabId) => `tab-${tab}`;
export const panelId = (tab: TabId) => `panel-${tab}`;

export function Tabs({ current, onSelect }: { current: TabId; onSelect: (tab: TabId) => void }) {
  const missed = useHistory((s) => s.unseenMissedCalls);
  const refs = useRef<Partial<Record<TabId, HTMLButtonElement | null>>>({});

  const onKeyDown = (e: KeyboardEvent) => {
    const at = TABS.indexOf(current);
    const next =
      e.key === 'ArrowRight'
        ? TABS[(at + 1) % TABS.length]
        : e.key === 'ArrowLeft'
          ? TABS[(at + TABS.length - 1) % TABS.length]
          : e.key === 'Home'
            ? TABS[0]
            : e.key === 'End'
              ? TABS[TABS.length - 1]
              : undefined;
    if (!next) return;
    e.preventDefault();
    onSelect(next);
    refs.current[next]?.focus();
  };

  return (
    <div role="tablist" aria-label="Sections" className="tabs" onKeyDown={onKeyDown}>
      {TABS.map((tab) => {
        const selected = tab === current;
        const badge = tab === 'history' && missed > 0;
        return (
          <button
            key={tab}
            ref={(el) => {
              refs.current[tab] = el;
            }}
            type="button"
            role="tab"
            id={tabId(tab)}
            aria-selected={selected}
            aria-controls={panelId(tab)}
            tabIndex={selected ? 0 : -1}
            aria-label={badge ? `History, ${missed} missed` : undefined}
            className="tab"
            onClick={() => onSelect(tab)}
          >
            {titles[tab]}
            {badge && (
              <span className="badge" aria-hidden="true">
                {missed}
              </span>
            )}
          </button>
        );
      })}
    </div>
  );
}
