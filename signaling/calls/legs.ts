/**
 * Legs: the names under which the caller's device sees the callee's devices while a call connects early
 * (`connectWhileRinging`). A leg is derived from the call id and the device id, so it needs no state of
 * its own, stays the same for a device throughout one call, differs for the same device in another call,
 * and tells the caller nothing about the device id behind it.
 */
import { hash } from 'node:crypto';
import type { Device, LiveCall } from '../domain.js';
import type { DeviceRegistry } from '../presence/device-registry.js';
import type { Leg } from '../protocol/index.js';

/** 12 bytes of SHA-256(callId, NUL, deviceId) as 16 base64url characters (96 bits: no two devices meet). */
export const legOf = (callId: string, deviceId: string): Leg =>
  hash('sha256', `${callId}\0${deviceId}`, 'buffer').subarray(0, 12).toString('base64url');

/**
 * The callee's device that `leg` names on this call: one of the callee's connected devices (those that
 * ring), or the answering device even while it is disconnected (within its grace period); null if none.
 */
export async function deviceOfLeg(call: LiveCall, leg: Leg, devices: DeviceRegistry): Promise<Device | null> {
  const { userId, deviceId: bound } = call.callee;
  if (bound !== null && legOf(call.id, bound) === leg) return { userId, deviceId: bound };
  const connected = await devices.devices(userId);
  const named = connected.find((d) => legOf(call.id, d.deviceId) === leg);
  return named ? { userId, deviceId: named.deviceId } : null;
}
