/** Gives React components the app (its domains' actions and stores) without prop drilling. */
import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import type { ReadableStore } from '../util/store.js';
import type { ParleyApp } from './composition-root.js';

export const AppContext = createContext<ParleyApp | null>(null);

export function useApp(): ParleyApp {
  const app = useContext(AppContext);
  if (!app) throw new Error('useApp outside <AppContext.Provider>');
  return app;
}

/** A React hook that selects from one domain's store of the app in context (`useContacts((s) => s.search)`). */
export function storeHook<S>(storeOf: (app: ParleyApp) => ReadableStore<S>) {
  return function useDomainStore<T>(selector: (state: S) => T): T {
    return useStore(storeOf(useApp()), selector);
  };
}
