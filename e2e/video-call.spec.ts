// A video call between two browsers: media both ways (getStats), mute, camera off/on, device switch, hang up.
import { expect, test, type Person } from './support/fixtures.js';

/** Alice video-calls Bob, Bob accepts with video, and media flows both ways. */
async function videoCall(people: { add(name: string): Promise<Person> }): Promise<[Person, Person]> {
  const alice = await people.add('alice');
  const bob = await people.add('bob');
  await alice.befriend(bob);
  await alice.call(bob, 'video');
  await expect(bob.incomingCall(alice)).toContainText('Video call');
  await bob.accept(alice, 'video');
  await alice.waitForMediaFlowing(['audio', 'video']);
  await bob.waitForMediaFlowing(['audio', 'video']);
  return [alice, bob];
}

test('a video call carries audio and video both ways; hanging up releases camera and microphone', async ({
  people,
}) => {
  const [alice, bob] = await videoCall(people);
  await expect(alice.callWith(bob).getByLabel('Remote video', { exact: true })).toBeVisible();
  await expect(alice.callWith(bob).getByLabel('Your camera', { exact: true })).toBeVisible();

  // "Call ended" shows for a few seconds: watch for it in the pages from before the hang-up.
  const endedShown = await Promise.all([alice.watchFor('Call ended'), bob.watchFor('Call ended')]);
  await alice.callWith(bob).getByRole('button', { name: 'Hang up', exact: true }).click();
  await expect(alice.callWith(bob)).toBeHidden();
  await expect(bob.callWith(alice)).toBeHidden();
  for (const shown of endedShown) await expect.poll(shown).toBe(true);

  // Camera light off: every track either side opened has ended.
  for (const person of [alice, bob]) {
    const tracks = await person.localTracks();
    expect(tracks.map((t) => t.kind).sort(), `${person.displayName}'s tracks`).toEqual(['audio', 'video']);
    expect(
      tracks.filter((t) => t.readyState !== 'ended'),
      `${person.displayName}'s live tracks`,
    ).toEqual([]);
  }
});

test('mute silences Alice for Bob and unmute brings her back; camera off stops her video', async ({
  people,
}) => {
  const [alice, bob] = await videoCall(people);
  const call = alice.callWith(bob);
  const videoFrames = (i: { video: { framesDecoded: number } }) => i.video.framesDecoded;

  await test.step('mute', async () => {
    await call.getByRole('button', { name: 'Mute', exact: true }).click();
    await expect(call.getByRole('button', { name: 'Unmute', exact: true })).toHaveAttribute(
      'aria-pressed',
      'true',
    );
    await bob.waitForSilence('Alice');
    // Bob still hears from Alice's side only silence, but her video goes on.
    await bob.waitForGrowth("Alice's video frames", videoFrames);
  });

  await test.step('unmute', async () => {
    await call.getByRole('button', { name: 'Unmute', exact: true }).click();
    await expect(call.getByRole('button', { name: 'Mute', exact: true })).toHaveAttribute(
      'aria-pressed',
      'false',
    );
    await bob.waitForSound('Alice');
  });

  await test.step('camera off', async () => {
    await call.getByRole('button', { name: 'Turn camera off', exact: true }).click();
    await expect(call.getByRole('button', { name: 'Turn camera on', exact: true })).toBeVisible();
    await bob.waitForStall("Alice's video frames", videoFrames);
    await expect(call.getByLabel('Your camera', { exact: true })).toBeHidden();
    // Her camera is really off (not just hidden), and her voice still reaches Bob.
    expect((await alice.localTracks()).filter((t) => t.kind === 'video' && t.readyState === 'live')).toEqual(
      [],
    );
    await bob.waitForSound('Alice');
  });

  await test.step('camera on', async () => {
    await call.getByRole('button', { name: 'Turn camera on', exact: true }).click();
    await expect(call.getByRole('button', { name: 'Turn camera off', exact: true })).toBeVisible();
    await bob.waitForGrowth("Alice's video frames", videoFrames);
    await expect(call.getByLabel('Your camera', { exact: true })).toBeVisible();
  });

  // Alice never stopped hearing and seeing Bob.
  await alice.waitForMediaFlowing(['audio', 'video']);
});

test('switching microphone and camera mid-call keeps media flowing', async ({ people }) => {
  const [alice, bob] = await videoCall(people);
  const call = alice.callWith(bob);
  // Chromium's fake devices (launched with device-count=3): microphones "Fake Default Audio Input",
  // "Fake Audio Input 1" and "2"; cameras "fake_device_0" (the default, I420), "fake_device_1" (Y16, a
  // depth format WebRTC does not encode: it sends no frames, so it is not used) and "fake_device_2" (MJPEG).
  const live = async (kind: string) =>
    (await alice.localTracks()).filter((t) => t.kind === kind && t.readyState === 'live').map((t) => t.label);

  await test.step('microphone', async () => {
    const before = await live('audio');
    await call.getByLabel('Microphone', { exact: true }).selectOption({ label: 'Fake Audio Input 2' });
    await expect.poll(() => live('audio')).toEqual(['Fake Audio Input 2']);
    expect(before).not.toEqual(['Fake Audio Input 2']);
    await bob.waitForGrowth("Alice's audio bytes", (i) => i.audio.bytes);
    await bob.waitForSound('Alice');
  });

  await test.step('camera', async () => {
    const before = await live('video');
    await call.getByLabel('Camera', { exact: true }).selectOption({ label: 'fake_device_2' });
    await expect.poll(() => live('video')).toEqual(['fake_device_2']);
    expect(before).toEqual(['fake_device_0']);
    await bob.waitForGrowth("Alice's video frames", (i) => i.video.framesDecoded);
  });

  await bob.waitForMediaFlowing(['audio', 'video']);
  await alice.waitForMediaFlowing(['audio', 'video']);
});
