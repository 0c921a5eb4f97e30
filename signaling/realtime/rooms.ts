/**
 * Socket.IO room names. Events always go to rooms, never to a socket object
 * held locally, so a Redis adapter can fan them out across server nodes.
 */
export const userRoom = (userId: number): string => `user:${userId}`;
export const deviceRoom = (userId: number, deviceId: string): string => `device:${userId}:${deviceId}`;
