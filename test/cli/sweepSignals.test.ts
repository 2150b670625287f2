/**
 * `nabla sweep` stopped by SIGTERM (timeout, systemd, docker stop) or SIGHUP (a closed terminal) keeps its
 * finished trials, says how to continue and exits with the signal's conventional status, as `nabla train`
 * does; the continued sweep reruns no finished trial.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, nabla, nablaAsync, scratch, waitFor } from './helpers.js';

const SWEEP = ['sweep', '--model', 'softmax', '--limit', '200', '--trials', '6', '--workers', '1'];

/** The `trial k/n` result lines printed so far. */
const trialLines = (stdout: string): string[] => stdout.split('\n').filter((l) => /^trial +\d+\/6 /.test(l));

describe('nabla sweep and signals', () => {
  beforeAll(() => ensureBuilt(), 300_000);

  for (const [sig, status] of [
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const) {
    it(`${sig}: keeps the finished trials, says how to continue, exits ${status}`, async () => {
      const cwd = scratch();
      const out = path.join(cwd, 'sweeps');
      const p = nablaAsync([...SWEEP, '--out', out], cwd);
      await waitFor(() => trialLines(p.output().stdout).length >= 1, 'a first trial result', p);
      p.child.kill(sig);
      const r = await p.done;
      expect(r.signal).toBeNull();
      expect(r.status).toBe(status);
      expect(r.stdout).toMatch(/stopping the sweep \(finished trials are kept\)/);
      const resume = /stopped; continue with: nabla sweep --resume (\S+)/.exec(r.stdout);
      expect(resume).not.toBeNull();
      const finished = trialLines(r.stdout).map((l) => /^trial +(\d+)/.exec(l)![1]);

      const again = nabla(['sweep', '--resume', resume![1]], cwd);
      expect(again.stderr).toBe('');
      expect(again.status).toBe(0);
      expect(again.stdout).toMatch(
        new RegExp(`continuing sweep .*: ${finished.length} of 6 trials have results`),
      );
      const rerun = trialLines(again.stdout).map((l) => /^trial +(\d+)/.exec(l)![1]);
      expect(rerun.filter((t) => finished.includes(t))).toEqual([]);
      expect(new Set([...finished, ...rerun]).size).toBe(6);
      const summary = JSON.parse(readFileSync(path.join(cwd, resume![1], 'sweep.json'), 'utf8')) as {
        trials: unknown[];
      };
      expect(summary.trials).toHaveLength(6);
    });
  }
});
