/**
 * The error codes docs/protocol.md promises for each request, read from its
 * "Summary" table plus the codes it says every request can return, so tests
 * can hold the server to the document a third-party client is written from.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ClientRequestName, ErrorCode } from '../protocol/index.js';

const PROTOCOL_DOC = fileURLToPath(new URL('../../docs/protocol.md', import.meta.url));

/** Codes in backticks in a piece of text (`E_BUSY` ...). */
const codesIn = (text: string): ErrorCode[] =>
  [...text.matchAll(/`(E_[A-Z_]+)`/g)].map((m) => m[1] as ErrorCode);

/** Request name → every error code the document allows for it. */
export function documentedRequestErrors(
  doc = readFileSync(PROTOCOL_DOC, 'utf8'),
): Map<string, Set<ErrorCode>> {
  const everyRequest = /^Every request can fail with (.+?);/ms.exec(doc)?.[1];
  if (!everyRequest) throw new Error('protocol.md: the "Every request can fail with" sentence is missing');
  const common = codesIn(everyRequest);
  const summary = /^### Summary\n([\s\S]+?)\n\n/m.exec(doc)?.[1];
  if (!summary) throw new Error('protocol.md: the request Summary table is missing');
  const documented = new Map<string, Set<ErrorCode>>();
  for (const row of summary.split('\n').filter((line) => line.startsWith('| `'))) {
    const cells = row.split(' | ');
    const name = /`([a-zA-Z.]+)`/.exec(cells[0] ?? '')?.[1];
    if (name) documented.set(name, new Set([...common, ...codesIn(cells.at(-1) ?? '')]));
  }
  return documented;
}

/** The documented codes of one request; throws when the document does not list it. */
export function documentedErrorsOf(
  documented: Map<string, Set<ErrorCode>>,
  name: ClientRequestName,
): Set<ErrorCode> {
  const codes = documented.get(name);
  if (!codes) throw new Error(`protocol.md: request ${name} is missing from the Summary table`);
  return codes;
}
