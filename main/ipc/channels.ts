/**
 * IPC channel naming, kept apart from the zod schemas so that the preload
 * script stays tiny (it needs the names, not the validators: main validates).
 */
const IPC_PREFIX = 'parley:';
export const channel = (name: string): string => `${IPC_PREFIX}${name}`;

/** The switch main adds to each window's renderer arguments to tell it the default server. */
export const SERVER_URL_SWITCH = '--parley-server-url=';
