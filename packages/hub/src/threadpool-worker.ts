/**
 * The worker side of @g/hub's threadpool: imports `moduleUrl` and calls its export
 * `exportName` with the task's arguments; a promise result is awaited.
 */
import { pathToFileURL } from 'node:url';

interface Task {
  moduleUrl: string;
  exportName: string;
  args: unknown[];
}

const cache = new Map<string, Promise<Record<string, unknown>>>();

export default async function runTask(task: Task): Promise<unknown> {
  let url = task.moduleUrl;
  if (!/^[a-z][a-z0-9+.-]*:/i.test(url)) url = pathToFileURL(url).href;
  let mod = cache.get(url);
  if (mod === undefined) {
    mod = import(url) as Promise<Record<string, unknown>>;
    cache.set(url, mod);
  }
  const m = await mod;
  const fn = m[task.exportName] ?? (m.default as any)?.[task.exportName];
  if (typeof fn !== 'function') {
    throw new TypeError(
      `threadpool: ${task.moduleUrl} has no exported function ${task.exportName}`,
    );
  }
  return await fn(...task.args);
}
