/** The page's localStorage as the platform's key-value store (the web app and the desktop app's renderer). */
import type { KeyValueStore } from './platform.js';

export const localStore: KeyValueStore = {
  get: (key) => localStorage.getItem(key),
  set: (key, value) => localStorage.setItem(key, value),
  remove: (key) => localStorage.removeItem(key),
};
