/**
 * The `nabla` command tree: every command, its options and its help. Option values are checked here, at
 * parse time, so a mistake stops the command before any work with one line and status 2. Each command's
 * work lives in its own module under ./commands, imported only when the command runs (keeps --help fast).
 */
import { Command, CommanderError, Option } from 'commander';
import { packageVersion } from './version.js';
import { UsageError } from './errors.js';
import {
  AUGMENTATIONS,
  DTYPES,
  MODELS,
  NORMALIZATIONS,
  OPTIMIZERS,
  parseAugment,
  parseSchedule,
  SCHEDULES,
  parseData,
  parseDType,
  parseFraction,
  parseHidden,
  parseInteger,
  parseModel,
  parseNormalization,
  parseNonNegative,
  parseNumber,
  parseOptimizer,
  parsePositive,
} from './choices.js';
import { DATASET_NAMES as DATASETS } from '../data/datasetNames.js';
import { parsePort } from './ui/bind.js';
import { SEARCHES } from './sweep/plan.js';
import { parseAxis, SEARCHABLE, type Axis } from './sweep/search.js';

/** The most digits `nabla sample` draws into its one picture (100 x 100 of them, about 6,000 px square). */
const SAMPLE_MAX = 10_000;

/** The flags a command accepts, for the one-line message about an unknown option. */
function flagsOf(cmd: Command): string {
  const flags = cmd.options.map((o) => o.long ?? o.short).filter((f): f is string => !!f);
  return [...flags, '--help'].join(', ');
}

function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/**
 * Makes commander's parse errors into UsageErrors with one line and the valid choices, and leaves help and
 * version (status 0) alone. Applied to every command, since commander reports each error from the command
 * that found it.
 */
function strict(cmd: Command): Command {
  cmd.configureOutput({ outputError: () => {} });
  cmd.exitOverride((err: CommanderError) => {
    if (err.exitCode === 0 || err.code === 'commander.help') throw err;
    const where = commandPath(cmd);
    switch (err.code) {
      case 'commander.unknownOption': {
        const opt = /'([^']+)'/.exec(err.message)?.[1] ?? '';
        throw new UsageError(`${where}: unknown option '${opt}' (valid: ${flagsOf(cmd)})`);
      }
      case 'commander.unknownCommand': {
        const name = /'([^']+)'/.exec(err.message)?.[1] ?? '';
        const valid = cmd.commands.map((c) => c.name()).join(', ');
        throw new UsageError(`${where}: unknown command '${name}' (valid: ${valid})`);
      }
      case 'commander.excessArguments':
      case 'commander.missingArgument':
      case 'commander.optionMissingArgument':
      case 'commander.missingMandatoryOptionValue':
      case 'commander.invalidArgument':
      case 'commander.conflictingOption':
        throw new UsageError(
          `${where}: ${err.message.replace(/^error: /, '')} (usage: ${where} ${cmd.usage()})`,
        );
      default:
        throw new UsageError(`${where}: ${err.message.replace(/^error: /, '')}`);
    }
  });
  return cmd;
}

/**
 * Options that say how a run is shown or which run, not how it trains: the ones `train --resume` takes (the
 * run's settings are in its config.json). --model is one: with --resume it must match the checkpoint.
 */
const NOT_SETTINGS = new WeakSet<Option>();
function notSetting(o: Option): Option {
  NOT_SETTINGS.add(o);
  return o;
}

