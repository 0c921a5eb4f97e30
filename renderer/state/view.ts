/** Which section of the app is open (so actions from outside the page, like the tray, can open one). */
import { create } from 'zustand';

export const TABS = ['contacts', 'history', 'settings'] as const;
export type TabId = (typeof TABS)[number];

export const useView = create<{ tab: TabId }>(() => ({ tab: 'contacts' }));
