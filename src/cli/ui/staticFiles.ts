/**
 * Serving the files of one folder over HTTP, and nothing outside it. Used by the dashboard (`nabla ui`,
 * `nabla train --ui`) for its assets and the runs folder, and by `nabla demo` for the demo page.
 *
 * A request path is refused (null, then 404) when it could name anything but a file under the root: a `..`
 * or `.` segment, encoded or not (`%2e%2e`), an encoded slash or backslash (`%2f`, `%5c`), a `%` left after
 * one decoding (double encoding such as `%252e`), a backslash, a NUL, a drive letter or other `:`, an empty
 * segment (`//etc`), a hidden name (`.git`), or a symbolic link whose target lies outside the root.
 */
import { createReadStream, realpathSync, statSync } from 'node:fs';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import path from 'node:path';

/** Content types by extension; anything else is served as bytes. */
export const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.jsonl': 'application/x-ndjson; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

export function contentType(file: string): string {
  return CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/** The real path of a folder, or null when it does not exist. */
function realDir(root: string): string | null {
  try {
    const real = realpathSync(root);
    return statSync(real).isDirectory() ? real : null;
  } catch {
    return null;
  }
}

/** True when `p` is `dir` itself or lies below it (both absolute and normalised). */
export function isInside(dir: string, p: string): boolean {
  return p === dir || p.startsWith(dir.endsWith(path.sep) ? dir : dir + path.sep);
}

/**
 * The URL path's segments, decoded once, or null when any of them could step outside a folder.
 * urlPath: the path part of a request URL as sent (still percent-encoded), e.g. `/runs/a/loss.svg`.
 */
export function safeSegments(urlPath: string): string[] | null {
  if (!urlPath.startsWith('/')) return null;
  const raw = urlPath.slice(1).split('/');
  // A trailing slash asks for the folder's index; an empty segment anywhere else is refused.
  if (raw.length > 1 && raw[raw.length - 1] === '') raw.pop();
  if (raw.length === 1 && raw[0] === '') return [];
  const out: string[] = [];
  for (const seg of raw) {
    let s: string;
    try {
      s = decodeURIComponent(seg);
    } catch {
      return null; // malformed escape such as %zz or a lone %
    }
    if (
      s === '' ||
      s.startsWith('.') || // '.', '..' and hidden files
      /[/\\:%]/.test(s) || // an encoded separator, a drive letter, double encoding
      [...s].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f) // NUL, newlines...
    ) {
      return null;
    }
    out.push(s);
  }
  return out;
}

/**
 * The file that `urlPath` names inside `root`, or null. A folder stands for its `index` file. The answer is
 * the file's real path (symbolic links followed), and it is null unless that real path lies inside the
 * root's real path and is a regular file.
 */
export function resolveInside(root: string, urlPath: string, index = 'index.html'): string | null {
  const segs = safeSegments(urlPath);
  const base = segs && realDir(root);
  if (!segs || !base) return null;
  let real: string;
  try {
    real = realpathSync(path.join(base, ...segs));
    if (!isInside(base, real)) return null;
    if (statSync(real).isDirectory()) {
      real = realpathSync(path.join(real, index));
      if (!isInside(base, real)) return null;
    }
    return statSync(real).isFile() ? real : null;
  } catch {
    return null;
  }
}

/** The path part of a request's URL as sent (no query or fragment), or '/'. */
export function requestPath(req: IncomingMessage): string {
  const url = req.url ?? '/';
  const end = url.search(/[?#]/);
  return end < 0 ? url : url.slice(0, end);
}

/** Answers 404 with a short plain-text body. */
export function notFound(res: ServerResponse, what = 'not found'): void {
  res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' });
  res.end(`${what}\n`);
}

export interface ServeOptions {
  /** The file a folder stands for (default index.html). */
  index?: string;
  /** Cache-Control header (default no-store: the files of a live run change as it trains). */
  cacheControl?: string;
}

/**
 * Sends the file `urlPath` names inside `root` (GET or HEAD); returns false, having sent nothing, when there
 * is no such file or the path is refused, so the caller can try something else or answer 404.
 */
export function sendFrom(
  root: string,
  urlPath: string,
  req: IncomingMessage,
  res: ServerResponse,
  opts: ServeOptions = {},
): boolean {
  const file = resolveInside(root, urlPath, opts.index);
  if (!file) return false;
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    return false;
  }
  res.writeHead(200, {
    'content-type': contentType(file),
    'content-length': size,
    'cache-control': opts.cacheControl ?? 'no-store',
    'x-content-type-options': 'nosniff',
  });
  if (req.method === 'HEAD') {
    res.end();
    return true;
  }
  const stream = createReadStream(file);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
  return true;
}

/**
 * A request listener that serves the files of `root` and answers 404 for everything else (405 for methods
 * other than GET and HEAD).
 */
export function staticHandler(root: string, opts: ServeOptions = {}): RequestListener {
  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' });
      res.end('method not allowed\n');
      return;
    }
    if (!sendFrom(root, requestPath(req), req, res, opts)) notFound(res);
  };
}
