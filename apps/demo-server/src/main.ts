/**
 * The program: read the configuration, patch Node for the hub (gevent's
 * `monkey.patch_all()`), then run the chat in this process, or under node:cluster as a
 * primary and its workers (`--workers N`). Resolves the exit code.
 */
import cluster from 'node:cluster';
import { run } from '@g/hub';
import { patchAll } from '@g/monkey';
import { runPrimary } from './cluster.js';
import { type Config, ConfigError, parseConfig, usage } from './config.js';
import { serve } from './server.js';

export async function main(
  argv: string[],
  env: Record<string, string | undefined>,
): Promise<number> {
  let config: Config;
  try {
    const parsed = parseConfig(argv, env);
    if (parsed.help) {
      console.log(usage());
      return 0;
    }
    config = parsed.config;
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    console.error(`demo-server: ${e.message}`);
    return 2;
  }

  // Node's timers and signal handlers run on the hub (the `ws` library's timers included),
  // and a blocking call (readFileSync...) made inside a greenlet is reported with its fix.
  patchAll();

  const who = cluster.isWorker ? `worker ${cluster.worker?.id}` : 'demo-server';
  const log = (line: string) => console.log(`${who}: ${line}`);
  const banner = (port: number, tcpPort: number) =>
    console.log(startupLines(config, port, tcpPort));

  if (config.workers > 1 && cluster.isPrimary) return run(runPrimary, config, banner, log);
  return run(serve, config, {
    log,
    worker: cluster.isWorker,
    onListening: cluster.isWorker ? undefined : banner,
  });
}

/** What the server prints once it listens: the URLs and the nc line. */
export function startupLines(config: Config, port: number, tcpPort: number): string {
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const h = host.includes(':') ? `[${host}]` : host;
  const procs =
    config.workers > 1
      ? `${config.workers} workers, up to ${config.maxClients} clients each`
      : `1 process, up to ${config.maxClients} clients`;
  return [
    `g chat is running (${procs})`,
    `  browser:  http://${h}:${port}/`,
    `  stats:    http://${h}:${port}/stats   (Prometheus: http://${h}:${port}/metrics)`,
    `  terminal: nc ${host} ${tcpPort}`,
    'Ctrl-C stops it: clients are told, their queues drain, and it exits.',
  ].join('\n');
}
