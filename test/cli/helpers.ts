/** Helpers for driving the built `nabla` command as a user would: spawned processes in a scratch folder. */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

/** pngjs ships no types: the part used here. */
const { PNG } = createRequire(import.meta.url)('pngjs') as {
  PNG: { sync: { read(b: Uint8Array): { width: number; height: number; data: Uint8Array } } };
};

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const bin = path.join(root, 'bin', 'nabla.js');

/**
 * Builds dist when it is missing or older than any source (the command uses the whole library; CI builds
 * first; this covers local runs).
 */
export function ensureBuilt(): void {
  const main = path.join(root, 'dist', 'cli', 'main.js');
  const newest = (dir: string): number =>
    Math.max(
      0,
      ...readdirSync(dir, { withFileTypes: true }).map((e) =>
        e.isDirectory() ? newest(path.join(dir, e.name)) : statSync(path.join(dir, e.name)).mtimeMs,
      ),
    );
  if (existsSync(main) && statSync(main).mtimeMs >= newest(path.join(root, 'src'))) return;
  const r = spawnSync('npm', ['run', 'build'], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`npm run build failed:\n${r.stdout}\n${r.stderr}`);
}

export function scratch(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'nabla-cli-'));
}

export interface Result {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `nabla args...` in `cwd` (not a TTY, so progress comes as plain lines). */
export function nabla(args: string[], cwd: string, env: Record<string, string> = {}): Result {
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Starts `nabla args...` in the background. `done` resolves when its output ends (the launcher and the
 * process it re-runs have both closed stdout and stderr), with the launcher's status or signal; `exited`
 * tells whether the launcher has exited yet; `output()` is what it printed so far.
 */
export function nablaAsync(args: string[], cwd: string, env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [bin, ...args], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let stdout = '';
  let stderr = '';
  let exited = false;
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  child.on('exit', () => (exited = true));
  const done = new Promise<Result & { signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr })),
  );
  return { child, done, exited: () => exited, output: () => ({ stdout, stderr }) };
}

/**
 * Waits for `ready()` to hold, checking every 20 ms; throws with `what` (and the process's output) if
 * `proc` ends first. The deadline only turns a hang into a failure: nothing here assumes a speed.
 */
export async function waitFor(
  ready: () => boolean,
  what: string,
  proc?: { exited: () => boolean; output: () => { stdout: string; stderr: string } },
  deadlineMs = 100_000,
): Promise<void> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    if (ready()) return;
    if (proc?.exited()) {
      if (ready()) return;
      const o = proc.output();
      throw new Error(`the process ended before ${what}:\n${o.stdout}\n${o.stderr}`);
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Whether process `pid` is running (a zombie, dead but not yet reaped, counts as gone). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // /proc/<pid>/stat: "pid (comm) state ..."; the command name may hold spaces and parentheses.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** The pids of the processes whose parent is `pid` (Linux: from /proc). */
export function childPids(pid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(name));
    } catch {
      // ended while we looked
    }
  }
  return out;
}

/** How many training iterations a run folder's metrics.jsonl holds (0 when there is none yet). */
export function iterationCount(runDir: string): number {
  if (!runDir) return 0;
  const file = path.join(runDir, 'metrics.jsonl');
  if (!existsSync(file)) return 0;
  // A line being appended may be incomplete: count whole lines only.
  return readFileSync(file, 'utf8')
    .split('\n')
    .slice(0, -1)
    .filter((l) => l.includes('"type":"iteration"')).length;
}

/** The one run folder created under `out`. */
export function runFolder(out: string, suffix: string): string {
  const dirs = readdirSync(out).filter((d) => d.endsWith(suffix));
  if (dirs.length !== 1)
    throw new Error(`expected one run folder ending in ${suffix} in ${out}, found ${dirs.join(', ')}`);
  return path.join(out, dirs[0]);
}

