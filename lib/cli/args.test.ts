import { describe, expect, it } from 'vitest';
import { parseCommand, readsPassword, UsageError } from './args';

describe('CLI arguments', () => {
  it('parses every command', () => {
    expect(parseCommand(['project', 'add', 'demo', '--name', 'Demo'])).toEqual({ kind: 'project add', slug: 'demo', name: 'Demo' });
    expect(parseCommand(['user', 'add', 'a@b.co', '--role', 'admin', '--project', 'demo', '--password-stdin'])).toEqual({
      kind: 'user add',
      email: 'a@b.co',
      project: 'demo',
      role: 'admin',
      name: undefined,
      passwordStdin: true,
    });
    expect(parseCommand(['user', 'set-password', 'a@b.co', '--password-stdin'])).toEqual({ kind: 'user set-password', email: 'a@b.co' });
    expect(parseCommand(['user', 'set-role', 'a@b.co', '--project', 'demo', '--role', 'member'])).toMatchObject({ kind: 'user set-role', role: 'member' });
    expect(parseCommand(['user', 'remove', 'a@b.co', '--project', 'demo'])).toEqual({ kind: 'user remove', email: 'a@b.co', project: 'demo' });
    expect(parseCommand(['user', 'show', 'a@b.co'])).toEqual({ kind: 'user show', email: 'a@b.co' });
    expect(parseCommand(['seed', '--project', 'demo', '--keys', '1000', '--admin', 'a@b.co'])).toEqual({ kind: 'seed', project: 'demo', keys: '1000', admin: 'a@b.co', batch: undefined });
    expect(parseCommand(['backup', 'keyward.tar.gz'])).toEqual({ kind: 'backup', file: 'keyward.tar.gz', force: false });
    expect(parseCommand(['backup', '--force', 'keyward.dump'])).toEqual({ kind: 'backup', file: 'keyward.dump', force: true });
    expect(parseCommand(['restore', 'keyward.dump'])).toEqual({ kind: 'restore', file: 'keyward.dump' });
  });

  it('answers help for no arguments, help and --help', () => {
    for (const argv of [[], ['help'], ['--help'], ['-h'], ['user', 'add', '--help']]) expect(parseCommand(argv)).toEqual({ kind: 'help' });
  });

  it('knows which commands read a password', () => {
    expect(readsPassword(parseCommand(['user', 'add', 'a@b.co', '--project', 'p1', '--role', 'admin']))).toBe(false);
    expect(readsPassword(parseCommand(['user', 'add', 'a@b.co', '--project', 'p1', '--role', 'admin', '--password-stdin']))).toBe(true);
    expect(readsPassword(parseCommand(['user', 'set-password', 'a@b.co', '--password-stdin']))).toBe(true);
  });

  it.each([
    [['frobnicate'], /Unknown command "frobnicate"/],
    [['user', 'delete', 'a@b.co'], /Unknown command "user delete"/],
    [['project', 'add'], /takes exactly one <slug>/],
    [['project', 'add', 'a', 'b'], /takes exactly one <slug>/],
    [['project', 'add', 'demo', '--bogus'], /Unknown option "--bogus"/],
    [['project', 'add', 'demo', '--role', 'admin'], /does not take --role/],
    [['user', 'add', 'a@b.co', '--role', 'admin'], /needs --project/],
    [['user', 'add', 'a@b.co', '--project', 'demo'], /needs --role/],
    [['user', 'add', 'a@b.co', '--project'], /argument missing/],
    // A password is never an argument.
    [['user', 'set-password', 'a@b.co'], /needs --password-stdin/],
    [['user', 'set-password', 'a@b.co', '--password', 'hunter22'], /Unknown option "--password"/],
    [['user', 'show', 'a@b.co', '--project', 'demo'], /"user show" does not take --project/],
    [['seed', '--project', 'demo'], /needs --keys/],
    [['seed', 'demo', '--project', 'demo', '--keys', '5'], /"seed" takes no arguments/],
    [['seed', '--project', 'demo', '--keys', '5', '--role', 'admin'], /does not take --role/],
    [['backup'], /"backup" takes exactly one <file>/],
    [['restore', 'a.dump', 'b.dump'], /"restore" takes exactly one <file>/],
    [['restore', 'a.dump', '--force'], /"restore" does not take --force/],
    [['project', 'add', 'demo', '--force'], /does not take --force/],
  ])('refuses %j as a usage error', (argv, message) => {
    expect(() => parseCommand(argv)).toThrow(UsageError);
    expect(() => parseCommand(argv)).toThrow(message);
  });
});
