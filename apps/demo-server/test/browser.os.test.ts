// End to end in a real browser: Debian's chromium driven by playwright-core, the server
// under node:cluster with 2 workers. Two browser pages and one TCP client talk; the stats
// chart renders (screenshots kept in test-artifacts/). Without chromium: skipped, with a
// notice (`pnpm test` and .ci/run say how to install it).
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { APP, LineClient, type Server, startServer, until } from './helpers.js';

const CHROMIUM =
  [process.env.G_CHROMIUM, '/usr/bin/chromium'].find((p) => p && existsSync(p)) ?? '';
if (!CHROMIUM) {
  console.warn(
    'notice: no chromium at /usr/bin/chromium (or G_CHROMIUM): the browser test is SKIPPED. ' +
      'Install it with `apt-get install -y chromium` (.ci/run does).',
  );
}

const ARTIFACTS = join(APP, 'test-artifacts');

describe.skipIf(!CHROMIUM)('in chromium, with --workers 2', () => {
  let server: Server;
  let context: BrowserContext;
  let profile: string;

  beforeAll(async () => {
    server = await startServer(['--workers', '2']);
    profile = mkdtempSync(join(tmpdir(), 'demo-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      viewport: { width: 1100, height: 760 },
    });
  });

  afterAll(async () => {
    await context?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    if (server && server.proc.exitCode === null) await server.stop('SIGKILL');
  });

  async function joinPage(nick: string): Promise<Page> {
    const page = await context.newPage();
    await page.goto(`http://127.0.0.1:${server.port}/`);
    await page.fill('#nick', nick);
    await page.click('#connect');
    await page.waitForSelector('#say-form:not(.hidden)');
    await page.waitForSelector(`#log .t-welcome:has-text("Hello ${nick}")`);
    return page;
  }

  async function say(page: Page, text: string): Promise<void> {
    await page.fill('#say', text);
    await page.press('#say', 'Enter');
  }

  const logText = (page: Page) => page.locator('#log').textContent();

  test('two browsers and nc talk across workers; the stats chart draws; SIGTERM ends it', async () => {
    const alice = await joinPage('alice');
    const bob = await joinPage('bob');
    const carol = await LineClient.join(server.tcpPort, 'carol');

    await say(alice, 'hello from alice');
    await bob.waitForSelector('#log .line:has-text("<alice> hello from alice")');
    await carol.waitFor(/^\[lobby\] <alice> hello from alice$/);

    carol.send('hi from nc');
    await alice.waitForSelector('#log .line:has-text("<carol> hi from nc")');
    await bob.waitForSelector('#log .line:has-text("<carol> hi from nc")');

    await say(bob, '/me waves');
    await alice.waitForSelector('#log .t-me:has-text("* bob waves")');
    await carol.waitFor(/^\[lobby\] \* bob waves$/);

    // /who sees everyone, whichever worker each one is on (the primary relays joins).
    await until(() => {
      carol.send('/who');
      return carol.lines.includes('[lobby] 3 here: alice, bob, carol');
    }, '/who to list all three');
    await say(alice, '/who');
    await alice.waitForSelector('#log .t-who:has-text("3 here: alice, bob, carol")');

    // The live chart: samples arrive once a second; each canvas is drawn by hand.
    const stats = await context.newPage();
    await stats.goto(`http://127.0.0.1:${server.port}/stats`);
    await stats.waitForFunction(() => Number(document.body.dataset.samples) >= 3, null, {
      timeout: 30_000,
    });
    const status = await stats.locator('#status').textContent();
    expect(status).toContain('2 workers');
    const inked = await stats.evaluate(() => {
      const out: Record<string, number> = {};
      for (const c of document.querySelectorAll('canvas')) {
        const ctx = (c as HTMLCanvasElement).getContext('2d')!;
        const d = ctx.getImageData(
          0,
          0,
          (c as HTMLCanvasElement).width,
          (c as HTMLCanvasElement).height,
        ).data;
        let n = 0;
        for (let i = 3; i < d.length; i += 4) if (d[i]! > 0) n++;
        out[c.id] = n;
      }
      return out;
    });
    expect(Object.keys(inked)).toHaveLength(6);
    for (const [id, n] of Object.entries(inked)) expect(n, id).toBeGreaterThan(1000);
    // Clients: all / TCP / browsers / queued, summed over both workers (each sends its
    // sample once a second).
    await stats.waitForFunction(
      () => document.getElementById('now-clients')?.textContent === '3 / 1 / 2 / 0',
      null,
      { timeout: 15_000 },
    );

    mkdirSync(ARTIFACTS, { recursive: true });
    const shots = {
      stats: join(ARTIFACTS, 'stats.png'),
      alice: join(ARTIFACTS, 'chat-alice.png'),
    };
    await stats.screenshot({ path: shots.stats, fullPage: true });
    await alice.screenshot({ path: shots.alice });
    console.log(`screenshots: ${shots.stats} ${shots.alice}`);

    // Graceful shutdown: every client is told, then the server exits 0.
    const exit = await server.stop('SIGTERM');
    expect(exit.code, server.output()).toBe(0);
    await alice.waitForSelector('#log .t-bye:has-text("the server is shutting down")');
    await bob.waitForSelector('#log .t-bye:has-text("the server is shutting down")');
    await carol.waitFor(/^-- the server is shutting down; bye$/);
    expect(await logText(bob)).toContain('<carol> hi from nc');
  });
});
