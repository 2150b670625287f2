/**
 * The API reference builds with no warning: TypeDoc (typedoc.json: the Node entry, src/index.ts, which holds
 * everything the browser entry has) with its validation on — every exported symbol, method and option has a
 * doc comment, every type a signature names is exported, every {@link} resolves — and warnings as errors.
 * `npm run docs` writes the same reference to docs/api/.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { expect, it } from 'vitest';
import { root } from '../cli/helpers.js';

it('typedoc builds the API reference with no warnings (typedoc.json, --emit none)', () => {
  const r = spawnSync(
    process.execPath,
    [path.join(root, 'node_modules', 'typedoc', 'bin', 'typedoc'), '--emit', 'none'],
    { cwd: root, encoding: 'utf8' },
  );
  const output = `${r.stdout}\n${r.stderr}`;
  expect(output).not.toMatch(/\[warning\]|\[error\]/);
  expect(r.status, output).toBe(0);
});
