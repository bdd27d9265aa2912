import { describe, expect, test } from 'vitest';
import { ConfigError, parseConfig, usage } from '../src/config.js';

const parse = (argv: string[], env: Record<string, string> = {}) => {
  const r = parseConfig(argv, env);
  if (r.help) throw new Error('unexpected --help');
  return r.config;
};

describe('configuration', () => {
  test('defaults', () => {
    expect(parse([])).toEqual({
      host: '127.0.0.1',
      port: 8080,
      tcpPort: 8081,
      maxClients: 1000,
      idleTimeout: 300,
      queueSize: 256,
      workers: 1,
      shutdownTimeout: 5,
      backlog: 256,
    });
  });

  test('flags win over the environment, which wins over defaults', () => {
    const c = parse(['--port', '0', '--max-clients', '7', '--idle-timeout', '0.5'], {
      CHAT_PORT: '9000',
      CHAT_TCP_PORT: '9001',
      CHAT_WORKERS: '2',
      CHAT_MAX_CLIENTS: '100',
    });
    expect(c.port).toBe(0);
    expect(c.tcpPort).toBe(9001);
    expect(c.workers).toBe(2);
    expect(c.maxClients).toBe(7);
    expect(c.idleTimeout).toBe(0.5);
  });

  test('PORT is read after CHAT_PORT', () => {
    expect(parse([], { PORT: '3000' }).port).toBe(3000);
    expect(parse([], { PORT: '3000', CHAT_PORT: '4000' }).port).toBe(4000);
    expect(parse([], { PORT: '' }).port).toBe(8080);
  });

  test('--help and -h', () => {
    expect(parseConfig(['--help'], {})).toEqual({ help: true });
    expect(parseConfig(['-h'], {})).toEqual({ help: true });
    const text = usage();
    for (const flag of ['--port', '--tcp-port', '--max-clients', '--idle-timeout', '--workers']) {
      expect(text).toContain(flag);
    }
    expect(text).toContain('CHAT_MAX_CLIENTS');
  });

  test.each([
    [['--port', 'abc'], '--port: a port is an integer from 0 to 65535, got "abc"'],
    [['--port', '70000'], '--port: a port is an integer from 0 to 65535'],
    [['--workers', '0'], '--workers: expected an integer >= 1, got "0"'],
    [['--max-clients=-3'], '--max-clients: expected an integer >= 1'],
    [['--idle-timeout', 'soon'], '--idle-timeout: expected seconds >= 0'],
    [['--bogus'], "Unknown option '--bogus'"],
    [['extra'], 'Run with --help'],
  ])('bad input %j is a ConfigError naming the option', (argv, message) => {
    expect(() => parseConfig(argv, {})).toThrow(ConfigError);
    expect(() => parseConfig(argv, {})).toThrow(message);
  });

  test('bad environment values name the variable', () => {
    expect(() => parseConfig([], { CHAT_QUEUE_SIZE: 'many' })).toThrow(
      'CHAT_QUEUE_SIZE: expected an integer >= 1, got "many"',
    );
  });
});
