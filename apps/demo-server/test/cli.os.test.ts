import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { describe, expect, test } from 'vitest';
import { APP, BIN, LineClient, startServer, until, WsClient } from './helpers.js';

const runCli = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [BIN, ...args], {
    cwd: APP,
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 60_000,
  });

describe('the command', () => {
  test('--help prints every option and exits 0', () => {
    const r = runCli(['--help']);
    expect(r.status).toBe(0);
    for (const flag of ['--port', '--tcp-port', '--max-clients', '--idle-timeout', '--workers']) {
      expect(r.stdout).toContain(flag);
    }
  });

  test('a bad flag exits 2 with a message naming it', () => {
    const r = runCli(['--workers', 'two']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--workers: expected an integer >= 1, got "two"');
  });

  test('prints the URL and the nc line, serves pages, and exits 0 on SIGINT', async () => {
    const server = await startServer([], { CHAT_MAX_CLIENTS: '42' });
    try {
      expect(server.output()).toMatch(/up to 42 clients/);
      expect(server.output()).toContain(`nc 127.0.0.1 ${server.tcpPort}`);
      const base = `http://127.0.0.1:${server.port}`;
      const page = await fetch(`${base}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<title>g chat</title>');
      expect(await (await fetch(`${base}/stats`)).text()).toContain('<canvas');
      const metrics = await fetch(`${base}/metrics`);
      expect(metrics.headers.get('content-type')).toContain('text/plain; version=0.0.4');
      expect(await metrics.text()).toMatch(/^g_switches_total\{worker="0"\} \d+$/m);
      expect((await fetch(`${base}/nope`)).status).toBe(404);
      expect((await fetch(`${base}/`, { method: 'POST' })).status).toBe(405);
      const json = (await (await fetch(`${base}/stats.json`)).json()) as { history: unknown[] };
      expect(json.history.length).toBeGreaterThan(0);
    } finally {
      const exit = await server.stop('SIGINT');
      expect(exit.code).toBe(0);
    }
  });

  test('a port in use: a message saying what to do, exit 1', async () => {
    const blocker = createServer().listen(0, '127.0.0.1');
    await new Promise((r) => blocker.once('listening', r));
    const port = (blocker.address() as { port: number }).port;
    try {
      const r = runCli(['--port', String(port), '--tcp-port', '0']);
      expect(r.status).toBe(1);
      expect(r.stdout).toContain('EADDRINUSE');
      expect(r.stdout).toContain('--port N --tcp-port N');
    } finally {
      blocker.close();
    }
  });

  test('a browser arriving when the chat is full is told so (1013)', async () => {
    const server = await startServer(['--max-clients', '1']);
    try {
      const a = await LineClient.join(server.tcpPort, 'alice');
      const ws = new (await import('ws')).default(`ws://127.0.0.1:${server.port}/chat`);
      const got: string[] = [];
      ws.on('message', (d) => got.push(String(d)));
      const code = await new Promise<number>((r) => ws.on('close', (c) => r(c)));
      expect(code).toBe(1013);
      expect(got.join()).toContain('the chat is full');
      a.close();
      // Once alice is gone the browser gets in.
      await until(
        async () =>
          /chat_clients\{worker="0",kind="tcp"\} 0/.test(
            await (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text(),
          ),
        'alice to leave',
      );
      const b = await WsClient.join(server.port, 'bob');
      b.close();
    } finally {
      expect((await server.stop()).code).toBe(0);
    }
  });
});
