/** Things the person should be told (a device fell back, a call was refused, the server restarts), each dismissible. */
import { storeHook } from '../app/context.js';
import { createStore, type ReadableStore } from '../util/store.js';

export interface Notice {
  id: number;
  text: string;
}

export interface NoticesState {
  /** The last few, oldest first. */
  notices: Notice[];
}

/** How many notices stay on screen; older ones make room. */
const KEEP = 4;

export class Notices {
  private readonly store = createStore<NoticesState>()(() => ({ notices: [] }));
  readonly state: ReadableStore<NoticesState> = this.store;
  private nextId = 1;

  add(text: string): void {
    const notice = { id: this.nextId++, text };
    this.store.setState((s) => ({ notices: [...s.notices.slice(1 - KEEP), notice] }));
  }

  dismiss(id: number): void {
    this.store.setState((s) => ({ notices: s.notices.filter((n) => n.id !== id) }));
  }
}

export const useNotices = storeHook((app) => app.notices.state);
