import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

/** The ConfigError thrown by `fn`, so its message can be checked. */
function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('uses the defaults with no flags and an empty environment', () => {
    expect(loadConfig([], {})).toEqual({
      host: '127.0.0.1',
      port: 4700,
      dataDir: 'data',
      allowedOrigins: [],
      publicHosts: [],
      openRegistration: true,
      ringTimeout: 45,
      gracePeriod: 10,
      trustProxy: false,
      logLevel: 'info',
      invitesPerMinute: 10,
      relayPer10s: 200,
      connectWhileRinging: true,
      maxDevicesPerUser: 10,
      registrationsPerHour: 20,
      stunUrls: [],
      turnUrls: [],
      turnSecret: undefined,
      turnSecretFile: undefined,
      turnCredentialTtl: 3600,
      webDir: undefined,
      loginFailuresPerAccountAddress: 10,
      loginFailuresPerAddress: 50,
      loginThrottleWindow: 900,
      sessionIdleDays: 30,
      sessionMaxDays: 180,
      metricsListen: undefined,
    });
  });

  it('reads PARLEY_* environment variables', () => {
    const config = loadConfig([], {
      PARLEY_HOST: '0.0.0.0',
      PARLEY_PORT: '8080',
      PARLEY_DATA_DIR: '/var/lib/parley',
      PARLEY_OPEN_REGISTRATION: 'no',
      PARLEY_RING_TIMEOUT: '30',
      PARLEY_GRACE_PERIOD: '2.5',
      PARLEY_TRUST_PROXY: '1',
      PARLEY_LOG_LEVEL: 'debug',
      PARLEY_INVITES_PER_MINUTE: '5',
      PARLEY_RELAY_PER_10S: '100',
      PARLEY_CONNECT_WHILE_RINGING: 'false',
      PARLEY_LOGIN_FAILURES_PER_ACCOUNT_ADDRESS: '3',
      PARLEY_MAX_DEVICES_PER_USER: '3',
      PARLEY_LOGIN_FAILURES_PER_ADDRESS: '20',
      PARLEY_LOGIN_THROTTLE_WINDOW: '60',
    });
    expect(config).toMatchObject({
      host: '0.0.0.0',
      port: 8080,
      dataDir: '/var/lib/parley',
      openRegistration: false,
      ringTimeout: 30,
      gracePeriod: 2.5,
      trustProxy: true,
      logLevel: 'debug',
      invitesPerMinute: 5,
      relayPer10s: 100,
      connectWhileRinging: false,
      maxDevicesPerUser: 3,
      loginFailuresPerAccountAddress: 3,
      loginFailuresPerAddress: 20,
      loginThrottleWindow: 60,
    });
  });

  it('treats an empty environment variable as unset', () => {
    expect(loadConfig([], { PARLEY_PORT: '', PARLEY_LOG_LEVEL: '' })).toMatchObject({
      port: 4700,
      logLevel: 'info',
    });
  });

  it('lets flags win over environment variables', () => {
    const env = {
      PARLEY_PORT: '8080',
      PARLEY_LOG_LEVEL: 'debug',
      PARLEY_DATA_DIR: '/env',
      PARLEY_TRUST_PROXY: 'true',
    };
    const config = loadConfig(
      [
        '--port',
        '9090',
        '--log-level=warn',
        '--data-dir',
        '/flag',
        '--trust-proxy',
        'false',
        '--ring-timeout',
        '20',
      ],
      env,
    );
    expect(config).toMatchObject({
      port: 9090,
      logLevel: 'warn',
      dataDir: '/flag',
      trustProxy: false,
      ringTimeout: 20,
    });
  });

  it('splits PARLEY_ALLOWED_ORIGINS on commas and trims each origin', () => {
    const config = loadConfig([], {
      PARLEY_ALLOWED_ORIGINS: ' https://app.example.com , http://localhost:5173,,app://parley ',
    });
    expect(config.allowedOrigins).toEqual([
      'https://app.example.com',
      'http://localhost:5173',
      'app://parley',
    ]);
  });

  it.each([
    ['port', ['--port', 'x'], {}, '--port / PARLEY_PORT'],
    ['port from env', [], { PARLEY_PORT: 'x' }, '--port / PARLEY_PORT'],
    ['port out of range', ['--port', '70000'], {}, '--port / PARLEY_PORT'],
    ['negative ring timeout', ['--ring-timeout=-1'], {}, '--ring-timeout / PARLEY_RING_TIMEOUT'],
    [
      'negative ring timeout from env',
      [],
      { PARLEY_RING_TIMEOUT: '-1' },
      '--ring-timeout / PARLEY_RING_TIMEOUT',
    ],
    ['log level', [], { PARLEY_LOG_LEVEL: 'loud' }, '--log-level / PARLEY_LOG_LEVEL'],
    [
      'origin',
      [],
      { PARLEY_ALLOWED_ORIGINS: 'https://ok.example,not a url' },
      '--allowed-origins / PARLEY_ALLOWED_ORIGINS',
    ],
    ['boolean', ['--open-registration', 'maybe'], {}, '--open-registration / PARLEY_OPEN_REGISTRATION'],
    [
      'public host',
      [],
      { PARLEY_PUBLIC_HOSTS: 'parley.example,https://parley.example' },
      '--public-hosts / PARLEY_PUBLIC_HOSTS',
    ],
    [
      'fractional count',
      [],
      { PARLEY_INVITES_PER_MINUTE: '1.5' },
      '--invites-per-minute / PARLEY_INVITES_PER_MINUTE',
    ],
  ] as const)('rejects a bad %s, naming the flag and the variable', (_what, argv, env, names) => {
    const err = configError(() => loadConfig(argv, env));
    expect(err.message).toContain(names);
  });

  it('names every bad setting at once', () => {
    const err = configError(() => loadConfig(['--port', 'x'], { PARLEY_LOG_LEVEL: 'loud' }));
    expect(err.message).toContain('--port / PARLEY_PORT');
    expect(err.message).toContain('--log-level / PARLEY_LOG_LEVEL');
  });

  it('rejects an unknown flag', () => {
    const err = configError(() => loadConfig(['--prot', '4700'], {}));
    expect(err.message).toContain('--prot');
  });

  it('rejects positional arguments', () => {
    configError(() => loadConfig(['serve'], {}));
  });
});

