/**
 * Sweeps on a Redis queue with real processes: a redis-server on a free loopback port, `nabla sweep --queue`
 * and `nabla worker`s of the built command. Faults are real too: a worker SIGKILLed mid-trial, Redis
 * restarted mid-sweep, a trial that fails or diverges, a worker of another version, bad URLs and passwords.
 * Every wait is on an event (a line printed, a process exit, a job's state), never on the clock; the lock
 * and stalled-check intervals are shortened through the workers' environment so a takeover comes quickly.
 *
 * Without redis-server the file skips with one line, except under CI=true where that is a failure.
 */
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUE_NAME, QUEUE_PREFIX } from '../../src/cli/sweep/queue.js';
import { ensureBuilt, nabla, runFolder, scratch } from './helpers.js';
import { freePort, redisMissing, RedisServer, spawnNabla, type Proc } from './redis.js';

const missing = redisMissing();
if (missing && process.env.CI) {
  describe('queue sweeps', () => {
    it('need redis-server', () => {
      throw new Error(`${missing} — required under CI=true`);
    });
  });
} else if (missing) {
  describe.skip(`queue sweeps: skipped, ${missing}`, () => {});
} else {
  queueTests();
}

/** Short locks so a dead worker's trial is taken over within seconds (env read by `nabla worker`). */
const WORKER_ENV = {
  NABLA_QUEUE_LOCK_MS: '3000',
  NABLA_QUEUE_STALLED_MS: '1000',
  NABLA_QUEUE_RECHECK_MS: '1000',
};
const TRIAL = ['--model', 'softmax', '--limit', '200'];
const PASSWORD = 'pw-Zq81xLk';

interface SweepSummary {
  trials: {
    trial: number;
    status: string;
    valAcc: number;
    testAcc: number | null;
    worker: string;
    message?: string;
  }[];
}

function summary(dir: string): SweepSummary {
  return JSON.parse(readFileSync(path.join(dir, 'sweep.json'), 'utf8')) as SweepSummary;
}

function recorded(dir: string): { trial: number; segment: number; worker: string }[] {
  return readFileSync(path.join(dir, 'trials.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { trial: number; segment: number; worker: string });
}

/** How many times the worker's output says it started trial `t`. */
function starts(p: Proc, t: number): number {
  return p.out.split('\n').filter((l) => new RegExp(`^trial ${t} of \\S+.*: started`).test(l)).length;
}

function allFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? allFiles(p) : [p];
  });
}