/** The options shared by train and sweep: what to train, on what, and how. */
function addTrainingOptions(cmd: Command, forSweep = false): Command {
  cmd
    .addOption(
      notSetting(
        new Option('-m, --model <model>', `model: ${MODELS.join('|')} or a layers .json file`)
          .default(parseModel('cnn'), 'cnn')
          .argParser(parseModel),
      ),
    )
    .addOption(
      new Option(
        '-d, --data <data>',
        `data set: ${DATASETS.join('|')} or a folder / .tar.gz of split/class/images`,
      )
        .default(parseData('mnist'), 'mnist')
        .argParser(parseData),
    )
    .addOption(
      new Option('-e, --epochs <n>', 'passes over the training set (default: 1 for cnn)').argParser(
        parsePositive('--epochs'),
      ),
    )
    .addOption(new Option('-b, --batch-size <n>', 'minibatch size').argParser(parseInteger('--batch-size')))
    .addOption(
      new Option('--optimizer <rule>', `update rule: ${OPTIMIZERS.join('|')}`).argParser(parseOptimizer),
    )
    .addOption(
      new Option('--lr-decay <factor>', 'multiply the learning rate by this after each epoch').argParser(
        parsePositive('--lr-decay'),
      ),
    )
    .addOption(
      new Option(
        '--lr-schedule <kind>',
        `within-run learning rate: ${SCHEDULES.join('|')} (cosine anneals to 0)`,
      ).argParser(parseSchedule),
    )
    .addOption(
      new Option(
        '--hidden <sizes>',
        'hidden layer sizes, comma-separated (two-layer, fc, cnn3; caption-rnn/lstm: hidden,wordvec; caption-transformer: width)',
      ).argParser(parseHidden),
    )
    .addOption(
      new Option('--normalization <kind>', `normalization in fc nets: ${NORMALIZATIONS.join('|')}`).argParser(
        parseNormalization,
      ),
    )
    .addOption(
      new Option(
        '--dropout <keep>',
        'dropout: probability of KEEPING a unit, as in the course (1 = off)',
      ).argParser(parseFraction('--dropout', 0, 1, true, false)),
    )
    .addOption(
      new Option('--augment <kind>', `training augmentation: ${AUGMENTATIONS.join('|')}`).argParser(
        parseAugment,
      ),
    )
    .addOption(new Option('--k <k>', 'neighbours for knn').argParser(parseInteger('--k')))
    .addOption(
      new Option(
        '--features <kind>',
        'captioning on mnist-captions: image features (cnn: the cached digit CNN)',
      ).choices(['cnn', 'pixels']),
    )
    .addOption(
      new Option(
        '--beam <width>',
        'captioning: judge test captions made by beam search of this width',
      ).argParser(parseInteger('--beam')),
    )
    .addOption(
      new Option('--noise-dim <n>', 'gan, lsgan, dcgan: the noise dimension (default 96)').argParser(
        parseInteger('--noise-dim'),
      ),
    )
    .addOption(
      new Option('--temperature <t>', "simclr: the contrastive loss's temperature (default 0.5)").argParser(
        parsePositive('--temperature'),
      ),
    )
    .addOption(
      new Option(
        '--minutes <m>',
        'simclr: stop training after this many minutes (over resumes); without --epochs the budget decides',
      ).argParser(parsePositive('--minutes')),
    )
    .addOption(
      new Option('--seed <n>', 'random seed (weights, shuffling, dropout)')
        .default(0)
        .argParser(parseInteger('--seed', 0)),
    )
    .addOption(
      new Option('--dtype <dtype>', `float type: ${DTYPES.join('|')}`)
        .default('float32')
        .argParser(parseDType),
    )
    .addOption(
      new Option('--val-split <fraction>', 'fraction of the training set held out for validation').argParser(
        parseFraction('--val-split', 0, 1),
      ),
    )
    .addOption(
      new Option('--limit <n>', 'use only the first n training and n test images (quick tries)').argParser(
        parseInteger('--limit'),
      ),
    )
    .addOption(new Option('--out <dir>', 'folder that holds the run folders').default('runs'));
  if (forSweep) addSweepOptions(cmd);
  else {
    cmd
      .addOption(new Option('--lr <rate>', 'learning rate').argParser(parsePositive('--lr')))
      .addOption(
        new Option('--reg <strength>', 'L2 regularization strength').argParser(parseNonNegative('--reg')),
      )
      .addOption(
        notSetting(new Option('--resume <run>', 'continue an interrupted run (its folder or checkpoint)')),
      )
      .addOption(notSetting(new Option('--no-report', 'skip report.html and its images')))
      .addOption(notSetting(new Option('--quiet', 'print only the final summary')))
      .addOption(
        notSetting(
          new Option(
            '--ui',
            'serve the live dashboard (curves, filters, predictions) while training, until Ctrl-C',
          ),
        ),
      )
      .addOption(
        notSetting(
          new Option('--host <address>', 'dashboard address (default 127.0.0.1; others need --allow-remote)'),
        ),
      )
      .addOption(
        notSetting(
          new Option(
            '--port <n>',
            'dashboard port (default 8231, or a free one if taken; 0: any free)',
          ).argParser(parsePort),
        ),
      )
      .addOption(
        notSetting(
          new Option('--allow-remote', 'let the dashboard listen on a non-loopback --host (it has no login)'),
        ),
      );
  }
  return cmd;
}

