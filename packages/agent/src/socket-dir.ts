/**
 * The agent's socket lives in a directory only its user may enter (0700):
 * whoever can connect can sign as the client, exactly as whoever can read
 * client.json (0600) can. These checks refuse a directory that is shared,
 * not a directory, a symlink, or another user's, and a socket path too long
 * for sockaddr_un.
 */
import { chmodSync, lstatSync, mkdirSync, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import { QsignError } from '@qsign/protocol';
import { canReachSocket } from './thin-client.js';

/** sun_path is 108 bytes on Linux, 104 on the BSDs; keep room for the NUL. */
export const MAX_SOCKET_PATH = 103;

/** Creates (0700) or checks the socket's directory; throws CONFIG saying what is wrong. */
export function prepareSocketDir(socket: string): void {
  if (Buffer.byteLength(socket) > MAX_SOCKET_PATH)
    throw new QsignError('CONFIG', `agent socket path ${socket} is ${Buffer.byteLength(socket)} bytes, more than a unix socket address holds (${MAX_SOCKET_PATH}); choose a shorter "agent.socket"`);
  const dir = dirname(socket);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = lstatSync(dir);
  if (!st.isDirectory()) throw new QsignError('CONFIG', `agent socket directory ${dir} is not a directory (a symlink is refused too)`);
  if (typeof process.getuid === 'function' && st.uid !== process.getuid())
    throw new QsignError('CONFIG', `agent socket directory ${dir} belongs to uid ${st.uid}, not to this user (${process.getuid()})`);
  if ((st.mode & 0o077) !== 0)
    throw new QsignError('CONFIG', `agent socket directory ${dir} is mode 0${(st.mode & 0o777).toString(8)}: it must be 0700, since whoever can connect signs as this client (chmod 700 ${dir})`);
}

/**
 * Removes a stale socket left by an agent that died; refuses if an agent
 * still answers there, or if the path is something other than a socket.
 */
export async function clearStaleSocket(socket: string): Promise<void> {
  let st;
  try {
    st = lstatSync(socket);
  } catch {
    return;
  }
  if (!st.isSocket()) throw new QsignError('CONFIG', `${socket} exists and is not a socket: not replacing it`);
  if (await canReachSocket(socket)) throw new QsignError('CONFIG', `an agent is already listening on ${socket}`);
  unlinkSync(socket);
}

/** Makes the socket itself owner-only (0600), on top of its 0700 directory. */
export function restrictSocket(socket: string): void {
  chmodSync(socket, 0o600);
}
