import type { LoggerService } from '@nestjs/common';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type LogSink = (line: string) => void;

/**
 * Structured logs: one JSON object per line on stdout (stderr for errors), so a log shipper can index
 * fields such as `topic` or `partition` without parsing prose. Implements Nest's LoggerService so the
 * framework's own messages come out in the same shape.
 */
export class JsonLogger implements LoggerService {
  constructor(
    private readonly service: string,
    private readonly minLevel: LogLevel = 'info',
    private readonly out: LogSink = (line) => process.stdout.write(line + '\n'),
    private readonly err: LogSink = (line) => process.stderr.write(line + '\n'),
  ) {}

  log(message: unknown, ...rest: unknown[]): void {
    this.write('info', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }

  /** Logs with structured fields: `logger.event('info', 'batch inserted', { rows: 500 })`. */
  event(level: LogLevel, msg: string, fields: Record<string, unknown> = {}): void {
    if (rank[level] < rank[this.minLevel]) return;
    const line = JSON.stringify({
      time: new Date().toISOString(),
      level,
      service: this.service,
      msg,
      ...fields,
    });
    (level === 'error' ? this.err : this.out)(line);
  }

  private write(level: LogLevel, message: unknown, rest: unknown[]): void {
    if (rank[level] < rank[this.minLevel]) return;
    // Nest passes the context as the last string argument, and for errors a stack before it.
    const fields: Record<string, unknown> = {};
    const args = [...rest];
    if (args.length > 0 && typeof args[args.length - 1] === 'string') fields.context = args.pop();
    if (level === 'error' && args.length > 0 && typeof args[0] === 'string') fields.stack = args.shift();
    if (args.length > 0) fields.details = args;
    if (message instanceof Error) {
      fields.error = message.name;
      fields.stack ??= message.stack;
      this.event(level, message.message, fields);
    } else if (typeof message === 'object' && message !== null) {
      this.event(level, 'msg' in message ? String(message.msg) : '', { ...fields, ...(message as object) });
    } else {
      this.event(level, String(message), fields);
    }
  }
}