function queueTests(): void {
  let cwd: string;
  let redis: RedisServer;
  const procs: Proc[] = [];
  const worker = (db: number, name: string, r: RedisServer = redis): Proc => {
    const p = spawnNabla(
      ['worker', `${r.url()}/${db}`, '--name', name, '--work', path.join(cwd, `work-${name}`)],
      cwd,
      WORKER_ENV,
    );
    procs.push(p);
    return p;
  };
  const sweep = (args: string[], env: Record<string, string> = {}): Proc => {
    const p = spawnNabla(['sweep', ...TRIAL, ...args], cwd, { ...WORKER_ENV, ...env });
    procs.push(p);
    return p;
  };

  beforeAll(async () => {
    ensureBuilt();
    cwd = scratch();
    redis = await RedisServer.start({ password: PASSWORD });
  }, 300_000);

  afterAll(async () => {
    for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    await redis?.close();
  });

  describe('queue sweeps', () => {
    it('two workers train the trials of a local sweep to the same numbers; the password is never shown or saved', async () => {
      const args = ['--trials', '3', '--epochs', '2', '--seed', '1'];
      const local = nabla(
        ['sweep', ...TRIAL, ...args, '--workers', '2', '--out', path.join(cwd, 'local')],
        cwd,
      );
      expect(local.status).toBe(0);
      const [w1, w2] = [worker(1, 'w1'), worker(1, 'w2')];
      await Promise.all([w1.waitFor(/taking trials/), w2.waitFor(/taking trials/)]);
      const coord = sweep([...args, '--out', path.join(cwd, 'queue'), '--queue', `${redis.url()}/1`]);
      expect(await coord.exited).toBe(0);
      expect(coord.out).toMatch(
        /3 trials of softmax, .* queue redis:\/\/:\*\*\*@127\.0\.0\.1:\d+\/1 \(2 workers connected now\)/,
      );

      const byTrial = (s: SweepSummary) =>
        Object.fromEntries(s.trials.map((t) => [t.trial, [t.valAcc, t.testAcc]]));
      const q = summary(runFolder(path.join(cwd, 'queue'), '-sweep-softmax'));
      expect(byTrial(q)).toEqual(byTrial(summary(runFolder(path.join(cwd, 'local'), '-sweep-softmax'))));
      for (const t of q.trials) expect(['w1', 'w2']).toContain(t.worker);
      // The best trial's run folder came back from Redis with its checkpoint.
      const best = path.join(
        runFolder(path.join(cwd, 'queue'), '-sweep-softmax'),
        `trial-0${q.trials[0].trial}`,
      );
      expect(existsSync(path.join(best, 'checkpoint.npz'))).toBe(true);
      expect(existsSync(path.join(best, 'report.html'))).toBe(true);

      for (const p of [coord, w1, w2]) expect(p.out).not.toContain(PASSWORD);
      for (const f of allFiles(path.join(cwd, 'queue')))
        expect(readFileSync(f, 'latin1')).not.toContain(PASSWORD);
      // The finished sweep left nothing of itself in Redis.
      const client = new Redis({ port: redis.port, password: PASSWORD, db: 1 });
      expect(await client.keys('nabla:blob:*')).toEqual([]);
      expect(await client.keys(`${QUEUE_PREFIX}:${QUEUE_NAME}:softmax-*`)).toEqual([]);
      client.disconnect();
    }, 300_000);

    it('a worker SIGKILLed mid-trial: another takes the trial over after the stall interval; one result per trial', async () => {
      const a = worker(2, 'A');
      await a.waitFor(/taking trials/);
      // Trials long enough (hundreds of steps) that the kill lands mid-trial.
      const coord = sweep([
        ...['--limit', '1000', '--batch-size', '20', '--epochs', '20'],
        '--trials',
        '2',
        '--seed',
        '2',
        '--out',
        path.join(cwd, 'kill'),
        '--queue',
        `${redis.url()}/2`,
      ]);
      const [, killedTrial] = await a.waitFor(/^trial (\d+) of \S+: started/m);
      a.child.kill('SIGKILL');
      await a.exited;
      const b = worker(2, 'B');
      expect(await coord.exited).toBe(0);
      const dir = runFolder(path.join(cwd, 'kill'), '-sweep-softmax');
      const rec = recorded(dir);
      expect(rec.map((r) => r.trial).sort()).toEqual([1, 2]);
      expect(summary(dir).trials.map((t) => t.status)).toEqual(['ok', 'ok']);
      expect(rec.find((r) => r.trial === Number(killedTrial))!.worker).toBe('B');
      for (const t of [1, 2]) expect(starts(b, t)).toBe(1);
    }, 300_000);

    it('Redis restarted mid-sweep (append-only file on): the sweep finishes with every trial accounted for', async () => {
      const own = await RedisServer.start();
      try {
        const w = worker(0, 'R', own);
        await w.waitFor(/taking trials/);
        const coord = sweep([
          '--trials',
          '4',
          '--epochs',
          '2',
          '--seed',
          '3',
          '--out',
          path.join(cwd, 'restart'),
          '--queue',
          own.url(),
        ]);
        await coord.waitFor(/^trial +\d+\/4 .* val /m);
        await own.restart();
        expect(await coord.exited).toBe(0);
        const dir = runFolder(path.join(cwd, 'restart'), '-sweep-softmax');
        expect(
          recorded(dir)
            .map((r) => r.trial)
            .sort(),
        ).toEqual([1, 2, 3, 4]);
        expect(summary(dir).trials.map((t) => t.status)).toEqual(['ok', 'ok', 'ok', 'ok']);
      } finally {
        await own.close();
      }
    }, 300_000);

    it('a worker stopped the moment it says it is up exits 0, not killed by the signal', async () => {
      const w = worker(9, 'S');
      await w.waitFor(/taking trials/);
      w.child.kill('SIGTERM');
      expect(await w.exited).toBe(0);
      expect(w.out).toMatch(/^worker +stopped$/m);
    });

    it('Redis loses its data mid-trial (no append-only file): the coordinator adds the lost jobs again', async () => {
      const w = worker(6, 'L');
      await w.waitFor(/taking trials/);
      const coord = sweep([
        ...['--limit', '1000', '--batch-size', '20', '--epochs', '10'],
        ...['--trials', '2', '--seed', '6', '--out', path.join(cwd, 'lost'), '--queue', `${redis.url()}/6`],
      ]);
      await w.waitFor(/^trial \d of \S+: started/m);
      const client = new Redis({ port: redis.port, password: PASSWORD, db: 6 });
      await client.flushdb();
      client.disconnect();
      expect(await coord.exited).toBe(0);
      const dir = runFolder(path.join(cwd, 'lost'), '-sweep-softmax');
      expect(
        recorded(dir)
          .map((r) => r.trial)
          .sort(),
      ).toEqual([1, 2]);
      expect(summary(dir).trials.map((t) => t.status)).toEqual(['ok', 'ok']);
    }, 300_000);

    it('a failing and a diverging trial are recorded with their messages, each tried once', async () => {
      // A data folder whose images do not decode: loading it fails on the worker.
      for (const f of ['train/a/1.png', 'train/b/2.png', 'test/a/3.png', 'test/b/4.png']) {
        mkdirSync(path.dirname(path.join(cwd, 'bad', f)), { recursive: true });
        writeFileSync(path.join(cwd, 'bad', f), 'not an image');
      }
      const w = worker(3, 'F');
      await w.waitFor(/taking trials/);
      const failing = sweep([
        '--data',
        'bad',
        '--trials',
        '1',
        '--out',
        path.join(cwd, 'fail'),
        '--queue',
        `${redis.url()}/3`,
      ]);
      expect(await failing.exited).toBe(0);
      const [failed] = summary(runFolder(path.join(cwd, 'fail'), '-sweep-softmax')).trials;
      expect(failed.status).toBe('failed');
      expect(failed.message).toMatch(/neither a PNG nor a JPEG/);
      expect(failing.out).toMatch(/trial 1\/1 .* failed: .*neither a PNG nor a JPEG/);
      expect(starts(w, 1)).toBe(1);

      const diverging = sweep([
        '--lr',
        '1e6',
        '--trials',
        '1',
        '--epochs',
        '2',
        '--out',
        path.join(cwd, 'div'),
        '--queue',
        `${redis.url()}/3`,
      ]);
      expect(await diverging.exited).toBe(0);
      const [div] = summary(runFolder(path.join(cwd, 'div'), '-sweep-softmax')).trials;
      expect(div.status).toBe('diverged');
      expect(div.message).toMatch(/learning rate/);
      expect(w.out.split('\n').filter((l) => / started$/.test(l))).toHaveLength(2);
    }, 300_000);

    it('a worker of another nabla version refuses the job with a clear message', async () => {
      const connection = { port: redis.port, password: PASSWORD, db: 4, maxRetriesPerRequest: null };
      const queue = new Queue(QUEUE_NAME, { connection, prefix: QUEUE_PREFIX });
      // Read the event stream from its start: a QueueEvents reading from '$' misses an event written between
      // its connection and its first read, and the wait then never ends (it did, under load). The listener
      // starts only after the job has failed, so the test takes that path every time.
      const events = new QueueEvents(QUEUE_NAME, {
        connection,
        prefix: QUEUE_PREFIX,
        autorun: false,
        lastEventId: '0',
      });
      await events.waitUntilReady();
      try {
        const job = await queue.add(
          'trial 1',
          {
            format: 1,
            nabla: '99.0.0',
            sweep: 'softmax-from-the-future',
            trialDir: 'trial-01',
            segment: { trial: 1, segment: 0, untilEpoch: null, resume: false },
            job: {},
            blobLimit: 1,
          },
          { jobId: 'softmax-from-the-future.1.0', attempts: 1 },
        );
        const outcome = job.waitUntilFinished(events);
        outcome.catch(() => {}); // judged below
        // Its look at the job's state (still waiting: no worker yet) is on the queue's connection, ahead of ours.
        await new Promise((resolve) => setImmediate(resolve));
        expect(await queue.getJobState(job.id!)).toBe('waiting');
        const w = worker(4, 'V');
        await w.waitFor(/V refuses trial 1 of softmax-from-the-future/);
        await new Promise<void>((resolve) => {
          const poll = (): void => {
            void queue.getJobState(job.id!).then((s) => (s === 'failed' ? resolve() : setImmediate(poll)));
          };
          poll();
        });
        void events.run();
        await expect(outcome).rejects.toThrow(
          /V refuses trial 1 of softmax-from-the-future: the sweep runs nabla 99\.0\.0 \(job format 1\), this worker nabla \d+\.\d+\.\d+ \(format 1\); install the same version on every machine/,
        );
      } finally {
        await events.close();
        await queue.close();
      }
    }, 300_000);

    it('a bad URL, a server that is not there or does not answer, a wrong or missing password: one line, status 2', async () => {
      const closed = await freePort();
      const silent = net.createServer(() => {}); // accepts, never answers
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      const silentPort = (silent.address() as net.AddressInfo).port;
      const wrong = 'wrong-Pw-93hd';
      const cases: [string, RegExp][] = [
        [`http://:${wrong}@127.0.0.1:${redis.port}`, /unsupported scheme 'http:'/],
        [`redis://127.0.0.1:${closed}`, /cannot use Redis at redis:\/\/127\.0\.0\.1:\d+: connection refused/],
        [
          `redis://127.0.0.1:${silentPort}`,
          /cannot use Redis at redis:\/\/127\.0\.0\.1:\d+: no answer within 5 s/,
        ],
        [
          `redis://:${wrong}@127.0.0.1:${redis.port}`,
          /cannot use Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+: wrong user name or password/,
        ],
        [`redis://127.0.0.1:${redis.port}`, /the server wants a password/],
      ];
      try {
        // The cases run side by side: each is a process that must end by itself within seconds.
        await Promise.all(
          cases.map(async ([url, message], i) => {
            const out = path.join(cwd, `bad-url-${i}`);
            for (const args of [
              ['sweep', ...TRIAL, '--out', out, '--queue', url],
              ['worker', url],
            ]) {
              const p = spawnNabla(args, cwd);
              expect(await p.exited).toBe(2);
              expect(p.out).toMatch(message);
              expect(p.out.trim().split('\n')).toHaveLength(1);
              expect(p.out).not.toContain(wrong);
            }
            expect(existsSync(out)).toBe(false);
          }),
        );
      } finally {
        silent.close();
      }
    }, 300_000);
  });

  describe('resumable sweeps', () => {
    it('rerunning the same local command continues it; finished trials are not trained again', async () => {
      const out = path.join(cwd, 'resume-local');
      const args = [
        'sweep',
        ...TRIAL,
        '--trials',
        '3',
        '--epochs',
        '2',
        '--workers',
        '1',
        '--seed',
        '4',
        '--out',
        out,
      ];
      const first = spawnNabla(args, cwd);
      await first.waitFor(/^trial 1\/3 .* val /m);
      first.child.kill('SIGINT');
      expect(await first.exited).toBe(130);
      expect(first.out).toMatch(/stopped; continue with: nabla sweep --resume /);
      const dir = runFolder(out, '-sweep-softmax');
      const metrics1 = readFileSync(path.join(dir, 'trial-01', 'metrics.jsonl'), 'utf8');

      const again = nabla(args, cwd);
      expect(again.status).toBe(0);
      expect(again.stdout).toMatch(/continuing sweep softmax-[0-9a-f]{10}: 1 of 3 trials have results/);
      expect(again.stdout).not.toMatch(/^trial 1\/3 /m);
      expect(again.stdout).toMatch(/^trial 2\/3 .* val /m);
      expect(readFileSync(path.join(dir, 'trial-01', 'metrics.jsonl'), 'utf8')).toBe(metrics1);
      expect(recorded(dir).map((r) => r.trial)).toEqual([1, 2, 3]);
      expect(summary(dir).trials).toHaveLength(3);

      const third = nabla(args, cwd);
      expect(third.status).toBe(0);
      expect(third.stdout).toMatch(/finished already/);
    }, 300_000);

    it('--resume <id> with the queue picks up what the workers finished while the coordinator was gone', async () => {
      const w = worker(5, 'Q');
      await w.waitFor(/taking trials/);
      const out = path.join(cwd, 'resume-queue');
      const coord = sweep([
        '--trials',
        '3',
        '--epochs',
        '2',
        '--seed',
        '5',
        '--out',
        out,
        '--queue',
        `${redis.url()}/5`,
      ]);
      const [, id] = await coord.waitFor(/^id +(softmax-[0-9a-f]{10})/m);
      await coord.waitFor(/^trial +\d\/3 .* val /m);
      coord.child.kill('SIGKILL');
      await coord.exited;
      await w.waitFor(/(trial \d of \S+: done[^]*){3}/);
      const again = spawnNabla(['sweep', '--resume', id, '--out', out, '--queue', `${redis.url()}/5`], cwd);
      expect(await again.exited).toBe(0);
      expect(again.out).toMatch(/continuing sweep/);
      const dir = runFolder(out, '-sweep-softmax');
      expect(
        recorded(dir)
          .map((r) => r.trial)
          .sort(),
      ).toEqual([1, 2, 3]);
      for (const t of [1, 2, 3]) expect(starts(w, t)).toBe(1);
    }, 300_000);
  });
}
