/**
 * electron-builder.yml against electron-builder's own schema (ajv, draft-07) and its own validator, and
 * against the packaging policy: fuses, macOS usage strings and entitlements, protocol, targets. Broken
 * copies of the real file prove each check can fail.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  builderErrors,
  checkBuilderConfig,
  CONFIG_PATH,
  loadConfig,
  MAC_ENTITLEMENTS,
  policyErrors,
  REQUIRED_FUSES,
  SCHEMA_PATH,
  schemaErrors,
} from './check-builder-config.js';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..');

type Config = Record<string, Record<string, unknown> & unknown>;

/** A fresh copy of the real configuration, to break one thing in. */
const real = (): Config => structuredClone(loadConfig()) as Config;

describe('electron-builder.yml', () => {
  it('uses the schema of the installed electron-builder (draft-07)', () => {
    const schema = JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as { $schema: string; definitions: object };
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(schema.definitions).toHaveProperty('FuseOptionsV1');
  });

  it('is valid for the schema, for electron-builder and for the policy', async () => {
    const config = loadConfig(CONFIG_PATH);
    expect(schemaErrors(config)).toEqual([]);
    expect(await builderErrors(config)).toEqual([]);
    expect(policyErrors(config)).toEqual([]);
  });

  it('sets every fuse, the usage strings, the protocol and the targets', () => {
    const config = real();
    expect(config.electronFuses).toEqual(REQUIRED_FUSES);
    expect(config.mac?.extendInfo).toEqual({
      NSCameraUsageDescription: expect.stringMatching(/camera/i),
      NSMicrophoneUsageDescription: expect.stringMatching(/microphone/i),
    });
    expect(config.protocols).toEqual([{ name: 'Parley call link', schemes: ['parley'] }]);
    expect(config.linux?.target).toEqual(['AppImage', 'deb']);
    expect(config.mac?.target).toEqual([{ target: 'dmg', arch: ['arm64', 'x64'] }]);
    expect(config.win?.target).toEqual([{ target: 'nsis', arch: ['x64'] }]);
    expect(config.files).toEqual(expect.arrayContaining(['dist/main/**', 'dist/renderer/**', '!**/*.map']));
    const plist = readFileSync(join(REPO, String(config.mac?.entitlements)), 'utf8');
    for (const key of MAC_ENTITLEMENTS) expect(plist).toContain(`<key>${key}</key>`);
  });

  describe('a broken configuration fails', () => {
    it('on a misspelt fuse (schema and electron-builder), and reports the missing one (policy)', async () => {
      const config = real();
      const fuses = config.electronFuses as Record<string, unknown>;
      delete fuses.runAsNode;
      fuses.runAsnode = false;
      expect(schemaErrors(config)).toEqual([
        "configuration.electronFuses has an unknown property 'runAsnode'",
      ]);
      expect(await builderErrors(config)).toEqual([expect.stringContaining('configuration.electronFuses')]);
      expect(policyErrors(config)).toEqual(['electronFuses.runAsNode must be false']);
    });

    it('on a value of the wrong type, an unknown option and a bad enum value', async () => {
      const config = real();
      config.asar = 'yes' as never;
      config.appIdentifier = 'org.parley.desktop' as never;
      config.mac = { ...config.mac, target: ['dmg', 'exe'] };
      const errors = schemaErrors(config);
      expect(errors).toContain('configuration.asar must be object | null | boolean');
      expect(errors).toContain("configuration has an unknown property 'appIdentifier'");
      expect(errors).toContainEqual(
        expect.stringMatching(/^configuration\.mac\.target\.1 must be equal to one/),
      );
      expect((await checkBuilderConfig(config)).length).toBeGreaterThan(errors.length);
    });

    it('on a weakened fuse, a missing usage string or entitlement, a lost protocol or target', () => {
      const config = real();
      (config.electronFuses as Record<string, unknown>).enableNodeCliInspectArguments = true;
      delete (config.mac?.extendInfo as Record<string, unknown>).NSMicrophoneUsageDescription;
      config.protocols = [{ name: 'Parley call link', schemes: ['parly'] }] as never;
      config.linux = { ...config.linux, target: 'AppImage' };
      // Valid for electron-builder, so only the policy can catch these.
      expect(schemaErrors(config)).toEqual([]);
      expect(policyErrors(config)).toEqual([
        'electronFuses.enableNodeCliInspectArguments must be false',
        'protocols must register the parley scheme',
        'linux.target must include deb',
        'mac.extendInfo.NSMicrophoneUsageDescription must say why Parley needs it',
      ]);
    });

    describe('on entitlements that are missing or lack the camera', () => {
      let root: string;
      beforeAll(() => {
        root = mkdtempSync(join(tmpdir(), 'parley-builder-'));
      });
      afterAll(() => rmSync(root, { recursive: true, force: true }));

      it('reports the file and the entitlement', () => {
        const config = real();
        expect(policyErrors(config, root)).toEqual([
          'mac.entitlements: build/entitlements.mac.plist does not exist',
        ]);
        const plist = readFileSync(join(REPO, 'build/entitlements.mac.plist'), 'utf8');
        mkdirSync(join(root, 'build'));
        writeFileSync(
          join(root, 'build/entitlements.mac.plist'),
          plist.replace('com.apple.security.device.camera', 'com.apple.security.device.usb'),
        );
        expect(policyErrors(config, root)).toEqual([
          'build/entitlements.mac.plist must grant com.apple.security.device.camera',
        ]);
      });
    });
  });
});