export function buildProgram(): Command {
  const program = strict(new Command('nabla'))
    .description('Train and judge image classifiers: CS231n in TypeScript.')
    .version(packageVersion(), '-V, --version')
    .showHelpAfterError(false)
    .addHelpText(
      'after',
      `
Examples:
  nabla train                                   # small CNN on MNIST, one epoch (no download)
  nabla train --model softmax --data mnist --epochs 5
  nabla train --ui                              # the same, with a live dashboard on 127.0.0.1
  nabla ui                                      # dashboard of past runs in runs/ (compare curves)
  nabla eval runs/<run>                         # accuracy, per-class accuracy, confusion matrix
  nabla predict runs/<run> digit.png            # top-5 classes with probabilities
  nabla export runs/<run> --format onnx         # runs/<run>/model.onnx for onnxruntime and friends
  nabla sweep --model softmax --trials 8 --lr 1e-4:1e-1 --reg 1e-6:1e-2`,
    );
  // Subcommands inherit the parent's settings; strict() is applied to each so its errors name it.
  const sub = (name: string): Command => strict(program.command(name));

  addTrainingOptions(
    sub('train')
      .description(
        'train a model and write runs/<timestamp>-<model>/ (checkpoint, metrics.jsonl, config.json, report.html)',
      )
      .action(async (opts, cmd: Command) =>
        (await import('./commands/train.js')).trainCommand({
          ...opts,
          modelExplicit: cmd.getOptionValueSource('model') === 'cli',
          settingsGiven: cmd.options
            .filter((o) => cmd.getOptionValueSource(o.attributeName()) === 'cli' && !NOT_SETTINGS.has(o))
            .map((o) => o.long ?? o.name()),
        }),
      ),
  );

  addRunCommands(sub);

  addGradcheckCommand(sub('gradcheck'));

  addTrainingOptions(
    sub('sweep')
      .description(
        'hyperparameter search (random, grid, ASHA) on worker threads or a Redis queue; ranked table, best checkpoint kept',
      )
      .action(async (opts, cmd: Command) =>
        (await import('./commands/sweep.js')).sweepCommand({
          ...opts,
          trialsExplicit: cmd.getOptionValueSource('trials') === 'cli',
        }),
      ),
    true,
  );

  addWorkerCommand(sub('worker'));

  addDataCommands(sub('data'));

  addServeOptions(
    sub('ui')
      .description('serve the dashboard of past runs on 127.0.0.1: curves, settings, pictures; compare runs')
      .option('--runs <dir>', 'the folder of run folders', 'runs'),
    8231,
    'the dashboard',
  ).action(async (opts) => (await import('./commands/ui.js')).uiCommand(opts));

  addServeOptions(
    sub('demo').description(
      'serve the in-browser demo on 127.0.0.1: a CNN learns MNIST in your browser; draw a digit',
    ),
    8230,
    'the server',
  ).action(async (opts) => (await import('./commands/demo.js')).demoCommand(opts));

  sub('bench')
    .description('run the benchmarks (bench/run.ts) and print images/s and GFLOP/s')
    .allowUnknownOption(true)
    .allowExcessArguments(true)
    .action(async (_opts, cmd: Command) => (await import('./commands/bench.js')).benchCommand(cmd.args));

  sub('info')
    .description('version, backend, threads, SIMD')
    .option('--json', 'print as JSON', false)
    .action(async (opts) => (await import('./commands/info.js')).infoCommand(opts));

  return program;
}

