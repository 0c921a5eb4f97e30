/**
 * Checks electron-builder.yml before anything is packaged:
 *
 * 1. against the JSON schema of the installed electron-builder (app-builder-lib/scheme.json, draft-07,
 *    with ajv), so a misspelt or misplaced option fails here and not halfway through `npm run dist`;
 * 2. with electron-builder's own validateConfiguration (the same schema plus its deprecation checks);
 * 3. against this project's packaging policy: the Electron fuses, the macOS camera and microphone
 *    usage strings and entitlements, the parley:// protocol, the targets per OS.
 *
 *   tsx scripts/check-builder-config.ts [electron-builder.yml]     (exits 1 and lists problems)
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject } from 'ajv';
import { load } from 'js-yaml';
import { isEntryPoint } from './entry-point.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const CONFIG_PATH = join(REPO, 'electron-builder.yml');

/** require() as electron-builder sees it: its own app-builder-lib, wherever npm placed it. */
export const builderRequire = createRequire(createRequire(import.meta.url).resolve('electron-builder'));
export const SCHEMA_PATH = join(
  dirname(builderRequire.resolve('app-builder-lib/package.json')),
  'scheme.json',
);

/** The fuses the packaged app must have (electron-builder `electronFuses`). */
export const REQUIRED_FUSES = {
  runAsNode: false,
  enableNodeOptionsEnvironmentVariable: false,
  enableNodeCliInspectArguments: false,
  enableCookieEncryption: true,
  enableEmbeddedAsarIntegrityValidation: true,
  onlyLoadAppFromAsar: true,
  loadBrowserProcessSpecificV8Snapshot: false,
  grantFileProtocolExtraPrivileges: false,
} as const;

/** Info.plist keys macOS requires before it lets the app ask for the camera and microphone. */
export const MAC_USAGE_KEYS = ['NSCameraUsageDescription', 'NSMicrophoneUsageDescription'] as const;
/** Hardened-runtime entitlements: V8's JIT, the camera and the microphone. */
export const MAC_ENTITLEMENTS = [
  'com.apple.security.cs.allow-jit',
  'com.apple.security.device.camera',
  'com.apple.security.device.audio-input',
] as const;

export const REQUIRED_TARGETS = { linux: ['AppImage', 'deb'], mac: ['dmg'], win: ['nsis'] } as const;

export function loadConfig(path: string = CONFIG_PATH): unknown {
  return load(readFileSync(path, 'utf8'));
}

let compiled: ReturnType<Ajv['compile']> | undefined;

function formatError(error: ErrorObject): string {
  const where = `configuration${error.instancePath.replaceAll('/', '.')}`;
  if (error.keyword === 'additionalProperties') {
    return `${where} has an unknown property '${String(error.params.additionalProperty)}'`;
  }
  if (error.keyword === 'enum') {
    return `${where} ${error.message ?? ''}: ${JSON.stringify(error.params.allowedValues)}`;
  }
  return `${where} ${error.message ?? 'is invalid'}`;
}

/**
 * Schema errors (empty when valid). The schema writes most options as `anyOf: [<options>, null]`, so a
 * bad value also fails the composite and the "or null" branch; those two are dropped when a more
 * specific error about the same value exists.
 */
export function schemaErrors(config: unknown): string[] {
  if (!compiled) {
    const schema = JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as object;
    // Like electron-builder: non-strict, because its schema carries a custom `typeof` keyword. Unlike
    // it, no type coercion: a value has to be of the right type as written.
    compiled = new Ajv({ allErrors: true, strict: false }).compile(schema);
  }
  if (compiled(config)) return [];
  const errors = compiled.errors ?? [];
  const isBranchNoise = (error: ErrorObject): boolean =>
    ['anyOf', 'oneOf', 'if'].includes(error.keyword) ||
    (error.keyword === 'type' && error.params.type === 'null');
  const kept = errors.filter(
    (error) =>
      !isBranchNoise(error) ||
      !errors.some((other) => other.instancePath.startsWith(error.instancePath) && !isBranchNoise(other)),
  );
  // Alternative branches that each want another type: one message listing them all.
  const types = new Map<string, string[]>();
  for (const error of kept) {
    if (error.keyword !== 'type') continue;
    const type = error.params.type as string | string[];
    types.set(error.instancePath, [...(types.get(error.instancePath) ?? []), ...[type].flat()]);
  }
  const messages = kept.map((error) =>
    error.keyword === 'type'
      ? `configuration${error.instancePath.replaceAll('/', '.')} must be ${types.get(error.instancePath)?.join(' | ')}`
      : formatError(error),
  );
  return [...new Set(messages)];
}

interface BuilderValidation {
  validateConfiguration(config: unknown, debugLogger: unknown): Promise<void>;
}
interface BuilderUtil {
  DebugLogger: new (isEnabled: boolean) => unknown;
}

