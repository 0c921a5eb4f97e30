/**
 * Which section of the app is open (so actions from outside the page, like the tray, can open one), and
 * a call a link asked for that waits for the person to confirm it.
 */
import { create } from 'zustand';
import type { Media } from '../../signaling/protocol/index.js';

export const TABS = ['contacts', 'history', 'settings'] as const;
export type TabId = (typeof TABS)[number];

export interface ViewState {
  tab: TabId;
  /** A `parley://call/...` link asked to call this person; nothing happens until they confirm. */
  linkCall: { username: string; media: Media } | null;
}

export const useView = create<ViewState>(() => ({ tab: 'contacts', linkCall: null }));