/** The commands that act on a trained run: eval, predict, sample, export. */
function addRunCommands(sub: (name: string) => Command): void {
  sub('eval')
    .description('evaluate a run or checkpoint: accuracy, per-class accuracy, confusion matrix')
    .argument('<run>', 'run folder or checkpoint (.json or .npz)')
    .addOption(
      new Option('-d, --data <data>', 'data set (default: the one the model was trained on)').argParser(
        parseData,
      ),
    )
    .addOption(
      new Option('--limit <n>', 'evaluate only the first n test images').argParser(parseInteger('--limit')),
    )
    .addOption(new Option('--split <split>', 'which split').choices(['test', 'train']).default('test'))
    .option('--report', 'write eval-report.html and its images beside the checkpoint', false)
    .addOption(
      new Option(
        '--labels <n>',
        'simclr runs: labelled training images for the linear classifier (default 5000)',
      ).argParser(parseInteger('--labels', 2)),
    )
    .option('--baselines', 'simclr runs: also a random encoder and raw pixels, same classifier', false)
    .option('--json', 'print the result as JSON', false)
    .option(
      '--allow-nonfinite',
      'evaluate even if parameters hold NaN or Infinity (a diverged run), with a warning',
      false,
    )
    .action(async (run, opts) => (await import('./commands/eval.js')).evalCommand(run, opts));

  sub('predict')
    .description(
      'classify images (PNG or JPEG, any size; resized to the model input): top-k with probabilities; caption them for captioning runs',
    )
    .argument('<run>', 'run folder or checkpoint')
    .argument('<images...>', 'image files')
    .addOption(
      new Option('-k, --top <k>', 'how many classes to show').default(5).argParser(parseInteger('--top')),
    )
    .addOption(
      new Option('--beam <width>', 'captioning runs: beam search of this width (default greedy)').argParser(
        parseInteger('--beam'),
      ),
    )
    .option('--json', 'print the result as JSON', false)
    .action(async (run, images, opts) =>
      (await import('./commands/predict.js')).predictCommand(run, images, opts),
    );

  sub('sample')
    .description('a GAN run: write a PNG grid of generated digits')
    .argument('<run>', 'GAN run folder or checkpoint')
    .addOption(
      new Option('-n, --n <n>', `how many digits (at most ${SAMPLE_MAX}: one picture)`)
        .default(64)
        .argParser(parseInteger('--n', 1, SAMPLE_MAX)),
    )
    .addOption(new Option('--seed <s>', 'seed of the noise').default(0).argParser(parseInteger('--seed', 0)))
    .addOption(new Option('-o, --out <file>', 'PNG path (default: <run>/sample-seed-<s>-n<n>.png)'))
    .action(async (run, opts) => (await import('./commands/ganEval.js')).sampleCommand(run, opts));

  sub('export')
    .description(
      'write a trained classifier as an ONNX model (onnxruntime, PyTorch, TensorRT, ...), with its class names and normalisation in the metadata',
    )
    .argument('<run>', 'run folder or checkpoint')
    .addOption(new Option('-f, --format <format>', 'model format').choices(['onnx']).default('onnx'))
    .addOption(new Option('-o, --out <file>', 'output file (default: <run>/model.onnx)'))
    .action(async (run, opts) => (await import('./commands/export.js')).exportCommand(run, opts));
}

/** `nabla worker <url>`: takes a queue sweep's trials. */
function addWorkerCommand(cmd: Command): Command {
  return cmd
    .description('take the trials of `nabla sweep --queue` sweeps from a Redis queue and train them')
    .argument(
      '<url>',
      'redis://[user:password@]host:port[/db] or rediss://... (password also from $NABLA_REDIS_PASSWORD)',
    )
    .addOption(
      new Option('--concurrency <n>', 'trials trained at once (worker threads)')
        .default(1)
        .argParser(parseInteger('--concurrency')),
    )
    .addOption(
      new Option('--work <dir>', 'folder for the trials being trained (default: a temporary folder)'),
    )
    .addOption(new Option('--name <name>', "name shown in the sweep's results (default: host:pid)"))
    .action(async (url, opts) => (await import('./commands/worker.js')).workerCommand(url, opts));
}

/** `nabla data list | info | download`. */
function addDataCommands(cmd: Command): void {
  const data = cmd.description('data sets: list, info, download');
  strict(data.command('list'))
    .description('the data sets nabla knows and whether each is available here')
    .action(async () => (await import('./commands/data.js')).dataList());
  strict(data.command('info'))
    .description('shapes, classes and location of a data set')
    .argument('<data>', `${DATASETS.join('|')} or a folder / .tar.gz`)
    .action(async (d) => (await import('./commands/data.js')).dataInfo(parseData(d)));
  strict(data.command('download'))
    .description('download a data set into the data folder ($NABLA_DATA), verifying its checksum')
    .argument('<name>', DATASETS.filter((d) => d !== 'mnist').join('|') + '|mnist')
    .option('--url <url>', 'download from this address instead')
    .option('--dir <dir>', 'save into this folder')
    .action(async (name, opts) => (await import('./commands/data.js')).dataDownload(name, opts));
}

