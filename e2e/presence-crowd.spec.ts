// A crowd of contacts going and coming back at once (a restart's reconnect storm, as one person sees it):
// Alice's contact list shows every one of them Offline, then Online, though the server sent most of those
// changes held together in presence.batch frames, which the test counts on Alice's WebSocket.
import { connect, register } from '../signaling/test-support/harness.js';
import { serverUrl } from './support/environment.js';
import { expect, test } from './support/fixtures.js';

const CROWD = 20;

test("a crowd of contacts leaving and coming back at once shows in Alice's list, in a few frames", async ({
  people,
}) => {
  /** The presence frames Alice's page received, as sent. */
  const presenceFrames: string[] = [];
  const alice = await people.add('alice', {
    prepare: async (context) => {
      context.on('page', (page) =>
        page.on('websocket', (socket) =>
          socket.on('framereceived', ({ payload }) => {
            if (typeof payload === 'string' && payload.includes('"presence.')) presenceFrames.push(payload);
          }),
        ),
      );
    },
  });
  const server = { url: serverUrl() };
  const suffix = alice.username.split('-')[1]!;
  const crowd = await Promise.all(
    Array.from({ length: CROWD }, async (_, i) => {
      const [username, displayName] = [
        `crowd${String(i).padStart(2, '0')}-${suffix}`,
        `Crowd ${i} ${suffix}`,
      ];
      const { token } = await register(server, username, displayName);
      return { username, displayName, token, device: await connect(server, token) };
    }),
  );

  await Promise.all(crowd.map((m) => m.device.ok('contacts.request', { username: alice.username })));
  await alice.tab('Contacts').click();
  for (const member of crowd)
    await alice
      .contact(member)
      .getByRole('button', { name: `Accept ${member.displayName}`, exact: true })
      .click();
  for (const member of crowd) await expect(alice.contact(member)).toContainText('Online');

  const before = presenceFrames.length;
  for (const member of crowd) member.device.close();
  for (const member of crowd) await expect(alice.contact(member)).toContainText('Offline');
  const back = await Promise.all(crowd.map((m) => connect(server, m.token)));
  for (const member of crowd) await expect(alice.contact(member)).toContainText('Online');
  for (const device of back) device.close();

  // 40 changes reached Alice's list; the server held most of them together.
  const frames = presenceFrames.slice(before);
  expect(frames.filter((f) => f.includes('"presence.batch"')).length, frames.join('\n')).toBeGreaterThan(0);
  expect(frames.length).toBeLessThan(2 * CROWD);
});
