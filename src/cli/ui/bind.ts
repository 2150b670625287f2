/**
 * Where a local server may listen. The dashboard shows a machine's runs (paths, command lines, images of the
 * data) and has no login, so it binds to the loopback interface unless the user asks for another address
 * AND says --allow-remote; then it warns.
 */
import type { Server } from 'node:http';
import { isIP, type AddressInfo } from 'node:net';
import { UsageError } from '../errors.js';

export const DEFAULT_HOST = '127.0.0.1';
/** The dashboard's port when none is given; when it is taken, a free one is used instead. */
export const DEFAULT_PORT = 8231;

/** Parses --port: a whole number 0..65535 (0 picks a free port). */
export function parsePort(v: string): number {
  const x = Number(v);
  if (v.trim() === '' || !Number.isInteger(x) || x < 0 || x > 65535) {
    throw new UsageError(`--port: must be a whole number from 0 to 65535, got ${v}`);
  }
  return x;
}

/** True for addresses only this machine can reach: 127.0.0.0/8, ::1, ::ffff:127.x, localhost. */
export function isLoopback(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) {
    if (/^(0{0,4}:){7}0{0,3}1$/.test(h) || h === '::1') return true;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(h);
    return mapped !== null && mapped[1].startsWith('127.');
  }
  return false;
}

/**
 * Checks a --host value against the policy: returns null for a loopback address, a warning to print for
 * any other address when allowRemote is set, and throws a UsageError naming --allow-remote otherwise.
 */
export function checkBind(
  host: string,
  allowRemote: boolean,
  command = 'nabla ui',
  exposes = 'see the runs in this folder',
): string | null {
  if (host.trim() === '') throw new UsageError(`${command}: --host must not be empty`);
  if (isLoopback(host)) return null;
  if (!allowRemote) {
    throw new UsageError(
      `${command}: refusing to listen on ${host}, which other machines can reach; there is no login. ` +
        `Use --host 127.0.0.1, or add --allow-remote if you mean it`,
    );
  }
  return (
    `warning: listening on ${host}: anyone who can reach this machine can ${exposes} ` +
    `(no login, no encryption)`
  );
}

/** The URL a browser on this machine opens for a server listening on host:port. */
export function browserUrl(host: string, port: number): string {
  const h = host.replace(/^\[(.*)\]$/, '$1');
  const shown = h === '0.0.0.0' || h === '::' ? '127.0.0.1' : h;
  return `http://${isIP(shown) === 6 ? `[${shown}]` : shown}:${port}/`;
}

/**
 * Starts `server` listening on host:port and resolves with the port it got. With no port given, `fallback`
 * is tried and, if another process holds it, any free port; a port the user chose that is taken, or an
 * address this machine does not have, is a UsageError naming `command`.
 */
export async function listenOn(
  server: Server,
  host: string,
  port: number | undefined,
  fallback: number,
  command: string,
): Promise<number> {
  const listen = (p: number): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(p, host.replace(/^\[(.*)\]$/, '$1'), () => {
        server.off('error', reject);
        resolve();
      });
    });
  try {
    await listen(port ?? fallback);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (port === undefined && code === 'EADDRINUSE') await listen(0);
    else if (code === 'EADDRINUSE')
      throw new UsageError(`${command}: port ${port} is in use; pick another with --port (0: any free port)`);
    else if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND')
      throw new UsageError(`${command}: cannot listen on ${host}: no such address on this machine`);
    else throw err;
  }
  return (server.address() as AddressInfo).port;
}
