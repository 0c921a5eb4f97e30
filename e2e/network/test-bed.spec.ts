// The test bed itself: the server's address (the bridge's) keeps its MAC address while people's namespaces
// come and go, so nobody loses the server when another's namespace goes (netbed.ts, `fixedMac`: the
// restart scenario failed in CI when a port that went late took the bridge's address with it).
import { expect, test } from './support/fixtures.js';
import type { NetEnvironment } from './support/environment.js';
import { addHost, bridgeMac, removeHost, sh, type Host } from './support/netbed.js';

/** A TCP connect to the suite's signaling server from `host`'s namespace; throws if it takes over 2 s. */
const connectToServer = (env: NetEnvironment, host: Host): Promise<string> =>
  sh(
    'ip',
    'netns',
    'exec',
    host.ns,
    'timeout',
    '2',
    'bash',
    '-c',
    `exec 3<>/dev/tcp/${env.gateway}/${env.signalingPort}`,
  );

test('the bridge keeps its MAC address as namespaces come and go: nobody loses the server', async ({
  net,
}) => {
  const { env } = net;
  const before = bridgeMac(env);
  const staying = await addHost(env);
  let going: Host | undefined = await addHost(env);
  try {
    // Both reach the server, and so have its MAC address cached.
    await connectToServer(env, staying);
    await connectToServer(env, going);
    expect(bridgeMac(env), 'the bridge MAC after two ports joined').toBe(before);

    await removeHost(env, going);
    going = undefined;
    expect(bridgeMac(env), 'the bridge MAC after a port went').toBe(before);
    await connectToServer(env, staying);
  } finally {
    if (going) await removeHost(env, going);
    await removeHost(env, staying);
  }
});
