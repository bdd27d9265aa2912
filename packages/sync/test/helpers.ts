import { createHub, type Hub, type HubOptions } from '@g/hub';

/** Runs `fn` in a new greenlet of a fresh virtual-clock hub; destroys the hub after. */
export async function onVirtualHub<R>(
  fn: (hub: Hub) => Generator<unknown, R, any>,
  options: HubOptions = {},
): Promise<R> {
  const hub = createHub({ backend: 'virtual', ...options });
  try {
    return (await hub.run(() => fn(hub))) as R;
  } finally {
    hub.destroy();
  }
}

export class ExpectedError extends Error {
  constructor(message = 'expected') {
    super(message);
    this.name = 'ExpectedError';
  }
}
