/** Gives React components the app's actions without prop drilling. */
import { createContext, useContext } from 'react';
import type { ParleyApp } from './controller.js';

export const AppContext = createContext<ParleyApp | null>(null);

export function useApp(): ParleyApp {
  const app = useContext(AppContext);
  if (!app) throw new Error('useApp outside <AppContext.Provider>');
  return app;
}
