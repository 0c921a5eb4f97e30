/** A stand-in for the platform's key-value store (localStorage) in unit tests: a Map the test can read. */
import type { KeyValueStore } from '../platform/platform.js';

export function memoryStore(
  initial: Record<string, string> = {},
): KeyValueStore & { data: Map<string, string> } {
  const data = new Map(Object.entries(initial));
  return {
    data,
    get: (key) => data.get(key) ?? null,
    set: (key, value) => void data.set(key, value),
    remove: (key) => void data.delete(key),
  };
}
