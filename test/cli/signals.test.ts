/**
 * Interruptions as they come to `nabla train`: SIGINT, SIGTERM and SIGHUP (each saves a checkpoint, says how
 * to resume and exits 130/143/129; the resumed run continues the same loss curve), SIGKILL at random instants
 * (every run resumes from its last complete checkpoint), the launcher killed (the training process it re-ran
 * stops too) and the temporary files of interrupted writes (removed on the next start).
 *
 * Runs that must be interrupted train for --epochs 100000, so no machine is fast enough to finish one before
 * its signal; the waits are on the run's own files, never on a guess of how long a step takes.
 */
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Generator } from '../../src/ndarray/random.js';
import {
  alive,
  childPids,
  ensureBuilt,
  iterationCount,
  iterationLosses,
  nabla,
  nablaAsync,
  readJsonl,
  runIn,
  scratch,
  waitFor,
} from './helpers.js';

let cwd: string;
beforeAll(() => {
  ensureBuilt();
  cwd = scratch();
}, 300_000);

/** The iteration of the run's checkpoint, as its .json says (-1 while there is none). */
function savedIteration(run: string): number {
  const file = path.join(run, 'checkpoint.json');
  if (!existsSync(file)) return -1;
  return (JSON.parse(readFileSync(file, 'utf8')) as { training: { iteration: number } }).training.iteration;
}

const temps = (run: string): string[] => readdirSync(run).filter((f) => f.endsWith('.tmp'));

/** What a handled stop prints on stdout: where the checkpoint is and the command that resumes it. */
function expectResumeLine(stdout: string, run: string): void {
  const rel = path.relative(cwd, run);
  expect(stdout).toMatch(
    new RegExp(`interrupted at iteration \\d+ \\(epoch \\d+\\.\\d\\d\\); checkpoint saved in ${rel}\\n`),
  );
  expect(stdout).toContain(`resume with: nabla train --resume ${rel}\n`);
}

describe('SIGINT, SIGTERM and SIGHUP', () => {
  // fc with a constant learning rate: the losses of the first n iterations do not depend on --epochs.
  const args = ['train', '--model', 'fc', '--limit', '4000', '--seed', '5', '--no-report'];
  const PER_EPOCH = 36; // floor(3600 / 100)

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const)(
    '%s saves a checkpoint, says how to resume, exits %i, and the resumed run continues the same loss curve',
    async (sig, status) => {
      const out = path.join(cwd, `runs-${sig}`);
      const first = nablaAsync([...args, '--epochs', '100000', '--out', out], cwd);
      await waitFor(() => iterationCount(runIn(out)) >= 3, 'three iterations', first);
      const run = runIn(out);
      first.child.kill(sig);
      const r = await first.done;
      expect(r.stdout + r.stderr).toContain(`stopping (${sig}): saving a checkpoint`);
      expect(r.status).toBe(status);
      expectResumeLine(r.stdout, run);
      const stoppedAt = iterationCount(run);
      expect(savedIteration(run)).toBe(stoppedAt);
      expect(temps(run)).toEqual([]);

      // Resume, and stop again one epoch further on.
      const resumed = nablaAsync(['train', '--resume', path.relative(cwd, run)], cwd);
      await waitFor(() => iterationCount(run) >= stoppedAt + PER_EPOCH, 'another epoch', resumed);
      resumed.child.kill(sig);
      const r2 = await resumed.done;
      expect(r2.stdout).toMatch(new RegExp(`resume +from iteration ${stoppedAt} `));
      expect(r2.status).toBe(status);
      expectResumeLine(r2.stdout, run);

      // An uninterrupted run as long as needed: the same losses, to the last bit.
      const epochs = Math.ceil((stoppedAt + PER_EPOCH) / PER_EPOCH);
      const refOut = path.join(cwd, `runs-${sig}-reference`);
      const ref = nabla([...args, '--epochs', String(epochs), '--out', refOut], cwd);
      expect(ref.status).toBe(0);
      const reference = iterationLosses(path.join(runIn(refOut), 'metrics.jsonl'));
      const losses = iterationLosses(path.join(run, 'metrics.jsonl'));
      const n = Math.min(reference.length, losses.length);
      expect(n).toBeGreaterThan(stoppedAt);
      expect(losses.slice(0, n)).toEqual(reference.slice(0, n));
    },
    120_000,
  );
});

