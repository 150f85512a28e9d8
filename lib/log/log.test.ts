/**
 * The logger and the request log: JSON lines with time, level and msg; the pretty form; the
 * settings refused with the variable's name; the request-id rule; routes without their query and
 * without anything shaped like a key; verify logged in aggregate, and each answer at debug level.
 */
import { describe, expect, it } from 'vitest';
import { generateKey } from '@/lib/keys/format';
import { createLogger, logSettingsFromEnv, routeConsoleToLogger, type LogSettings } from './logger';
import { prettyLine } from './pretty';
import { MAX_REQUEST_ID_LENGTH, requestIdFor } from './request-id';
import { MAX_ROUTE_LENGTH, RequestLog, routeForLog } from './requests';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** A logger whose lines are kept, parsed. */
function captured(settings: Partial<LogSettings> = {}) {
  const lines: string[] = [];
  const log = createLogger({ format: 'json', level: 'info', ...settings }, { write: (line) => void lines.push(line) });
  return { log, lines, records: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

describe('the logger', () => {
  it('writes one JSON object a line: ISO time, level by name, msg, and the fields given', () => {
    const { log, lines, records } = captured();
    log.info({ route: '/x', status: 200 }, 'request');
    log.debug('not at info');
    log.error('went wrong');
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line.endsWith('\n') && !line.slice(0, -1).includes('\n')).toBe(true);
    const [first, second] = records();
    expect(first).toMatchObject({ level: 'info', msg: 'request', route: '/x', status: 200 });
    expect(new Date(first!.time as string).toISOString()).toBe(first!.time);
    expect(second).toMatchObject({ level: 'error', msg: 'went wrong' });
  });

  it('keeps a message with a line break on one line', () => {
    const { log, lines } = captured();
    log.info('first\nsecond');
    expect(lines).toHaveLength(1);
    expect(lines[0]!.trimEnd().split('\n')).toHaveLength(1);
  });

  it('pretty: time, level and message first, then the fields, for people', () => {
    const lines: string[] = [];
    const log = createLogger({ format: 'pretty', level: 'info' }, { write: (line) => void lines.push(line) });
    log.warn({ requestId: 'abc', route: '/api/v1/keys', status: 401, durationMs: 2.5, note: 'two words' }, 'request');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} WARN  request requestId=abc route=\/api\/v1\/keys status=401 durationMs=2\.5 note="two words"\n$/);
    expect(prettyLine('not json')).toBe('not json\n');
  });

  it('takes over console: its lines become log lines of the same format, without terminal colours', () => {
    const { log, records } = captured();
    const saved = { log: console.log, info: console.info, warn: console.warn, error: console.error, debug: console.debug };
    try {
      routeConsoleToLogger(log);
      console.log('ready in %d ms', 12);
      console.error('\u001b[31m\u001b[1m⨯\u001b[22m\u001b[39m Error: broken', { digest: '1' });
    } finally {
      Object.assign(console, saved);
    }
    expect(records()).toEqual([
      expect.objectContaining({ level: 'info', msg: 'ready in 12 ms' }),
      expect.objectContaining({ level: 'error', msg: "⨯ Error: broken { digest: '1' }" }),
    ]);
  });

  it('reads KEYWARD_LOG_FORMAT and KEYWARD_LOG_LEVEL, and names a bad value', () => {
    expect(logSettingsFromEnv({ KEYWARD_LOG_FORMAT: 'pretty', KEYWARD_LOG_LEVEL: 'DEBUG' })).toEqual({ format: 'pretty', level: 'debug' });
    expect(logSettingsFromEnv({ KEYWARD_LOG_FORMAT: 'json' }).level).toBe('info');
    expect(logSettingsFromEnv({ NODE_ENV: 'production' }).format).toBe('json');
    expect(logSettingsFromEnv({ NODE_ENV: 'development' }).format).toBe('pretty');
    expect(logSettingsFromEnv({ NODE_ENV: 'production', KEYWARD_LOG_FORMAT: 'pretty' }).format).toBe('pretty');
    expect(() => logSettingsFromEnv({ KEYWARD_LOG_FORMAT: 'yaml' })).toThrow(/KEYWARD_LOG_FORMAT/);
    expect(() => logSettingsFromEnv({ KEYWARD_LOG_LEVEL: 'loud' })).toThrow(/KEYWARD_LOG_LEVEL/);
  });
});

