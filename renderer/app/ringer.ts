/**
 * What sounds, decided from state: the ringtone while a call rings on this device, ringback while our
 * call rings at the other end, each on its chosen device at its chosen volume. Nothing else starts or
 * stops a tone, but the ringtone test in Settings.
 */
import { ringingCall, type CallState } from '../state/call.js';
import type { DevicesState } from '../state/devices.js';
import type { ReadableStore } from '../util/store.js';
import type { Tones } from '../audio/tones.js';
import { nextTask } from '../util/next-task.js';

export class Ringer {
  /** The call the ringtone sounds for, or null. */
  private ringtoneFor: string | null = null;
  private ringback = false;

  constructor(
    private readonly tones: Tones,
    call: ReadableStore<CallState>,
    devices: ReadableStore<DevicesState>,
    /** Where work waits until the page has drawn what changed. */
    private readonly afterRender: (work: () => void) => void = nextTask,
  ) {
    call.subscribe((state) => this.follow(state));
    devices.subscribe(({ prefs }, before) => {
      if (prefs === before.prefs) return;
      tones.setRingDevice(prefs.ringDeviceId);
      tones.setRingVolume(prefs.ringVolume);
      tones.setSpeaker(prefs.speakerId);
    });
  }

  /** Settings' "Test ringtone": plays it, or stops it unless a call rings. */
  testRingtone(play: boolean): void {
    if (play) this.tones.startRingtone();
    else if (!this.ringtoneFor) this.tones.stopRingtone();
  }

  private follow(state: CallState): void {
    const ringing = ringingCall(state)?.callId ?? null;
    if (ringing !== this.ringtoneFor) {
      this.ringtoneFor = ringing;
      // The page draws the ringing call first: starting the ringtone holds the page for 4 to 10 ms, and the
      // sound is no later for it than the picture.
      if (ringing) this.afterRender(() => this.ringtoneFor === ringing && this.tones.startRingtone());
      else this.tones.stopRingtone();
    }
    const { call } = state;
    const ringback = call?.direction === 'outgoing' && call.phase === 'outgoing' && call.ringing;
    if (ringback !== this.ringback) {
      if (ringback) this.tones.startRingback();
      else this.tones.stopRingback();
      this.ringback = ringback;
    }
  }
}