describe('SIGKILL', () => {
  it('at 14 random instants: each time the run resumes from its last complete checkpoint; eval works after', async () => {
    const out = path.join(cwd, 'runs-kill');
    // The training process itself is killed (no launcher in between: that one is tested below).
    const env = { NABLA_NO_MALLOC_TUNING: '1' };
    const random = new Generator(14);
    let run = '';
    for (let kill = 0; kill < 14; kill++) {
      const before = run ? iterationCount(run) : 0;
      const p = nablaAsync(
        run
          ? ['train', '--resume', run]
          : ['train', '--model', 'softmax', '--limit', '64', '--epochs', '100000', '--out', out],
        cwd,
        env,
      );
      // Each iteration is an epoch here, so each writes a checkpoint: wait for this process to have
      // written some, timing them to spread the kill over one checkpoint's period on this machine.
      await waitFor(() => iterationCount(runIn(out)) >= before + 1, 'progress', p);
      run = runIn(out);
      const t0 = performance.now();
      await waitFor(() => iterationCount(run) >= before + 4, 'more progress', p);
      const period = (performance.now() - t0) / 3;
      await new Promise((r) => setTimeout(r, random.nextDouble() * period));
      p.child.kill('SIGKILL');
      const r = await p.done;
      expect(r.signal, `kill ${kill}: ${r.stdout}${r.stderr}`).toBe('SIGKILL');
    }
    // The last kill too left a run that resumes; a handled stop leaves no temporary file behind.
    const last = nablaAsync(['train', '--resume', run], cwd);
    const before = iterationCount(run);
    await waitFor(() => iterationCount(run) >= before + 1, 'progress after the last kill', last);
    last.child.kill('SIGTERM');
    const r = await last.done;
    expect(r.status).toBe(143);
    expect(temps(run)).toEqual([]);
    const iterations = readJsonl(path.join(run, 'metrics.jsonl'))
      .filter((m) => m.type === 'iteration')
      .map((m) => m.iteration);
    expect(iterations).toEqual(Array.from({ length: iterations.length }, (_, i) => i + 1));
    expect(savedIteration(run)).toBe(iterations.length);
    const ev = nabla(['eval', run, '--limit', '64', '--json'], cwd);
    expect(ev.stderr).toBe('');
    expect(ev.status).toBe(0);
    expect(JSON.parse(ev.stdout).count).toBe(64);
  }, 180_000);
});

