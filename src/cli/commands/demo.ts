/**
 * `nabla demo`: serves the in-browser training demo (web/demo/, built by `npm run build:web` into the
 * package's web/dist/) until Ctrl-C. The page trains a small CNN on MNIST in a Web Worker; this server only
 * hands out the built files, through staticFiles.ts (nothing outside web/dist/ is reachable), cross-origin
 * isolated so that the Worker's kernels can use threads.
 *
 *   /          a redirect to /demo/
 *   /demo/     the page; /assets/ its scripts and Worker; /demo/mnist.bin its digits; /nabla.js the library
 */
import { existsSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { UsageError } from '../errors.js';
import { browserUrl, checkBind, DEFAULT_HOST, listenOn } from '../ui/bind.js';
import { defaultAssetsDir } from '../ui/server.js';
import { notFound, requestPath, sendFrom } from '../ui/staticFiles.js';
import { untilInterrupted } from './ui.js';

/** The demo's port when none is given; when it is taken, a free one is used instead. */
export const DEMO_PORT = 8230;

export interface DemoFlags {
  host?: string;
  /** 0 picks a free port; unset: DEMO_PORT, or a free port when that one is taken. */
  port?: number;
  /** Allow a non-loopback --host (then warn). */
  allowRemote?: boolean;
}

export interface DemoServer {
  server: http.Server;
  url: string;
  /** The warning to print when listening beyond loopback (see checkBind), else null. */
  warning: string | null;
  close(): Promise<void>;
}

/** Serves `assetsDir` (the built web/dist): '/' and '/demo' redirect to '/demo/'. */
export function demoHandler(assetsDir: string): http.RequestListener {
  return (req, res) => {
    // Cross-origin isolation (the page loads nothing from elsewhere): SharedArrayBuffer, so the training
    // Worker's kernels run on threads (initThreads, docs/web.md).
    res.setHeader('cross-origin-opener-policy', 'same-origin');
    res.setHeader('cross-origin-embedder-policy', 'require-corp');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' });
      res.end('method not allowed\n');
      return;
    }
    const urlPath = requestPath(req);
    if (urlPath === '/' || urlPath === '/demo') {
      res.writeHead(302, { location: '/demo/' }).end();
      return;
    }
    if (urlPath === '/favicon.ico') {
      res.writeHead(204).end(); // the page has none; answer so that browsers log no error
      return;
    }
    if (!sendFrom(assetsDir, urlPath, req, res)) notFound(res);
  };
}

/** Starts serving the built demo; resolves once it listens. Throws a UsageError when it is not built. */
export async function startDemo(flags: DemoFlags & { assetsDir?: string } = {}): Promise<DemoServer> {
  const host = flags.host ?? DEFAULT_HOST;
  const warning = checkBind(host, flags.allowRemote ?? false, 'nabla demo', 'use this server');
  const assetsDir = flags.assetsDir ?? defaultAssetsDir();
  const page = path.join(assetsDir, 'demo', 'index.html');
  if (!existsSync(page)) {
    throw new UsageError(`nabla demo: the demo is not built (${page} is missing): run npm run build:web`);
  }
  const server = http.createServer(demoHandler(assetsDir));
  const port = await listenOn(server, host, flags.port, DEMO_PORT, 'nabla demo');
  return {
    server,
    url: `${browserUrl(host, port)}demo/`,
    warning,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections(); // a browser's keep-alive connections would hold close() open
      }),
  };
}

export async function demoCommand(flags: DemoFlags): Promise<void> {
  const interrupted = untilInterrupted();
  const demo = await startDemo(flags);
  if (demo.warning) process.stderr.write(`${demo.warning}\n`);
  process.stdout.write(`nabla demo: ${demo.url}  (serving until Ctrl-C)\n`);
  await interrupted;
  await demo.close();
}
