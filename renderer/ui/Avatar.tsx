/** A round avatar with initials, and the presence dot (decorative: presence is always also in words). */
import type { CSSProperties } from 'react';
import type { Presence } from '../../signaling/protocol/index.js';
import { hueOf, initials } from './words.js';

export function Avatar({
  name,
  id,
  presence,
  size = 'md',
}: {
  name: string;
  id: string;
  presence?: Presence | undefined;
  size?: 'sm' | 'md' | 'xl';
}) {
  return (
    <span
      className={`avatar avatar-${size}`}
      style={{ '--hue': hueOf(id) } as CSSProperties}
      aria-hidden="true"
    >
      {initials(name)}
      {presence && <PresenceDot presence={presence} />}
    </span>
  );
}

export function PresenceDot({ presence }: { presence: Presence }) {
  return <span className={`dot dot-${presence}`} aria-hidden="true" />;
}
