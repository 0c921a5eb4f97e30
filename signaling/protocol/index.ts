/** The wire contract between Parley clients and the signaling server. No Node imports here. */
export * from './accounts.js';
export * from './calls.js';
export * from './common.js';
export * from './contacts.js';
export * from './errors.js';
export * from './events.js';
export * from './history.js';
export * from './ice.js';
export * from './presence.js';
