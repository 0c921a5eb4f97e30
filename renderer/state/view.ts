/** Which section of the app is open, so that actions from outside the page (the tray) can open one too. */
import { storeHook } from '../app/context.js';
import { createStore, type ReadableStore } from '../util/store.js';

export const TABS = ['contacts', 'history', 'settings'] as const;
export type TabId = (typeof TABS)[number];

export interface ViewState {
  tab: TabId;
}

export class View {
  private readonly store = createStore<ViewState>()(() => ({ tab: 'contacts' }));
  readonly state: ReadableStore<ViewState> = this.store;

  /** `opened` hears of each tab opened (opening the history marks missed calls seen). */
  constructor(private readonly opened: (tab: TabId) => void) {}

  open(tab: TabId): void {
    this.store.setState({ tab });
    this.opened(tab);
  }
}

export const useView = storeHook((app) => app.view.state);
