/** Random identifiers: session tokens (256 bits, stored only as their SHA-256) and call ids (128 bits). */
import { hash, randomBytes, randomFillSync } from 'node:crypto';

export const newSessionToken = (): string => randomBytes(32).toString('base64url');

/** SHA-256 of the token (one-shot `hash`: no Hash object per connect). */
export const hashToken = (token: string): Buffer => hash('sha256', token, 'buffer');

const CALL_ID_BYTES = 16;
/**
 * Random bytes for the next 256 call ids, filled at once: one call into the system's generator per 256
 * calls instead of one per call (0.1 µs an id instead of 2.1 µs). Each id's bytes are used once.
 */
const callIdPool = Buffer.alloc(CALL_ID_BYTES * 256);
let callIdOffset = callIdPool.length;

/** 128 random bits as 22 base64url characters: call ids. */
export function newCallId(): string {
  if (callIdOffset === callIdPool.length) {
    randomFillSync(callIdPool);
    callIdOffset = 0;
  }
  const id = callIdPool.toString('base64url', callIdOffset, callIdOffset + CALL_ID_BYTES);
  callIdOffset += CALL_ID_BYTES;
  return id;
}
