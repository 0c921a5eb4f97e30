/** Media devices and the person's choices, persisted through the platform's storage. */
import { create } from 'zustand';
import { z } from 'zod';
import type { MediaDeviceLists } from '../call/media.js';

export const DevicePreferences = z.object({
  microphoneId: z.string().optional(),
  cameraId: z.string().optional(),
  speakerId: z.string().optional(),
  ringDeviceId: z.string().optional(),
  ringVolume: z.number().min(0).max(1).default(0.8),
  /** Send all call media through the TURN relay (hides your address; needs TURN on the server). */
  relayOnly: z.boolean().default(false),
});
export type DevicePreferences = z.infer<typeof DevicePreferences>;

export interface DevicesState {
  lists: MediaDeviceLists;
  prefs: DevicePreferences;
}

export const defaultPreferences = (): DevicePreferences => DevicePreferences.parse({});

export const useDevices = create<DevicesState>(() => ({
  lists: { microphones: [], cameras: [], speakers: [] },
  prefs: defaultPreferences(),
}));

/** Reads saved preferences; anything unreadable becomes the defaults. */
export function parsePreferences(saved: string | null): DevicePreferences {
  if (!saved) return defaultPreferences();
  try {
    const parsed = DevicePreferences.safeParse(JSON.parse(saved));
    return parsed.success ? parsed.data : defaultPreferences();
  } catch {
    return defaultPreferences();
  }
}
