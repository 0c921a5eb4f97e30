/**
 * Scans the Electron app with @doyensec/electronegativity and fails on any finding above LOW.
 * Its command line exits 0 whatever it finds, so this uses its API and decides here.
 *
 * What is scanned: main/ (TypeScript, parsed by electronegativity's Babel TypeScript parser) without the
 * unit tests (their fakes would satisfy or trip the app-wide checks), the renderer's HTML pages and
 * package.json, copied into a temporary folder so the report shows repository paths.
 *
 * A finding is resolved by fixing the code or, once reviewed, by an inline comment on the reported line,
 * `/* eng-disable CHECK_ID *\/` with the reason beside it (electronegativity only reads such comments on
 * the matched line or on line 1 of the file).
 *
 *   tsx scripts/scan-electron.ts     (exits 1 on a finding above LOW or a file it cannot parse)
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import run, { type Issue, type ParseError } from '@doyensec/electronegativity';
import { isEntryPoint } from './entry-point.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** LOW in electronegativity's scale (INFORMATIONAL 0, LOW 1, MEDIUM 2, HIGH 3). */
export const LOW = 1;

/**
 * Checks left out, each for a reason that holds for this app. Printed on every run.
 */
export const EXCLUDED_CHECKS = [
  {
    check: 'AvailableSecurityFixesGlobalCheck',
    why:
      'downloads the Electron release list from GitHub, which CI cannot reach (offline it silently ' +
      'reports nothing); the Electron version is pinned in package-lock.json and raised by dependency updates',
  },
  {
    check: 'CSPGlobalCheck',
    why:
      'it recognises only <meta> tags and webRequest responseHeaders; the app sends its CSP as a header ' +
      'from the app:// protocol handler (main/window/security.ts), checked by main/security/csp.test.ts',
  },
] as const;

export interface Finding {
  id: string;
  severity: string;
  severityValue: number;
  confidence: string;
  /** Repository path, or "(app-wide)" for a global check. */
  file: string;
  line: number;
  description: string;
  url?: string;
  sample?: string;
  manualReview: boolean;
}

export interface ScanResult {
  /** Repository paths of the files scanned. */
  files: string[];
  findings: Finding[];
  /** Files the parsers could not read (not scanned, so the run fails). */
  unparsed: ParseError[];
  checks: number;
}

/** Repository-relative paths under `dir` (recursively) accepted by `keep`, skipping node_modules. */
function listFiles(root: string, dir: string, keep: (path: string) => boolean): string[] {
  const out: string[] = [];
  let entries;
  try {
    entries = readdirSync(join(root, dir), { withFileTypes: true });
  } catch {
    return out;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules') out.push(...listFiles(root, path, keep));
    } else if (keep(path)) {
      out.push(path);
    }
  }
  return out.sort();
}

/** The files to scan, relative to `root`. */
export function filesToScan(root: string = REPO): string[] {
  const isSource = (path: string): boolean =>
    /\.(ts|tsx|js|cjs|mjs)$/.test(path) && !/\.test\.|\.d\.ts$/.test(path);
  return [
    ...listFiles(root, 'main', isSource),
    ...listFiles(root, 'renderer', (path) => path.endsWith('.html')),
    'package.json',
  ];
}

/** The Electron version installed (electronegativity judges webPreferences defaults by it). */
export function electronVersion(root: string = REPO): string {
  const pkg = JSON.parse(readFileSync(join(root, 'node_modules/electron/package.json'), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

function toFinding(issue: Issue): Finding {
  return {
    id: issue.id,
    severity: issue.severity.name,
    severityValue: issue.severity.value,
    confidence: issue.confidence.name,
    file: issue.file === 'N/A' ? '(app-wide)' : issue.file,
    line: issue.location.line,
    description: issue.description,
    ...(issue.shortenedURL ? { url: issue.shortenedURL } : {}),
    ...(issue.sample ? { sample: issue.sample } : {}),
    manualReview: issue.manualReview,
  };
}

export async function scanElectron(
  root: string = REPO,
  version: string = electronVersion(root),
): Promise<ScanResult> {
  const files = filesToScan(root);
  const stage = mkdtempSync(join(tmpdir(), 'parley-electronegativity-'));
  try {
    for (const file of files) cpSync(join(root, file), join(stage, file));
    const result = await run({
      input: stage,
      isRelative: true,
      electronVersionOverride: version,
      excludeFromScan: EXCLUDED_CHECKS.map((entry) => entry.check),
    });
    const findings = result.issues
      .map(toFinding)
      .sort((a, b) => b.severityValue - a.severityValue || a.file.localeCompare(b.file) || a.line - b.line);
    const unparsed = result.errors
      .filter((error) => !error.tolerable)
      .map((error) => ({ ...error, file: relative(stage, error.file) }));
    return { files, findings, unparsed, checks: result.globalChecks + result.atomicChecks };
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

/** The findings that fail the scan: severity above LOW. */
export function blocking(findings: readonly Finding[]): Finding[] {
  return findings.filter((finding) => finding.severityValue > LOW);
}

export function formatFinding(finding: Finding): string {
  const where = finding.file === '(app-wide)' ? finding.file : `${finding.file}:${finding.line}`;
  const lines = [
    `${finding.severity} (${finding.confidence}${finding.manualReview ? ', review' : ''}) ${finding.id} at ${where}`,
    `    ${finding.description}${finding.url ? ` (${finding.url})` : ''}`,
  ];
  if (finding.sample) lines.push(`    > ${finding.sample}`);
  return lines.join('\n');
}

if (isEntryPoint(import.meta.url)) {
  const result = await scanElectron();
  const failing = blocking(result.findings);
  console.log(
    `electronegativity: ${result.checks} checks on ${result.files.length} files ` +
      `(main/ without tests, renderer HTML, package.json), Electron ${electronVersion()}`,
  );
  for (const { check, why } of EXCLUDED_CHECKS) console.log(`  not run: ${check}: ${why}`);
  for (const finding of result.findings) console.log(formatFinding(finding));
  for (const error of result.unparsed) console.error(`could not parse ${error.file}: ${error.message}`);
  console.log(
    `${result.findings.length} findings, ${failing.length} above LOW` +
      (result.unparsed.length > 0 ? `, ${result.unparsed.length} files not parsed` : ''),
  );
  if (failing.length > 0 || result.unparsed.length > 0) {
    console.error(
      'scan failed: fix the code, or after review mark the reported line with /* eng-disable CHECK_ID */ and why',
    );
    process.exit(1);
  }
}
