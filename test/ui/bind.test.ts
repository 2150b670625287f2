/**
 * The dashboard's bind policy (src/cli/ui/bind.ts): loopback addresses are fine; any other address needs
 * --allow-remote, and then comes with a warning.
 */
import { describe, expect, it } from 'vitest';
import { browserUrl, checkBind, isLoopback } from '../../src/cli/ui/bind.js';
import { UsageError } from '../../src/cli/errors.js';

describe('isLoopback', () => {
  it.each([
    '127.0.0.1',
    '127.1.2.3',
    'localhost',
    'LOCALHOST',
    'app.localhost',
    '::1',
    '[::1]',
    '0:0:0:0:0:0:0:1',
    '::ffff:127.0.0.1',
  ])('%s is loopback', (h) => expect(isLoopback(h)).toBe(true));
  it.each([
    '0.0.0.0',
    '::',
    '192.168.1.10',
    '10.0.0.1',
    'example.com',
    '128.0.0.1',
    '::ffff:10.0.0.1',
    '1.127.0.0',
    '',
  ])('%s is not', (h) => expect(isLoopback(h)).toBe(false));
});

describe('checkBind', () => {
  it('accepts loopback without a warning, with or without --allow-remote', () => {
    expect(checkBind('127.0.0.1', false)).toBeNull();
    expect(checkBind('::1', true)).toBeNull();
  });

  it('refuses any other address unless --allow-remote is given', () => {
    for (const host of ['0.0.0.0', '::', '192.168.1.10', 'example.com']) {
      expect(() => checkBind(host, false)).toThrow(UsageError);
      expect(() => checkBind(host, false)).toThrow(
        new RegExp(`refusing to listen on ${host.replace(/\./g, '\\.')}.*--allow-remote`),
      );
    }
    expect(() => checkBind('', true)).toThrow(/--host must not be empty/);
  });

  it('allows it with --allow-remote and returns a warning to print', () => {
    expect(checkBind('0.0.0.0', true)).toMatch(/^warning: listening on 0\.0\.0\.0: anyone who can reach/);
  });
});

describe('browserUrl', () => {
  it('names an address a local browser can open', () => {
    expect(browserUrl('127.0.0.1', 8080)).toBe('http://127.0.0.1:8080/');
    expect(browserUrl('0.0.0.0', 80)).toBe('http://127.0.0.1:80/');
    expect(browserUrl('::1', 3000)).toBe('http://[::1]:3000/');
    expect(browserUrl('localhost', 1)).toBe('http://localhost:1/');
  });
});
