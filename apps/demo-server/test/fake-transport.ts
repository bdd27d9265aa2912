// A Transport for tests on the virtual clock: lines go in through a Queue, events come out
// as text lines in `out`. `stuck` makes writes wait forever (a peer that stops reading).
import type { Op } from '@g/greenlet';
import { Event, Queue } from '@g/sync';
import type { Outgoing } from '../src/events.js';
import type { Transport } from '../src/transport.js';

export class FakeTransport implements Transport {
  readonly kind = 'tcp' as const;
  readonly input = new Queue<string | null>();
  readonly out: string[] = [];
  stuck = false;
  closed = false;
  aborted = false;
  writes = 0;

  constructor(readonly peer = 'test:1') {}

  /** Queues lines as if the client typed them. */
  type(...lines: string[]): void {
    for (const l of lines) this.input.putNowait(l);
  }

  readLine(): Op<string | null> {
    return this.input.get();
  }

  write(batch: readonly Outgoing[]): Op<void> {
    return writeBody(this, batch);
  }

  close(): void {
    this.closed = true;
    this.input.putNowait(null);
  }

  abort(): void {
    this.aborted = true;
    this.close();
  }

  /** Output lines that match `re`. */
  grep(re: RegExp): string[] {
    return this.out.filter((l) => re.test(l));
  }
}

const never = new Event();

function* writeBody(t: FakeTransport, batch: readonly Outgoing[]): Generator<unknown, void, any> {
  t.writes++;
  if (t.stuck) yield* never.wait();
  for (const o of batch) t.out.push(...o.line.replace(/\n$/, '').split('\n'));
}