export function readJsonl(file: string): Record<string, unknown>[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

export function iterationLosses(file: string): number[] {
  return readJsonl(file)
    .filter((r) => r.type === 'iteration')
    .map((r) => r.loss as number);
}

/** A PNG file: the 8-byte signature, and pngjs decodes it. Returns its size. */
export function checkPng(file: string): { width: number; height: number } {
  const bytes = readFileSync(file);
  const sig = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  sig.forEach((b, i) => {
    if (bytes[i] !== b) throw new Error(`${file}: not a PNG signature`);
  });
  const png = PNG.sync.read(bytes);
  return { width: png.width, height: png.height };
}

/**
 * An SVG file: well-formed XML (every tag closed in order, attributes quoted) whose root element is <svg>.
 * Returns the number of elements.
 */
export function checkSvg(file: string): number {
  const text = readFileSync(file, 'utf8')
    .replace(/<\?xml[^>]*\?>/, '')
    .replace(/<!--[\s\S]*?-->/g, '');
  const tag = /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/g;
  const stack: string[] = [];
  let count = 0;
  let last = 0;
  let rootName: string | null = null;
  for (let m = tag.exec(text); m; m = tag.exec(text)) {
    if (/[<>]/.test(text.slice(last, m.index)))
      throw new Error(`${file}: malformed markup near offset ${last}`);
    last = tag.lastIndex;
    const [, close, name, , selfClose] = m;
    if (close) {
      if (stack.pop() !== name) throw new Error(`${file}: </${name}> does not close the open element`);
    } else {
      count++;
      if (rootName === null) rootName = name;
      else if (stack.length === 0) throw new Error(`${file}: more than one root element`);
      if (!selfClose) stack.push(name);
    }
  }
  if (/[<>]/.test(text.slice(last))) throw new Error(`${file}: malformed markup at the end`);
  if (stack.length) throw new Error(`${file}: unclosed <${stack.pop()}>`);
  if (rootName !== 'svg') throw new Error(`${file}: root element is <${rootName}>, not <svg>`);
  return count;
}

/** report.html: a whole HTML document that references only files present beside it. */
export function checkHtml(file: string): string[] {
  const html = readFileSync(file, 'utf8');
  if (!/^<!doctype html>/i.test(html) || !html.includes('</html>'))
    throw new Error(`${file}: not an HTML document`);
  const refs = [...html.matchAll(/(?:src="|url\()([^")]+\.(?:png|svg))/g)].map((m) => m[1]);
  for (const r of refs) {
    if (!existsSync(path.join(path.dirname(file), r))) throw new Error(`${file}: references missing ${r}`);
  }
  return [...new Set(refs)];
}

/** The one run folder `nabla train` made under `out`, once it exists ('' before). */
export function runIn(out: string): string {
  const dirs = existsSync(out) ? readdirSync(out) : [];
  return dirs.length === 1 ? path.join(out, dirs[0]) : '';
}

/**
 * Trains `nabla <args> --epochs 100000` (no machine finishes it before its signal), stops it with SIGINT after
 * `first` iterations, resumes it and stops it again `more` iterations later, then trains the same `args` for
 * as many epochs (of `perEpoch` iterations) as that took, uninterrupted. Waits on the runs' own files only.
 * Returns the interrupted run's folder and losses, and the reference run's folder and losses.
 */
export async function interruptResumeAndReference(
  args: string[],
  o: {
    cwd: string;
    out: string;
    perEpoch: number;
    first?: number;
    more?: number;
    env?: Record<string, string>;
  },
): Promise<{
  run: string;
  stoppedAt: number;
  losses: number[];
  reference: string;
  referenceLosses: number[];
}> {
  const { cwd, out, env = {}, first = 3, more = 3 } = o;
  const a = nablaAsync([...args, '--epochs', '100000', '--out', out], cwd, env);
  await waitFor(() => iterationCount(runIn(out)) >= first, `${first} iterations`, a);
  const run = runIn(out);
  a.child.kill('SIGINT');
  const r = await a.done;
  if (r.status !== 130 || !/resume with: nabla train --resume /.test(r.stdout))
    throw new Error(`the interrupted run ended with status ${r.status}:\n${r.stdout}\n${r.stderr}`);
  const stoppedAt = iterationCount(run);
  const b = nablaAsync(['train', '--resume', run], cwd, env);
  await waitFor(() => iterationCount(run) >= stoppedAt + more, `${more} more iterations`, b);
  b.child.kill('SIGINT');
  const r2 = await b.done;
  if (r2.status !== 130 || !new RegExp(`resume +from iteration ${stoppedAt} `).test(r2.stdout))
    throw new Error(`the resumed run ended with status ${r2.status}:\n${r2.stdout}\n${r2.stderr}`);
  const refOut = `${out}-reference`;
  const epochs = Math.ceil(iterationCount(run) / o.perEpoch);
  const ref = nabla([...args, '--epochs', String(epochs), '--out', refOut], cwd, env);
  if (ref.status !== 0) throw new Error(`the reference run failed:\n${ref.stdout}\n${ref.stderr}`);
  const reference = runIn(refOut);
  return {
    run,
    stoppedAt,
    losses: iterationLosses(path.join(run, 'metrics.jsonl')),
    reference,
    referenceLosses: iterationLosses(path.join(reference, 'metrics.jsonl')),
  };
}
