/**
 * The process's logger: pino, one JSON object a line on stdout (time, level, msg, then the
 * line's own fields), or with KEYWARD_LOG_FORMAT=pretty a short readable line for people.
 * JSON is the default in production, pretty elsewhere; KEYWARD_LOG_LEVEL filters (default info).
 * Shared through globalThis, so server.ts and Next's bundle write through one stream.
 *
 * What goes in a line is chosen by its caller, and it is never a request body, a header, a
 * cookie, a query string or a secret: an error is logged by its kind (lib/errors.ts errorKind),
 * since a database error's message can quote the query's parameters.
 */
import { format } from 'node:util';
import pino, { type Logger } from 'pino';
import { prettyLine } from './pretty';

export type { Logger } from 'pino';

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export type LogFormat = 'json' | 'pretty';

export type LogSettings = { format: LogFormat; level: LogLevel };

/** KEYWARD_LOG_FORMAT and KEYWARD_LOG_LEVEL, checked: a typo stops the start with the variable's name. */
export function logSettingsFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): LogSettings {
  const format = (env.KEYWARD_LOG_FORMAT || (env.NODE_ENV === 'production' ? 'json' : 'pretty')).trim().toLowerCase();
  if (format !== 'json' && format !== 'pretty') throw new Error(`KEYWARD_LOG_FORMAT must be json or pretty, got "${env.KEYWARD_LOG_FORMAT}".`);
  const level = (env.KEYWARD_LOG_LEVEL || 'info').trim().toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    throw new Error(`KEYWARD_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${env.KEYWARD_LOG_LEVEL}".`);
  }
  return { format, level: level as LogLevel };
}

/** Where the lines go: by default stdout, asynchronously (pino flushes what is left at exit). */
export type LogDestination = { write(line: string): void };

export function createLogger(settings: LogSettings, destination?: LogDestination): Logger {
  const out = destination ?? (settings.format === 'json' ? pino.destination({ dest: 1, sync: false }) : process.stdout);
  const stream = settings.format === 'pretty' ? { write: (line: string) => out.write(prettyLine(line)) } : out;
  return pino(
    {
      level: settings.level,
      // The level by name and the time as ISO 8601: what log pipelines parse without a mapping.
      formatters: { level: (label) => ({ level: label }) },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    stream,
  );
}

const globalForLogger = globalThis as unknown as { keywardLogger?: Logger };

/** The process's logger, made from the environment on first use. */
export function logger(): Logger {
  globalForLogger.keywardLogger ??= createLogger(logSettingsFromEnv());
  return globalForLogger.keywardLogger;
}

/** A `(line) => void` at one level, for the modules that take a log callback. */
export const logAt =
  (level: 'info' | 'warn' | 'error') =>
  (line: string): void =>
    logger()[level](line);

// Terminal colour codes (Next colours its own messages): noise in a JSON field.
const COLOUR = /\u001b\[[0-9;]*m/g;
export const withoutColours = (text: string): string => text.replace(COLOUR, '');

/**
 * Sends console.log/info/warn/error/debug through the logger (server.ts, in the production
 * server): what Next or a library prints becomes a line of the same format, never a stray one.
 */
export function routeConsoleToLogger(log: Logger = logger()): void {
  const as =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (...args: unknown[]) =>
      log[level](withoutColours(format(...args)));
  console.log = as('info');
  console.info = as('info');
  console.warn = as('warn');
  console.error = as('error');
  console.debug = as('debug');
}
