/**
 * The dashboard's HTTP server (node:http). It serves only:
 *
 *   /                      a redirect to /dashboard/
 *   /dashboard/, /assets/  the built page (web/dist/, made by `npm run build:web`; shipped in the package)
 *   /runs/<run>/<file>     the files of the runs folder (report pictures, metrics.jsonl...)
 *   /api/runs              the runs, newest first, and the name of the live run    (JSON)
 *   /api/runs/<run>        one run's history and settings                          (JSON)
 *   /api/events            the live run's events (Server-Sent Events; 404 without a live run)
 *   /sweeps/, /sweeps/<s>  the sweeps, live (pages made here, see sweeps.ts); /api/sweeps[/<s>] as JSON
 *
 * Paths are resolved by staticFiles.ts: nothing outside those folders is reachable. Bound to a loopback
 * address, it also answers only requests whose Host names this machine (a web page elsewhere cannot reach it
 * through a DNS name that resolves to 127.0.0.1).
 */
import { existsSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { browserUrl, checkBind, DEFAULT_HOST, DEFAULT_PORT, isLoopback, listenOn } from './bind.js';
import type { LiveRun } from './live.js';
import type { RunsIndex } from './protocol.js';
import { listRuns, readRun } from './runs.js';
import { notFound, requestPath, sendFrom } from './staticFiles.js';
import { listSweeps, readSweep, sweepHtml, sweepsIndexHtml } from './sweeps.js';

/**
 * The built pages: $NABLA_WEB_DIST when set (tests build into a folder of their own), else the package's
 * web/dist, three folders up from src/cli/ui/ or dist/cli/ui/.
 */
export function defaultAssetsDir(): string {
  if (process.env.NABLA_WEB_DIST) return path.resolve(process.env.NABLA_WEB_DIST);
  const pkg = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
  return path.join(pkg, 'web', 'dist');
}

export interface DashboardOptions {
  /** The folder of run folders (default: runs). */
  runsDir?: string;
  host?: string;
  /** 0 picks a free port; unset: DEFAULT_PORT, or a free port when that one is taken. */
  port?: number;
  /** Allows a non-loopback host (with a warning). */
  allowRemote?: boolean;
  /** The run being trained in this process, if any. */
  live?: LiveRun | null;
  /** The built front end (default: the package's web/dist). */
  assetsDir?: string;
  /** The command named in errors (nabla ui / nabla train). */
  command?: string;
}

export interface Dashboard {
  server: http.Server;
  url: string;
  host: string;
  port: number;
  /** Printed by the caller: set when listening on a non-loopback address. */
  warning: string | null;
  close(): Promise<void>;
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  res.end(text);
}

/** The host name of a Host header ("127.0.0.1:8080", "[::1]:80", "localhost"). */
function hostName(header: string | undefined): string {
  if (!header) return '';
  const m = /^\[([^\]]+)\]/.exec(header);
  return m ? m[1] : header.replace(/:\d+$/, '');
}

