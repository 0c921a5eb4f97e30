/**
 * Maps `app://parley/...` URLs to files of the built renderer, refusing
 * anything that would leave its folder. Pure: window/security.ts serves the file.
 */
import { extname, join, normalize, sep } from 'node:path';
import { isAppUrl } from '../security/permissions.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.wav': 'audio/wav',
  '.json': 'application/json',
  '.map': 'application/json',
  '.woff2': 'font/woff2',
};

export interface AppFile {
  path: string;
  contentType: string;
}

/** The file an app:// URL names inside `root`, or null (wrong origin, traversal, unknown type). */
export function appFileFor(url: string, root: string): AppFile | null {
  if (!isAppUrl(url)) return null;
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(url).pathname);
  } catch {
    return null;
  }
  if (pathname.includes('\0')) return null;
  const relative = pathname === '/' ? 'index.html' : pathname.replace(/^\/+/, '');
  const path = normalize(join(root, relative));
  const base = normalize(root.endsWith(sep) ? root : root + sep);
  if (!path.startsWith(base)) return null;
  const contentType = TYPES[extname(path).toLowerCase()];
  return contentType ? { path, contentType } : null;
}
