/** Random identifiers: session tokens (256 bits, stored only as their SHA-256) and call ids (128 bits). */
import { createHash, randomBytes } from 'node:crypto';

export const newSessionToken = (): string => randomBytes(32).toString('base64url');

export const hashToken = (token: string): Buffer => createHash('sha256').update(token, 'utf8').digest();

/** 128 random bits as 22 base64url characters: call ids. */
export const newCallId = (): string => randomBytes(16).toString('base64url');