const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/** The request handler, apart from listening (tests call it through a server of their own too). */
export function dashboardHandler(opts: {
  runsDir: string;
  assetsDir: string;
  live: LiveRun | null;
  checkHost: boolean;
}): http.RequestListener {
  const { runsDir, assetsDir, live, checkHost } = opts;
  return (req, res) => {
    if (checkHost && !isLoopback(hostName(req.headers.host))) {
      res.writeHead(403, { 'content-type': 'text/plain; charset=utf-8' }).end('forbidden: unexpected Host\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' });
      res.end('method not allowed\n');
      return;
    }
    // Defence in depth: the page and the run folders' files (report.html) run no script but the page's own,
    // and reach nothing but this server.
    res.setHeader('content-security-policy', CSP);
    res.setHeader('x-frame-options', 'DENY');
    res.setHeader('referrer-policy', 'no-referrer');
    const p = requestPath(req);
    if (p === '/') {
      res.writeHead(302, { location: '/dashboard/' }).end();
      return;
    }
    if (p === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    if (p === '/api/runs') {
      const index: RunsIndex = { live: live?.name ?? null, runs: listRuns(runsDir, live?.name ?? null) };
      sendJson(res, 200, index);
      return;
    }
    if (p.startsWith('/api/runs/')) {
      let name: string;
      try {
        name = decodeURIComponent(p.slice('/api/runs/'.length));
      } catch {
        name = '';
      }
      const run = readRun(runsDir, name, live?.name ?? null);
      if (run) sendJson(res, 200, run);
      else sendJson(res, 404, { error: `no run named ${JSON.stringify(name)}` });
      return;
    }
    if (p === '/api/events') {
      if (live) live.subscribe(res);
      else sendJson(res, 404, { error: 'no run is training in this process' });
      return;
    }
    if (p === '/sweeps' || p.startsWith('/sweeps/') || p.startsWith('/api/sweeps')) {
      void serveSweeps(runsDir, p, res);
      return;
    }
    if (p.startsWith('/runs/')) {
      if (!sendFrom(runsDir, p.slice('/runs'.length), req, res)) notFound(res);
      return;
    }
    if (p === '/dashboard' || p.startsWith('/dashboard/') || p.startsWith('/assets/')) {
      if (sendFrom(assetsDir, p, req, res)) return;
      // Only a missing page is news; the server's folders are nobody's business over HTTP.
      if (!dashboardBuilt(assetsDir)) {
        notFound(res, 'the dashboard page is not built: run npm run build:web');
        return;
      }
    }
    notFound(res);
  };
}

/** The sweep pages and their JSON (sweeps.ts). */
async function serveSweeps(runsDir: string, p: string, res: http.ServerResponse): Promise<void> {
  const api = p.startsWith('/api/');
  let name: string;
  try {
    name = decodeURIComponent(p.replace(/^\/(api\/)?sweeps\/?/, ''));
  } catch {
    name = '\0';
  }
  if (name === '') {
    const list = listSweeps(runsDir);
    if (api) sendJson(res, 200, { sweeps: list });
    else sendHtml(res, sweepsIndexHtml(list));
    return;
  }
  const sweep = readSweep(runsDir, name);
  if (!sweep) {
    if (api) sendJson(res, 404, { error: `no sweep named ${JSON.stringify(name)}` });
    else notFound(res);
    return;
  }
  if (api) sendJson(res, 200, sweep);
  else sendHtml(res, await sweepHtml(runsDir, sweep));
}

function sendHtml(res: http.ServerResponse, html: string): void {
  res.writeHead(200, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(html),
    'cache-control': 'no-store',
  });
  res.end(html);
}

/**
 * Starts the dashboard. Refuses a non-loopback host without allowRemote (UsageError, see bind.ts); resolves
 * once it listens, with its URL.
 */
export async function startDashboard(opts: DashboardOptions = {}): Promise<Dashboard> {
  const host = opts.host ?? DEFAULT_HOST;
  const warning = checkBind(host, opts.allowRemote ?? false, opts.command);
  const runsDir = path.resolve(opts.runsDir ?? 'runs');
  const assetsDir = opts.assetsDir ?? defaultAssetsDir();
  const live = opts.live ?? null;
  const server = http.createServer(
    dashboardHandler({ runsDir, assetsDir, live, checkHost: isLoopback(host) }),
  );
  const port = await listenOn(server, host, opts.port, DEFAULT_PORT, opts.command ?? 'nabla ui');
  return {
    server,
    host,
    port,
    url: browserUrl(host, port),
    warning,
    close: () =>
      new Promise<void>((resolve) => {
        live?.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** True when the built dashboard page is present (npm run build:web has run). */
export function dashboardBuilt(assetsDir = defaultAssetsDir()): boolean {
  return existsSync(path.join(assetsDir, 'dashboard', 'index.html'));
}
