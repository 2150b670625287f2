/**
 * A real redis-server for the queue tests, on a free loopback port, in its own scratch folder (append-only
 * file on, so a restart keeps what it acknowledged), and line-by-line waiting on spawned processes' output.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { bin } from './helpers.js';

/** Why the queue tests cannot run here, or null when redis-server is installed. */
export function redisMissing(): string | null {
  const r = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? null : 'redis-server is not installed (apt-get install redis-server; .ci/run does)';
}

/** A port nobody listens on now. */
export async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

/** A spawned process whose output is kept and can be waited on, line by line. */
export class Proc {
  out = '';
  readonly exited: Promise<number | null>;
  private readonly watchers: { re: RegExp; resolve: (m: RegExpMatchArray) => void }[] = [];

  constructor(readonly child: ChildProcess) {
    const onData = (d: Buffer): void => {
      this.out += d.toString();
      for (const w of [...this.watchers]) {
        const m = this.out.match(w.re);
        if (m) {
          this.watchers.splice(this.watchers.indexOf(w), 1);
          w.resolve(m);
        }
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    this.exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  }

  /** Resolves when the output so far matches `re` (rejects if the process exits first). */
  waitFor(re: RegExp): Promise<RegExpMatchArray> {
    const m = this.out.match(re);
    if (m) return Promise.resolve(m);
    return new Promise((resolve, reject) => {
      this.watchers.push({ re, resolve });
      void this.exited.then((code) =>
        reject(new Error(`exited (${code}) before printing ${re}; output:\n${this.out}`)),
      );
    });
  }
}

/**
 * `nabla args...` in the background. The malloc settings the launcher would re-execute itself with are set
 * here, so the process spawned is the one that runs the command (a SIGKILL reaches it, not only a launcher).
 */
export function spawnNabla(args: string[], cwd: string, env: Record<string, string> = {}): Proc {
  const malloc = { MALLOC_MMAP_THRESHOLD_: '1000000000', MALLOC_TRIM_THRESHOLD_: '1000000000' };
  return new Proc(
    spawn(process.execPath, [bin, ...args], {
      cwd,
      env: { ...process.env, ...malloc, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
}

export class RedisServer {
  proc!: Proc;
  readonly dir = mkdtempSync(path.join(os.tmpdir(), 'nabla-redis-'));

  private constructor(
    readonly port: number,
    readonly password: string | null,
  ) {}

  static async start(opts: { password?: string } = {}): Promise<RedisServer> {
    const r = new RedisServer(await freePort(), opts.password ?? null);
    await r.launch();
    return r;
  }

  /** redis://[:password@]127.0.0.1:port */
  url(password = this.password): string {
    return `redis://${password ? `:${password}@` : ''}127.0.0.1:${this.port}`;
  }

  private async launch(): Promise<void> {
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir];
    args.push('--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '');
    if (this.password) args.push('--requirepass', this.password);
    this.proc = new Proc(spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] }));
    await this.proc.waitFor(/Ready to accept connections/);
  }

  /** Shuts down (SIGTERM: the append-only file is flushed) and starts again on the same port and folder. */
  async restart(): Promise<void> {
    await this.stop();
    await this.launch();
  }

  async stop(): Promise<void> {
    if (this.proc.child.exitCode !== null) return;
    this.proc.child.kill('SIGTERM');
    await this.proc.exited;
  }

  /** Stops it for good and removes its folder. */
  async close(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
