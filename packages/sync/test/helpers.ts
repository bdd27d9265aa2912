import { createHub, type Hub } from '@g/hub';

/** Runs `fn` in a new greenlet of a fresh virtual-clock hub; destroys the hub after. */
export async function onVirtualHub<R>(fn: (hub: Hub) => Generator<unknown, R, any>): Promise<R> {
  const hub = createHub({ backend: 'virtual' });
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
