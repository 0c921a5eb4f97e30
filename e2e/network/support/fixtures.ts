/**
 * The `net` fixture of the network suite: `net.add('alice')` gives a person
 * (the e2e `Person`, registered through the UI) whose Chromium runs in a
 * network namespace of their own, plus that namespace (`host`) for faults.
 * Chromium is launched through a wrapper executable that enters the
 * namespace (`ip netns exec NS chromium "$@"`); Playwright drives it over a
 * pipe, which the namespace does not affect. At the end of each test the
 * browsers close and the namespaces go, whatever happened.
 */
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from '@playwright/test';
import e2eConfig from '../../../playwright.config.js';
import { serverUrl } from '../../support/environment.js';
import { registerPerson, test as base, type Person } from '../../support/fixtures.js';
import { netEnvironment, skipReason, type NetEnvironment } from './environment.js';
import { addHost, removeHost, type Host } from './netbed.js';
import { noisyCameraFile } from './noisy-camera.js';

export { expect } from '../../support/fixtures.js';

export type NetPerson = Person & { host: Host };

interface Net {
  /** What global setup made: the bridge, ports of the server and coturn. */
  env: NetEnvironment;
  /** A new person in a namespace of their own, registered and signed in. */
  add(name: string): Promise<NetPerson>;
  /** Alice and Bob, each in their own namespace, made side by side, and contacts of each other. */
  pair(): Promise<[NetPerson, NetPerson]>;
}

/** Alice calls Bob with video and he answers; resolves once media flows both ways. */
export async function startVideoCall(alice: NetPerson, bob: NetPerson): Promise<void> {
  await alice.callAndConnect(bob, 'video');
  await Promise.all([alice.waitForMediaFlowing(), bob.waitForMediaFlowing()]);
}

/** Chromium as the other suites launch it, which this suite runs inside a namespace. */
function chromiumPath(): string {
  return e2eConfig.use?.launchOptions?.executablePath ?? chromium.executablePath();
}

function writeWrapper(env: NetEnvironment, host: Host): string {
  const path = join(env.dir, `chromium-${host.ns}.sh`);
  // The pipe Playwright talks over is inherited through `ip netns exec`, which only enters the namespace.
  writeFileSync(path, `#!/bin/sh\nexec ip netns exec '${host.ns}' '${chromiumPath()}' "$@"\n`);
  chmodSync(path, 0o755);
  return path;
}

/**
 * What each person's camera shows: Chromium's own fake picture, or a picture with a real camera's sensor
 * noise (noisy-camera.ts) for a scenario that measures how the encoder answers the network:
 * `test.use({ camera: 'noisy' })`.
 */
export type Camera = 'fake' | 'noisy';

export const test = base.extend<{ net: Net; camera: Camera }>({
  camera: ['fake', { option: true }],
  net: async ({ camera }, use) => {
    const why = skipReason();
    if (why) console.log(`network suite skipped: ${why}`);
    test.skip(why !== null, why ?? '');
    const env = netEnvironment();
    const made: { host: Host; browser?: Browser }[] = [];
    try {
      const net: Net = {
        env,
        async pair() {
          const [alice, bob] = await Promise.all([net.add('alice'), net.add('bob')]);
          await alice.befriend(bob);
          return [alice, bob];
        },
        async add(name) {
          const entry: { host: Host; browser?: Browser } = { host: await addHost(env) };
          made.push(entry);
          entry.browser = await chromium.launch({
            ...e2eConfig.use?.launchOptions,
            executablePath: writeWrapper(env, entry.host),
            args: [
              ...(e2eConfig.use?.launchOptions?.args ?? []),
              // The app comes from the bridge's address over plain HTTP: let it use camera and microphone.
              `--unsafely-treat-insecure-origin-as-secure=${serverUrl()}`,
              // Trust coturn's throwaway certificate (TURN over TLS), and nothing else.
              `--ignore-certificate-errors-spki-list=${env.certificateSpki}`,
              ...(camera === 'noisy'
                ? [`--use-file-for-fake-video-capture=${noisyCameraFile(env.dir)}`]
                : []),
            ],
          });
          const context = await entry.browser.newContext({ permissions: ['camera', 'microphone'] });
          const person = await registerPerson(context, name, () => {
            throw new Error('a second device is not part of the network suite');
          });
          return Object.assign(person, { host: entry.host });
        },
      };
      await use(net);
    } finally {
      for (const { host, browser } of made) {
        await browser?.close();
        await removeHost(env, host);
      }
    }
  },
});
