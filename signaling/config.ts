/**
 * Server settings from command-line flags and PARLEY_* environment
 * variables (flags win), validated with zod. Every setting is listed in
 * the README (readme-settings.test.ts compares the two).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { PUBLIC_HOST } from './host-check.js';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const seconds = z.coerce.number().positive().max(86_400);
const days = z.coerce.number().positive().max(3_650);
/** A browser Origin value: `https://parley.example`, `app://parley`; no path, no trailing slash. */
const ORIGIN = /^[a-z][a-z0-9+.-]*:\/\/[^/?#\s]+$/i;
const commaList = z
  .string()
  .default('')
  .transform((s) =>
    s
      .split(',')
      .map((o) => o.trim())
      .filter(Boolean),
  );
const urlList = (scheme: RegExp, what: string) =>
  commaList.pipe(z.array(z.string().regex(scheme, `expected ${what}`)));
const count = z.coerce.number().int().positive().max(1_000_000);

/** A listen address `host:port`: `127.0.0.1:9464`, `[::1]:9464`, `localhost:9464` (port 0: any free port). */
export interface ListenAddress {
  host: string;
  port: number;
}
const listenAddress = z.string().transform((value, ctx): ListenAddress => {
  const match = /^(?:\[([0-9a-f:.]+)\]|([^\s:[\]/]+)):(\d{1,5})$/i.exec(value);
  const port = Number(match?.[3]);
  if (!match || port > 65_535) {
    ctx.addIssue({
      code: 'custom',
      message: `expected host:port (port 0-65535), e.g. 127.0.0.1:9464; got "${value}"`,
    });
    return z.NEVER;
  }
  return { host: (match[1] ?? match[2])!, port };
});

/** One entry per setting: flag name, environment variable, schema with default. */
const settings = {
  host: { env: 'PARLEY_HOST', schema: z.string().min(1).default('127.0.0.1') },
  port: { env: 'PARLEY_PORT', schema: z.coerce.number().int().min(0).max(65_535).default(4700) },
  dataDir: { env: 'PARLEY_DATA_DIR', schema: z.string().min(1).default('data') },
  allowedOrigins: {
    env: 'PARLEY_ALLOWED_ORIGINS',
    schema: commaList.pipe(
      z.array(z.string().regex(ORIGIN, 'an origin is scheme://host[:port], with no path')),
    ),
  },
  publicHosts: {
    env: 'PARLEY_PUBLIC_HOSTS',
    schema: commaList.pipe(z.array(z.string().regex(PUBLIC_HOST, 'a host name, optionally with :port'))),
  },
  openRegistration: { env: 'PARLEY_OPEN_REGISTRATION', schema: bool.default(true) },
  ringTimeout: { env: 'PARLEY_RING_TIMEOUT', schema: seconds.default(45) },
  gracePeriod: { env: 'PARLEY_GRACE_PERIOD', schema: seconds.default(10) },
  trustProxy: { env: 'PARLEY_TRUST_PROXY', schema: bool.default(false) },
  stunUrls: { env: 'PARLEY_STUN_URLS', schema: urlList(/^stuns?:/, 'a stun: or stuns: URL') },
  turnUrls: { env: 'PARLEY_TURN_URLS', schema: urlList(/^turns?:/, 'a turn: or turns: URL') },
  turnSecret: { env: 'PARLEY_TURN_SECRET', schema: z.string().min(16).optional() },
  turnSecretFile: { env: 'PARLEY_TURN_SECRET_FILE', schema: z.string().min(1).optional() },
  turnCredentialTtl: { env: 'PARLEY_TURN_CREDENTIAL_TTL', schema: seconds.default(3600) },
  // Unset, the server serves dist/renderer beside its code (web.ts): the README shows that.
  webDir: { env: 'PARLEY_WEB_DIR', schema: z.string().min(1).optional(), shownDefault: 'dist/renderer' },
  logLevel: {
    env: 'PARLEY_LOG_LEVEL',
    schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  },
  invitesPerMinute: { env: 'PARLEY_INVITES_PER_MINUTE', schema: count.default(10) },
  relayPer10s: { env: 'PARLEY_RELAY_PER_10S', schema: count.default(200) },
  connectWhileRinging: { env: 'PARLEY_CONNECT_WHILE_RINGING', schema: bool.default(true) },
  maxDevicesPerUser: { env: 'PARLEY_MAX_DEVICES_PER_USER', schema: count.default(10) },
  registrationsPerHour: { env: 'PARLEY_REGISTRATIONS_PER_HOUR', schema: count.default(20) },
  loginFailuresPerAccountAddress: {
    env: 'PARLEY_LOGIN_FAILURES_PER_ACCOUNT_ADDRESS',
    schema: count.default(10),
  },
  loginFailuresPerAddress: { env: 'PARLEY_LOGIN_FAILURES_PER_ADDRESS', schema: count.default(50) },
  loginThrottleWindow: { env: 'PARLEY_LOGIN_THROTTLE_WINDOW', schema: seconds.default(900) },
  sessionIdleDays: { env: 'PARLEY_SESSION_IDLE_DAYS', schema: days.default(30) },
  sessionMaxDays: { env: 'PARLEY_SESSION_MAX_DAYS', schema: days.default(180) },
  metricsListen: { env: 'PARLEY_METRICS_LISTEN', schema: listenAddress.optional() },
  redisUrl: {
    env: 'PARLEY_REDIS_URL',
    schema: z
      .string()
      .regex(/^rediss?:\/\/\S+$/, 'expected a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379')
      .optional(),
  },
  databaseUrl: {
    env: 'PARLEY_DATABASE_URL',
    schema: z
      .string()
      .regex(
        /^postgres(ql)?:\/\/\S+$/,
        'expected a postgres:// or postgresql:// URL, e.g. postgres://parley:secret@127.0.0.1:5432/parley',
      )
      .optional(),
  },
} as const;

type Settings = typeof settings;
export type ServerConfig = { [K in keyof Settings]: z.output<Settings[K]['schema']> };

/** Flag spellings: `dataDir` is `--data-dir`, `relayPer10s` is `--relay-per-10s`. */
const flagName = (key: string): string => key.replace(/[A-Z]|\d+/g, (c) => `-${c.toLowerCase()}`);

export class ConfigError extends Error {}

/** Reads settings; throws ConfigError naming every bad value. */
export function loadConfig(
  argv: readonly string[] = [],
  env: Readonly<Record<string, string | undefined>> = process.env,
): ServerConfig {
  const options = Object.fromEntries(
    Object.keys(settings).map((k) => [flagName(k), { type: 'string' as const }]),
  );
  let flags: Record<string, string | boolean | undefined>;
  try {
    flags = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values;
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
  const config: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [key, { env: envName, schema }] of Object.entries(settings)) {
    const raw = (flags[flagName(key)] ?? env[envName])?.toString().trim();
    const parsed = (schema as z.ZodType).safeParse(raw === '' ? undefined : raw);
    if (parsed.success) config[key] = parsed.data;
    else
      problems.push(
        `--${flagName(key)} / ${envName}: ${parsed.error.issues.map((i) => i.message).join('; ')}`,
      );
  }
  readTurnSecretFile(config, problems);
  checkMetricsApart(config, problems);
  if (problems.length) throw new ConfigError(`invalid settings:\n  ${problems.join('\n  ')}`);
  return config as ServerConfig;
}

/**
 * `turnSecretFile` sets `turnSecret` from a file (trimmed), so the secret is not in the command line
 * where `ps` shows it. Problems are added to `problems`.
 */
function readTurnSecretFile(config: Partial<Record<keyof ServerConfig, unknown>>, problems: string[]): void {
  const path = config.turnSecretFile as string | undefined;
  if (path === undefined) return;
  const setting = '--turn-secret-file / PARLEY_TURN_SECRET_FILE';
  if (config.turnSecret !== undefined) {
    problems.push(`${setting}: set either it or --turn-secret / PARLEY_TURN_SECRET, not both`);
    return;
  }
  let secret: string;
  try {
    secret = readFileSync(path, 'utf8').trim();
  } catch (err) {
    problems.push(`${setting}: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    return;
  }
  if (secret.length < 16) {
    problems.push(`${setting}: ${path} ${secret ? 'holds fewer than 16 characters' : 'is empty'}`);
    return;
  }
  config.turnSecret = secret;
}

/** Metrics have an address of their own: the public one would publish them. */
function checkMetricsApart(config: Partial<Record<keyof ServerConfig, unknown>>, problems: string[]): void {
  const metrics = config.metricsListen as ListenAddress | undefined;
  if (metrics === undefined || metrics.port === 0 || metrics.port !== config.port) return;
  if (metrics.host.toLowerCase() !== String(config.host).toLowerCase()) return;
  problems.push(
    `--metrics-listen / PARLEY_METRICS_LISTEN: ${metrics.host}:${metrics.port} is the public address ` +
      `(--host, --port); give metrics a port of their own`,
  );
}

/** Each setting as the README's table lists it: flag, variable, and the default in words. */
export const documentedSettings = (): { flag: string; env: string; default: string }[] =>
  Object.entries(settings).map(([key, setting]) => {
    const value: unknown = (setting.schema as z.ZodType).parse(undefined);
    const shown = 'shownDefault' in setting ? setting.shownDefault : value;
    const none = shown === undefined || (Array.isArray(shown) && shown.length === 0);
    return { flag: `--${flagName(key)}`, env: setting.env, default: none ? 'none' : String(shown) };
  });

/** Settings as documented: for `--help`. */
export const describeSettings = (): string =>
  Object.entries(settings)
    .map(([key, { env }]) => `  --${flagName(key).padEnd(30)} ${env}`)
    .join('\n');
