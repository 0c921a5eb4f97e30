/** The call clock: "Connecting…" until media flows, then mm:ss since then. */
import { useEffect, useState } from 'react';
import { formatClock } from './words.js';

export function CallTimer({ connectedAt }: { connectedAt: number | null }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (connectedAt === null) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [connectedAt]);

  return (
    <span role="timer" aria-label="Call duration" className="timer">
      {connectedAt === null ? 'Connecting…' : formatClock((now - connectedAt) / 1000)}
    </span>
  );
}
