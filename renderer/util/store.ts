/**
 * One owner per store. Each domain module in state/ makes its zustand store with `createStore` and is
 * the only code that changes it; everyone else gets it as a `ReadableStore`: read it, subscribe to it,
 * and in React select from it (app/context.ts `storeHook`).
 */
import type { StoreApi } from 'zustand/vanilla';

export { createStore } from 'zustand/vanilla';

export type ReadableStore<T> = Pick<StoreApi<T>, 'getState' | 'getInitialState' | 'subscribe'>;
