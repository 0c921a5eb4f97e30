/** A live level for the chosen microphone (its own stream, stopped when the Settings tab closes). */
import { useEffect, useState } from 'react';
import { useDevices } from '../state/devices.js';
import { usePreviewTrack } from './media-hooks.js';

const SAMPLE_MS = 100;

/** Loudness 0-100 from an RMS amplitude, on a -60..0 dBFS scale. */
const levelOf = (rms: number) =>
  Math.round(Math.min(100, Math.max(0, ((20 * Math.log10(rms || 1e-6) + 60) / 60) * 100)));

export function MicLevelMeter() {
  const deviceId = useDevices((s) => s.prefs.microphoneId);
  const { track, error } = usePreviewTrack('audio', deviceId);
  const [level, setLevel] = useState(0);

  useEffect(() => {
    if (!track) return;
    const context = new AudioContext();
    const source = context.createMediaStreamSource(new MediaStream([track]));
    const analyser = context.createAnalyser();
    analyser.fftSize = 1024;
    source.connect(analyser);
    void context.resume().catch(() => undefined);
    const samples = new Float32Array(analyser.fftSize);
    const timer = setInterval(() => {
      analyser.getFloatTimeDomainData(samples);
      let sum = 0;
      for (const s of samples) sum += s * s;
      setLevel(levelOf(Math.sqrt(sum / samples.length)));
    }, SAMPLE_MS);
    return () => {
      clearInterval(timer);
      source.disconnect();
      void context.close().catch(() => undefined);
      setLevel(0);
    };
  }, [track]);

  return (
    <div className="meter-wrap">
      <div
        role="meter"
        aria-label="Microphone level"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={level}
        className="meter"
      >
        <div className={`meter-fill ${level > 85 ? 'meter-hot' : ''}`} style={{ width: `${level}%` }} />
      </div>
      {error && <p className="error small">{error}</p>}
    </div>
  );
}
