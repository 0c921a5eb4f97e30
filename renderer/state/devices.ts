/** Media devices and the person's choices, persisted through the platform's storage. */
import { create } from 'zustand';
import { DevicePreferences } from '../../shared/app-shell.js';
import type { MediaDeviceLists } from '../call/media.js';

export { DevicePreferences };

export interface DevicesState {
  lists: MediaDeviceLists;
  prefs: DevicePreferences;
}

export const defaultPreferences = (): DevicePreferences => DevicePreferences.parse({});

export const useDevices = create<DevicesState>(() => ({
  lists: { microphones: [], cameras: [], speakers: [] },
  prefs: defaultPreferences(),
}));

/** Validates saved preferences; anything unreadable becomes the defaults. */
export function parsePreferences(saved: unknown): DevicePreferences {
  const parsed = DevicePreferences.safeParse(saved ?? {});
  return parsed.success ? parsed.data : defaultPreferences();
}
