/**
 * The Redis a sweep's queue lives in: its URL checked and shown without the password, and a first
 * connection that answers within seconds — a bad URL, a server that is not there or a wrong password is one
 * line and status 2, never a hang. The connections that follow retry for ever, so a Redis restart is waited out.
 */
import { Redis, type RedisOptions } from 'ioredis';
import { UsageError } from '../errors.js';

export interface RedisTarget {
  /** The URL to show: any password replaced by ***. */
  safe: string;
  /** ioredis options of the long-lived connections (reconnect for ever, commands wait while down). */
  options: RedisOptions;
  /** To scrub from any message before it is shown. */
  secret: string | null;
}

const USAGE = 'redis://[user:password@]host:port[/db] or rediss://... for TLS';

/** `text` with the user-info part of a URL hidden (for messages about a URL that does not parse). */
function hideUserInfo(text: string): string {
  return text.replace(/\/\/[^/@]*@/, '//***@');
}

/**
 * Parses --queue's URL (or `nabla worker`'s). The password comes from the URL or, kept out of the command
 * line and `ps`, from $NABLA_REDIS_PASSWORD.
 */
export function parseRedisUrl(text: string, option: string): RedisTarget {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new UsageError(`${option}: '${hideUserInfo(text)}' is not a URL (expected ${USAGE})`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:')
    throw new UsageError(`${option}: unsupported scheme '${u.protocol}' (expected ${USAGE})`);
  if (!u.hostname) throw new UsageError(`${option}: the URL has no host (expected ${USAGE})`);
  const dbText = u.pathname.replace(/^\//, '');
  const db = dbText === '' ? 0 : Number(dbText);
  if (!Number.isInteger(db) || db < 0)
    throw new UsageError(`${option}: database '${dbText}' is not a number (expected ${USAGE})`);
  const port = u.port === '' ? 6379 : Number(u.port);
  const password = u.password ? decodeURIComponent(u.password) : (process.env.NABLA_REDIS_PASSWORD ?? '');
  const username = u.username ? decodeURIComponent(u.username) : undefined;
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  const safe = `${u.protocol}//${username || password ? `${username ?? ''}${password ? ':***' : ''}@` : ''}${u.host}${db ? `/${db}` : ''}`;
  return {
    safe,
    secret: password || null,
    options: {
      host,
      port,
      db,
      username,
      password: password || undefined,
      tls: u.protocol === 'rediss:' ? { servername: host } : undefined,
      // BullMQ's workers block on the queue: their commands must wait out a restart, not fail.
      maxRetriesPerRequest: null,
      retryStrategy: (times: number) => Math.min(100 * times, 2000),
    },
  };
}

/** A message about the connection, with the password never in it. */
export function scrub(message: string, t: RedisTarget): string {
  return t.secret ? message.split(t.secret).join('***') : message;
}

function explain(err: Error & { code?: string }): string {
  const m = err.message ?? String(err);
  if (err.code === 'ECONNREFUSED') return 'connection refused (is redis-server running there?)';
  if (err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN') return 'unknown host';
  if (/WRONGPASS|invalid password|invalid username-password/i.test(m)) return 'wrong user name or password';
  if (/NOAUTH/i.test(m)) return 'the server wants a password (add it to the URL or $NABLA_REDIS_PASSWORD)';
  return m.split('\n')[0];
}

/**
 * Connects once, with no retry, and checks the server answers PING within `timeoutMs`; throws a UsageError
 * (`<command>: cannot use Redis at <url>: <why>`) otherwise.
 */
export async function probeRedis(t: RedisTarget, command: string, timeoutMs = 5000): Promise<void> {
  const r = new Redis({
    ...t.options,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: timeoutMs,
    enableOfflineQueue: false,
  });
  // ioredis rejects connect() with "Connection is closed"; the error event says why (ECONNREFUSED...).
  let cause: Error | null = null;
  r.on('error', (err: Error) => (cause ??= err));
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      r.connect().then(() => r.ping()),
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer within ${Math.round(timeoutMs / 1000)} s`)),
          timeoutMs,
        );
      }),
    ]);
  } catch (err) {
    const why = explain(cause ?? (err as Error));
    throw new UsageError(`${command}: cannot use Redis at ${t.safe}: ${scrub(why, t)}`);
  } finally {
    clearTimeout(timer);
    r.disconnect();
  }
}
