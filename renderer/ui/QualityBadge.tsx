/** The call quality at a glance: "Good · 42 ms · 0% loss · 1200 kbps · direct". */
import { useCall } from '../state/call.js';
import type { Quality } from '../call/quality.js';

const gradeWords: Record<Quality['grade'], string> = { good: 'Good', fair: 'Fair', poor: 'Poor' };
const pathWords: Record<Quality['path'], string> = {
  direct: 'direct',
  relayed: 'relayed',
  unknown: 'path unknown',
};

export function qualityText(q: Quality): string {
  const rtt = q.rttMs === null ? '– ms' : `${q.rttMs} ms`;
  return `${gradeWords[q.grade]} · ${rtt} · ${q.lossPercent}% loss · ${q.kbps} kbps · ${pathWords[q.path]}`;
}

export function QualityBadge() {
  const quality = useCall((s) => s.quality);
  return (
    <span aria-label="Call quality" role="note" className={`quality quality-${quality?.grade ?? 'unknown'}`}>
      {quality ? qualityText(quality) : 'Measuring quality…'}
    </span>
  );
}