describe('ICE settings', () => {
  it('reads STUN and TURN lists and rejects URLs of the wrong scheme', () => {
    const config = loadConfig([], {
      PARLEY_STUN_URLS: 'stun:stun.example:3478',
      PARLEY_TURN_URLS: 'turn:turn.example:3478?transport=udp, turns:turn.example:5349',
      PARLEY_TURN_SECRET: 'a-long-shared-secret',
    });
    expect(config.stunUrls).toEqual(['stun:stun.example:3478']);
    expect(config.turnUrls).toEqual(['turn:turn.example:3478?transport=udp', 'turns:turn.example:5349']);
    expect(() => loadConfig([], { PARLEY_TURN_URLS: 'http://turn.example' })).toThrow(/PARLEY_TURN_URLS/);
    expect(() => loadConfig([], { PARLEY_TURN_SECRET: 'short' })).toThrow(/PARLEY_TURN_SECRET/);
  });
});

describe('--turn-secret-file', () => {
  let dir: string;
  beforeEach(() => void (dir = mkdtempSync(join(tmpdir(), 'parley-secret-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const secretFile = (content: string): string => {
    const path = join(dir, 'turn-secret');
    writeFileSync(path, content);
    return path;
  };

  it('reads the TURN secret from a file, trimmed, by flag or environment variable', () => {
    const path = secretFile('  a-long-shared-secret-from-a-file\n');
    expect(loadConfig(['--turn-secret-file', path], {}).turnSecret).toBe('a-long-shared-secret-from-a-file');
    expect(loadConfig([], { PARLEY_TURN_SECRET_FILE: path }).turnSecret).toBe(
      'a-long-shared-secret-from-a-file',
    );
  });

  it('refuses an unreadable, empty or short file, and both ways at once, naming the setting', () => {
    const setting = '--turn-secret-file / PARLEY_TURN_SECRET_FILE';
    const missing = configError(() => loadConfig(['--turn-secret-file', join(dir, 'nope')], {}));
    expect(missing.message).toContain(`${setting}: cannot read ${join(dir, 'nope')}: ENOENT`);
    const folder = configError(() => loadConfig(['--turn-secret-file', dir], {}));
    expect(folder.message).toContain(`${setting}: cannot read ${dir}: EISDIR`);
    const empty = configError(() => loadConfig(['--turn-secret-file', secretFile(' \n')], {}));
    expect(empty.message).toContain(`${setting}: ${join(dir, 'turn-secret')} is empty`);
    const short = configError(() => loadConfig(['--turn-secret-file', secretFile('too-short\n')], {}));
    expect(short.message).toContain('holds fewer than 16 characters');
    const both = configError(() =>
      loadConfig(['--turn-secret-file', secretFile('a-long-shared-secret')], {
        PARLEY_TURN_SECRET: 'another-long-shared-secret',
      }),
    );
    expect(both.message).toContain(
      `${setting}: set either it or --turn-secret / PARLEY_TURN_SECRET, not both`,
    );
  });
});

describe('the metrics listener setting', () => {
  it('reads host:port from the flag or the variable, IPv6 in brackets, port 0 for any', () => {
    expect(loadConfig(['--metrics-listen', '127.0.0.1:9464'], {}).metricsListen).toEqual({
      host: '127.0.0.1',
      port: 9464,
    });
    expect(loadConfig([], { PARLEY_METRICS_LISTEN: '[::1]:0' }).metricsListen).toEqual({
      host: '::1',
      port: 0,
    });
    expect(loadConfig([], { PARLEY_METRICS_LISTEN: 'localhost:9464' }).metricsListen?.host).toBe('localhost');
  });

  it.each(['9464', '127.0.0.1', '127.0.0.1:65536', 'http://127.0.0.1:9464', '::1:9464', 'a host:1'])(
    'rejects %s, naming the setting and the form it takes',
    (value) => {
      const err = configError(() => loadConfig([], { PARLEY_METRICS_LISTEN: value }));
      expect(err.message).toContain(
        `--metrics-listen / PARLEY_METRICS_LISTEN: expected host:port (port 0-65535), e.g. 127.0.0.1:9464; got "${value}"`,
      );
    },
  );

  it('refuses the public address, which would publish the metrics', () => {
    const err = configError(() => loadConfig(['--port', '8080', '--metrics-listen', '127.0.0.1:8080'], {}));
    expect(err.message).toContain(
      '--metrics-listen / PARLEY_METRICS_LISTEN: 127.0.0.1:8080 is the public address (--host, --port)',
    );
    expect(loadConfig(['--port', '8080', '--metrics-listen', '127.0.0.1:8081'], {}).metricsListen?.port).toBe(
      8081,
    );
  });
});