describe('requestIdFor', () => {
  it('keeps a safe token of bounded length', () => {
    for (const id of ['abc-123', 'f47ac10b-58cc-4372-a567-0e02b2c3d479', 'trace.span:1_2', 'x'.repeat(MAX_REQUEST_ID_LENGTH)]) {
      expect(requestIdFor(id)).toBe(id);
    }
  });

  it('makes a new UUID for anything else: missing, empty, repeated, too long, unsafe characters, a key', () => {
    const key = generateKey('kw');
    const refused: Array<string | string[] | undefined> = [
      undefined,
      '',
      ['a', 'b'],
      'x'.repeat(MAX_REQUEST_ID_LENGTH + 1),
      'two words',
      'line\nbreak',
      'quote"d',
      'semi;colon',
      'é',
      key,
      `req-${key}`,
      `${key.slice(0, -1)}X`,
    ];
    for (const incoming of refused) expect(requestIdFor(incoming)).toMatch(UUID);
    expect(requestIdFor(undefined)).not.toBe(requestIdFor(undefined));
  });
});

describe('routeForLog', () => {
  it('drops the query string and fragment, bounds the length, and hides key-shaped segments', () => {
    const key = generateKey('kw');
    expect(routeForLog('/api/v1/keys')).toBe('/api/v1/keys');
    expect(routeForLog('/weird?key=kw_secret')).toBe('/weird');
    expect(routeForLog('/a#b')).toBe('/a');
    expect(routeForLog(`/api/v1/keys/${key}/rotate`)).toBe('/api/v1/keys/[redacted]/rotate');
    expect(routeForLog(`/${'a'.repeat(400)}`)).toHaveLength(MAX_ROUTE_LENGTH + 1);
  });
});

describe('RequestLog', () => {
  it('logs every request it is told of, at error level for a 5xx, and an aborted one as such', () => {
    const { log, records } = captured();
    const requests = new RequestLog(log, '/api/v1/keys/verify');
    requests.request({ requestId: 'r1', method: 'GET', route: '/api/v1/keys', status: 200, durationMs: 1.5 });
    requests.request({ requestId: 'r2', method: 'POST', route: '/api/v1/keys', status: 503, durationMs: 3 });
    requests.request({ requestId: 'r3', method: 'GET', route: '/', status: 200, durationMs: 9 }, true);
    requests.stop();
    expect(records()).toEqual([
      expect.objectContaining({ level: 'info', msg: 'request', requestId: 'r1', method: 'GET', route: '/api/v1/keys', status: 200, durationMs: 1.5 }),
      expect.objectContaining({ level: 'error', msg: 'request', requestId: 'r2', status: 503 }),
      expect.objectContaining({ level: 'info', msg: 'request aborted', requestId: 'r3', aborted: true }),
    ]);
  });

  it('sums verify answers into one line (at error level when one was a 5xx); nothing when there were none', () => {
    const { log, records } = captured();
    const requests = new RequestLog(log, '/api/v1/keys/verify');
    requests.summarizeVerify();
    expect(records()).toHaveLength(0);
    requests.verify('v1', 200, 0.5);
    requests.verify('v2', 200, 1.5);
    requests.verify('v3', 400, 1);
    requests.summarizeVerify();
    requests.verify('v4', 503, 4);
    requests.stop();
    expect(records()).toEqual([
      expect.objectContaining({ level: 'info', msg: 'verify requests', route: '/api/v1/keys/verify', requests: 3, statuses: { 200: 2, 400: 1 }, durationMsMean: 1, durationMsMax: 1.5 }),
      expect.objectContaining({ level: 'error', msg: 'verify requests', requests: 1, statuses: { 503: 1 }, durationMsMax: 4 }),
    ]);
  });

  it('at debug level, also logs each verify answer with its request id', () => {
    const { log, records } = captured({ level: 'debug' });
    const requests = new RequestLog(log, '/api/v1/keys/verify');
    requests.verify('v1', 200, 0.123);
    requests.stop();
    expect(records()[0]).toMatchObject({ level: 'debug', msg: 'request', requestId: 'v1', method: 'POST', route: '/api/v1/keys/verify', status: 200, durationMs: 0.12 });
    expect(records()[1]).toMatchObject({ msg: 'verify requests', requests: 1 });
  });
});
