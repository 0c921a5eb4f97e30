/**
 * Types for @doyensec/electronegativity's programmatic API (the package ships none), written from its
 * dist/runner.js (1.10): the README's `electronVersion` option is really `electronVersionOverride`, and
 * the findings come back in `issues` (`errors` are files it could not parse). `severitySet` and
 * `confidenceSet` filter only the command line's table, not this result.
 */
declare module '@doyensec/electronegativity' {
  export interface Level {
    value: number;
    name: string;
  }

  export interface Issue {
    /** Path of the file (relative to `input` with `isRelative`), or "N/A" for an app-wide check. */
    file: string;
    sample?: string;
    location: { line: number; column: number };
    /** Check id, e.g. CONTEXT_ISOLATION_JS_CHECK. */
    id: string;
    description: string;
    shortenedURL?: string;
    /** INFORMATIONAL 0, LOW 1, MEDIUM 2, HIGH 3. */
    severity: Level;
    /** TENTATIVE 0, FIRM 1, CERTAIN 2. */
    confidence: Level;
    manualReview: boolean;
    properties?: unknown;
  }

  export interface ParseError {
    file: string;
    message: string;
    /** True for parser warnings (the file was still scanned). */
    tolerable: boolean;
  }

  export interface Options {
    /** A directory, a .js/.ts/.html file or an .asar archive. */
    input: string;
    output?: string;
    isSarif?: boolean;
    /** Check class names (any case) to run exclusively. */
    customScan?: string[];
    /** Check class names (any case) to leave out; global checks end in GlobalCheck. */
    excludeFromScan?: string[];
    severitySet?: string;
    confidenceSet?: string;
    isRelative?: boolean;
    electronUpgrade?: string;
    /** The Electron version to assume (the defaults of webPreferences depend on it). */
    electronVersionOverride?: string;
    parserPlugins?: string[];
  }

  export interface Result {
    globalChecks: number;
    atomicChecks: number;
    errors: ParseError[];
    issues: Issue[];
  }

  export default function run(options: Options, forCli?: false): Promise<Result>;
}
