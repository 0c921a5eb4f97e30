/**
 * The UI's only media side effects: attaching a stream to a <video> and
 * routing its sound to the chosen speaker, and a preview track the Settings
 * tab opens for itself and stops when it goes away.
 */
import { useEffect, useRef, useState, type RefObject } from 'react';
import { useApp } from '../app/context.js';
import { openTrack, type LocalMediaError } from '../call/media.js';
import { errorWords } from './error-words.js';

type SinkElement = HTMLMediaElement & { setSinkId?: (id: string) => Promise<void> };

/** A ref for a media element that always shows `stream`. */
export function useSrcObject<T extends HTMLMediaElement>(stream: MediaStream | null): RefObject<T | null> {
  const ref = useRef<T>(null);
  useEffect(() => {
    const el = ref.current;
    if (el && el.srcObject !== stream) el.srcObject = stream;
  }, [stream]);
  return ref;
}

/** Plays the element's sound on the chosen speaker ('' or undefined: the system default), where the browser can. */
export function useSinkId(ref: RefObject<HTMLMediaElement | null>, speakerId: string | undefined): void {
  useEffect(() => {
    const el = ref.current as SinkElement | null;
    if (el?.setSinkId) void el.setSinkId(speakerId ?? '').catch(() => undefined);
  }, [ref, speakerId]);
}

export interface PreviewTrack {
  track: MediaStreamTrack | null;
  error: string | null;
}

/** Opens a microphone or camera track for a preview while mounted; stops it on unmount or device change. */
export function usePreviewTrack(kind: 'audio' | 'video', deviceId: string | undefined): PreviewTrack {
  const app = useApp();
  const [state, setState] = useState<PreviewTrack>({ track: null, error: null });
  useEffect(() => {
    let live = true;
    let opened: MediaStreamTrack | null = null;
    openTrack(kind, deviceId || undefined).then(
      ({ track }) => {
        if (!live) return track.stop();
        opened = track;
        setState({ track, error: null });
        void app.devices.refresh(); // labels appear once access is granted
      },
      (err: unknown) => {
        if (live)
          setState({ track: null, error: errorWords((err as LocalMediaError).code ?? 'E_MEDIA_FAILED') });
      },
    );
    return () => {
      live = false;
      opened?.stop();
    };
  }, [app, kind, deviceId]);
  return state;
}
