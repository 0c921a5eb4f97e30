/**
 * A throwaway certificate for TURN over TLS in the network suite: made with
 * openssl for the bridge's IP address, and its SPKI hash, which Chromium is
 * told to trust (`--ignore-certificate-errors-spki-list`).
 */
import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sh } from './netbed.js';

export interface TestCertificate {
  cert: string;
  key: string;
  /** base64 of the SHA-256 of the certificate's SubjectPublicKeyInfo. */
  spki: string;
}

export async function makeTestCertificate(dir: string, ip: string): Promise<TestCertificate> {
  const cert = join(dir, 'turn-cert.pem');
  const key = join(dir, 'turn-key.pem');
  await sh(
    'openssl',
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=parley network suite TURN',
    '-addext',
    `subjectAltName=IP:${ip}`,
    '-keyout',
    key,
    '-out',
    cert,
  );
  const der = new X509Certificate(readFileSync(cert)).publicKey.export({ type: 'spki', format: 'der' });
  return { cert, key, spki: createHash('sha256').update(der).digest('base64') };
}