describe('a kill between the .npz and the .json of a checkpoint', () => {
  // The two instants the loop above hits at random, made on purpose: the .npz (the commit) is new, the
  // .json (its readable copy) is the previous one, or not written yet at all.
  let run: string;
  let older: string;
  let latest: number;
  beforeAll(async () => {
    const out = path.join(cwd, 'runs-between');
    const train = ['train', '--model', 'softmax', '--limit', '64', '--epochs', '100000', '--out', out];
    const first = nablaAsync(train, cwd);
    await waitFor(() => iterationCount(runIn(out)) >= 2, 'progress', first);
    first.child.kill('SIGTERM');
    expect((await first.done).status).toBe(143);
    run = runIn(out);
    older = readFileSync(path.join(run, 'checkpoint.json'), 'utf8');
    const before = iterationCount(run);
    const again = nablaAsync(['train', '--resume', run], cwd);
    await waitFor(() => iterationCount(run) >= before + 2, 'progress', again);
    again.child.kill('SIGTERM');
    expect((await again.done).status).toBe(143);
    latest = savedIteration(run);
    expect(latest).toBeGreaterThan(JSON.parse(older).training.iteration);
  }, 60_000);

  it.each([
    ['stale', true],
    ['missing', false],
  ] as const)(
    'with the .json %s, eval and --resume use the .npz',
    async (_, stale) => {
      const json = path.join(run, 'checkpoint.json');
      if (stale) writeFileSync(json, older);
      else rmSync(json);
      const ev = nabla(['eval', run, '--limit', '64', '--json'], cwd);
      expect(ev.stderr).toBe('');
      expect(ev.status).toBe(0);
      const resumed = nablaAsync(['train', '--resume', run], cwd);
      await waitFor(() => savedIteration(run) > latest, 'a new checkpoint', resumed);
      resumed.child.kill('SIGTERM');
      const r = await resumed.done;
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(new RegExp(`resume +from iteration ${latest} `));
      expect(r.status).toBe(143);
      latest = savedIteration(run);
    },
    60_000,
  );

  it('with the last line of metrics.jsonl cut short, --resume drops it and goes on', async () => {
    const metrics = path.join(run, 'metrics.jsonl');
    writeFileSync(metrics, readFileSync(metrics, 'utf8') + '{"type":"iteration","itera');
    const resumed = nablaAsync(['train', '--resume', run], cwd);
    await waitFor(() => savedIteration(run) > latest, 'a new checkpoint', resumed);
    resumed.child.kill('SIGTERM');
    const r = await resumed.done;
    expect(r.stderr).toBe('');
    expect(r.status).toBe(143);
    const iterations = readJsonl(metrics)
      .filter((m) => m.type === 'iteration')
      .map((m) => m.iteration);
    expect(iterations).toEqual(Array.from({ length: savedIteration(run) }, (_, i) => i + 1));
  }, 60_000);

  it('with a damaged line inside metrics.jsonl, --resume names the file and line and changes nothing', () => {
    const metrics = path.join(run, 'metrics.jsonl');
    const lines = readFileSync(metrics, 'utf8').split('\n');
    lines[2] = '{"type":"iteration","itera';
    const damaged = lines.join('\n');
    writeFileSync(metrics, damaged);
    const saved = savedIteration(run);
    const r = nabla(['train', '--resume', run], cwd);
    expect(r.stderr).toMatch(/metrics\.jsonl' line 3 is not a metrics record/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.status).toBe(2);
    expect(readFileSync(metrics, 'utf8')).toBe(damaged);
    expect(savedIteration(run)).toBe(saved);
  });
});

describe('the launcher (bin/nabla.js re-runs itself with the malloc settings)', () => {
  it.each([
    ['SIGKILL', null],
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const)(
    '%s to the launcher stops the training process it started, which saves a checkpoint first',
    async (sig, status) => {
      const out = path.join(cwd, `runs-launcher-${sig}`);
      const p = nablaAsync(
        ['train', '--model', 'softmax', '--limit', '64', '--epochs', '100000', '--out', out],
        cwd,
      );
      await waitFor(() => iterationCount(runIn(out)) >= 2, 'progress', p);
      const workers = childPids(p.child.pid!);
      expect(workers, 'the launcher re-ran itself (is MALLOC_MMAP_THRESHOLD_ set here?)').toHaveLength(1);
      const [worker] = workers;
      p.child.kill(sig);
      try {
        await waitFor(() => !alive(worker), `the training process ${worker} to end`, undefined, 30_000);
      } finally {
        if (alive(worker)) process.kill(worker, 'SIGKILL');
      }
      const r = await p.done;
      if (status === null) expect(r.signal).toBe('SIGKILL');
      else expect(r.status).toBe(status);
      const run = runIn(out);
      expectResumeLine(r.stdout, run);
      expect(savedIteration(run)).toBe(iterationCount(run));
    },
    60_000,
  );
});

describe('temporary files of interrupted checkpoint writes', () => {
  it('are removed when a run starts again in the folder, unless their writer is alive', async () => {
    const out = path.join(cwd, 'runs-temps');
    const first = nablaAsync(
      ['train', '--model', 'softmax', '--limit', '64', '--epochs', '100000', '--out', out],
      cwd,
    );
    await waitFor(() => iterationCount(runIn(out)) >= 2, 'progress', first);
    first.child.kill('SIGTERM');
    expect((await first.done).status).toBe(143);
    const run = runIn(out);
    expect(temps(run)).toEqual([]);

    const dead = spawnSync(process.execPath, ['-e', '0']).pid; // ended, and not yet reused
    const stale = [
      `checkpoint.npz.${dead}.abcd.tmp`,
      `.checkpoint.npz.${dead}.x1y2.tmp`,
      `.checkpoint.json.${dead}.z3.tmp`,
      `.metrics.jsonl.${dead}.q9.tmp`,
    ];
    const kept = [`.checkpoint.npz.${process.pid}.live.tmp`, 'checkpoint.npz.tmp', 'notes.tmp'];
    for (const f of [...stale, ...kept]) writeFileSync(path.join(run, f), 'partial');
    const resumed = nablaAsync(['train', '--resume', run], cwd);
    const before = iterationCount(run);
    await waitFor(() => iterationCount(run) >= before + 1, 'progress', resumed);
    resumed.child.kill('SIGTERM');
    expect((await resumed.done).status).toBe(143);
    expect(temps(run).sort()).toEqual([...kept].sort());
  }, 60_000);
});