/** The options of `nabla sweep` beyond the training ones: what to search, how, and where it runs. */
function addSweepOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option('--lr <range>', 'learning rate: a value, a log range lo:hi, or values a,b,c').argParser(
        (v: string) => parseAxis('lr', v),
      ),
    )
    .addOption(
      new Option('--reg <range>', 'regularization: a value, a log range lo:hi, or values a,b,c').argParser(
        (v: string) => parseAxis('reg', v),
      ),
    )
    .addOption(
      new Option(
        '--param <name=spec>',
        `search another option (repeatable): ${SEARCHABLE.join('|')} = value, lo:hi[:log|linear] or a,b,c`,
      ).argParser(collectParam),
    )
    .addOption(
      new Option('--search <kind>', 'random (log-uniform), grid, or asha (successive halving at epoch rungs)')
        .choices(SEARCHES)
        .default('random'),
    )
    .addOption(
      new Option('--trials <n>', 'number of trials (random, asha)')
        .default(8)
        .argParser(parseInteger('--trials')),
    )
    .addOption(
      new Option('--grid-points <n>', 'points per range in a grid')
        .default(3)
        .argParser(parseInteger('--grid-points')),
    )
    .addOption(
      new Option('--eta <n>', 'asha: keep the best 1/eta at each rung')
        .default(3)
        .argParser(parseInteger('--eta', 2)),
    )
    .addOption(
      new Option('--min-epochs <n>', 'asha: epochs of the first rung')
        .default(1)
        .argParser(parseInteger('--min-epochs')),
    )
    .addOption(
      new Option('--workers <n>', 'worker threads of a local sweep (default: all cores)').argParser(
        parseInteger('--workers'),
      ),
    )
    .addOption(
      new Option(
        '--queue <url>',
        'run the trials as jobs on this Redis (redis://[user:password@]host:port[/db], rediss:// for TLS) for `nabla worker`s',
      ),
    )
    .addOption(new Option('--resume <sweep>', 'continue a sweep: its folder, or its id (looked up in --out)'))
    .addOption(
      new Option(
        '--blob-limit <MiB>',
        'queue: largest trial folder stored in Redis (bigger: without checkpoint)',
      )
        .default(64)
        .argParser(parsePositive('--blob-limit')),
    );
}

/** --param name=spec, repeatable: the axes so far plus this one. */
function collectParam(v: string, prev: Axis[] | undefined): Axis[] {
  const eq = v.indexOf('=');
  if (eq < 1)
    throw new UsageError(`--param: expected name=spec like dropout=0.5:1 or hidden=50,100,200; got '${v}'`);
  return [...(prev ?? []), parseAxis(v.slice(0, eq), v.slice(eq + 1), `--param ${v.slice(0, eq)}`)];
}

/** `nabla gradcheck`: the course's numeric gradient check as a command. */
function addGradcheckCommand(cmd: Command): Command {
  return cmd
    .description(
      "numeric gradient check of a model's loss on a tiny float64 instance: relative error per parameter",
    )
    .addOption(
      new Option(
        '-m, --model <model>',
        `model: ${MODELS.filter((m) => m !== 'knn').join('|')} or a layers .json file`,
      )
        .default(parseModel('cnn'), 'cnn')
        .argParser(parseModel),
    )
    .addOption(
      new Option('--reg <strength>', 'L2 regularization during the check')
        .default(0.1)
        .argParser(parseNumber('--reg')),
    )
    .addOption(
      new Option('--seed <n>', 'random seed of the weights and inputs')
        .default(1)
        .argParser(parseInteger('--seed', 0)),
    )
    .addOption(
      new Option('--tolerance <t>', 'largest relative error that passes')
        .default(1e-5)
        .argParser(parsePositive('--tolerance')),
    )
    .action(async (opts) => (await import('./commands/gradcheck.js')).gradcheckCommand(opts));
}

/** --host, --port and --allow-remote of a command that serves pages (`what` names it in the help). */
function addServeOptions(cmd: Command, defaultPort: number, what: string): Command {
  return cmd
    .addOption(
      new Option('--host <address>', 'address to listen on (default 127.0.0.1; others need --allow-remote)'),
    )
    .addOption(
      new Option(
        '--port <n>',
        `port (default ${defaultPort}, or a free one if taken; 0: any free)`,
      ).argParser(parsePort),
    )
    .addOption(new Option('--allow-remote', `allow a non-loopback --host (${what} has no login)`));
}

/** Every command below `nabla` by its full name ('train', 'data', 'data list', ...), each before its own. */
export function commandNames(cmd: Command = buildProgram()): string[] {
  return cmd.commands.flatMap((c) => [c.name(), ...commandNames(c).map((s) => `${c.name()} ${s}`)]);
}
