/** Structured JSON logs (pino). */
import { pino, type Logger } from 'pino';

export type { Logger };

export const createLogger = (level: string): Logger =>
  pino({
    level,
    base: { service: 'parley-signaling' },
    redact: ['req.headers.authorization', '*.token', '*.password'],
  });