/** electron-builder's own check of a configuration object (what `electron-builder` runs first). */
export async function builderErrors(config: unknown): Promise<string[]> {
  const { validateConfiguration } = builderRequire(
    'app-builder-lib/out/util/config/config.js',
  ) as BuilderValidation;
  const { DebugLogger } = createRequire(builderRequire.resolve('app-builder-lib'))(
    'builder-util',
  ) as BuilderUtil;
  try {
    // It may normalise fields in place; give it a copy.
    await validateConfiguration(structuredClone(config), new DebugLogger(false));
    return [];
  } catch (error) {
    // Its message: a header line, then per problem ` - configuration...` (maybe over several lines)
    // followed by generic how-to-fix notes, which are left out here.
    const message = error instanceof Error ? error.message : String(error);
    const items = message.split('\n - ').slice(1);
    return (items.length > 0 ? items : [message]).map(
      (item) => `electron-builder: ${item.split('How to fix:')[0]?.replace(/\s+/g, ' ').trim() ?? item}`,
    );
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const record = (value: unknown): Record<string, unknown> => (isRecord(value) ? value : {});

/** Target names of a platform section (`target` may be a string, an object or a list of either). */
function targetNames(platform: unknown): string[] {
  const target = record(platform).target;
  const list = Array.isArray(target) ? target : target === undefined ? [] : [target];
  return list.map((entry) => (isRecord(entry) ? String(entry.target) : String(entry)));
}

/** Policy problems (empty when the configuration does what this project requires). */
export function policyErrors(input: unknown, entitlementsRoot: string = REPO): string[] {
  const problems: string[] = [];
  const config = record(input);
  if (config.appId !== 'org.parley.desktop') problems.push('appId must be org.parley.desktop');
  if (config.productName !== 'Parley') problems.push('productName must be Parley');
  // Embedded asar integrity and only-load-from-asar are meaningless without an asar.
  if (config.asar !== true) problems.push('asar must be true (the asar fuses depend on it)');
  if (record(config.extraMetadata).main !== 'dist/main/index.cjs') {
    problems.push('extraMetadata.main must be dist/main/index.cjs');
  }

  const fuses = record(config.electronFuses);
  for (const [fuse, wanted] of Object.entries(REQUIRED_FUSES)) {
    if (fuses[fuse] !== wanted) problems.push(`electronFuses.${fuse} must be ${wanted}`);
  }

  const schemes = (Array.isArray(config.protocols) ? config.protocols : [config.protocols]).flatMap(
    (protocol) => {
      const value = record(protocol).schemes;
      return Array.isArray(value) ? value : [];
    },
  );
  if (!schemes.includes('parley')) problems.push('protocols must register the parley scheme');

  for (const [platform, wanted] of Object.entries(REQUIRED_TARGETS)) {
    const names = targetNames(config[platform]);
    for (const target of wanted) {
      if (!names.includes(target)) problems.push(`${platform}.target must include ${target}`);
    }
  }

  const mac = record(config.mac);
  const info = record(mac.extendInfo);
  for (const key of MAC_USAGE_KEYS) {
    const text = info[key];
    if (typeof text !== 'string' || text.trim().length < 10) {
      problems.push(`mac.extendInfo.${key} must say why Parley needs it`);
    }
  }
  if (mac.hardenedRuntime !== true) problems.push('mac.hardenedRuntime must be true');
  if (typeof mac.entitlements !== 'string') {
    problems.push('mac.entitlements must name the entitlements plist');
  } else {
    let plist = '';
    try {
      plist = readFileSync(join(entitlementsRoot, mac.entitlements), 'utf8');
    } catch {
      problems.push(`mac.entitlements: ${mac.entitlements} does not exist`);
    }
    for (const key of plist ? MAC_ENTITLEMENTS : []) {
      if (!new RegExp(`<key>${key.replaceAll('.', '\\.')}</key>\\s*<true/>`).test(plist)) {
        problems.push(`${mac.entitlements} must grant ${key}`);
      }
    }
  }
  return problems;
}

/** Every problem with a configuration: schema, electron-builder's own check, policy. */
export async function checkBuilderConfig(
  config: unknown,
  entitlementsRoot: string = REPO,
): Promise<string[]> {
  return [
    ...schemaErrors(config),
    ...(await builderErrors(config)),
    ...policyErrors(config, entitlementsRoot),
  ];
}

if (isEntryPoint(import.meta.url)) {
  const path = resolve(process.argv[2] ?? CONFIG_PATH);
  const problems = await checkBuilderConfig(loadConfig(path), dirname(path));
  if (problems.length > 0) {
    console.error(`${path}:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    process.exit(1);
  }
  console.log(`${path}: valid (electron-builder schema ${SCHEMA_PATH}) and within the packaging policy`);
}
