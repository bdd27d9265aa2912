# gevent peer of bench/cases.mjs (run by run.mjs with /usr/bin/python3):
#   python3 bench/sync_bench.py <warmup> <repeats> [case ...]
# prints one JSON line {"python": ..., "gevent": ..., "cases": {name: {"cpu": [...], "wall": [...]}}}
# with ns per operation for each measured repeat. Same shapes as the JS cases.
import json
import sys
import time
import platform

import gevent
from gevent.event import Event
from gevent.lock import Semaphore
from gevent.pool import Pool
from gevent.queue import Channel, Queue


def queue_peer(q1, q2, n):
    for _ in range(n):
        q2.put(q1.get())


def queue_pingpong(n):
    q1 = Queue()
    q2 = Queue()
    peer = gevent.spawn(queue_peer, q1, q2, n)
    for i in range(n):
        q1.put(i)
        q2.get()
    peer.join()
    return n


def channel_consumer(ch, n):
    for _ in range(n):
        ch.get()


def channel_handoff(n):
    ch = Channel()
    consumer = gevent.spawn(channel_consumer, ch, n)
    for i in range(n):
        ch.put(i)
    consumer.join()
    return n


def event_peer(ping, pong, n):
    for _ in range(n):
        ping.wait()
        ping.clear()
        pong.set()


def event_roundtrip(n):
    ping = Event()
    pong = Event()
    peer = gevent.spawn(event_peer, ping, pong, n)
    for _ in range(n):
        ping.set()
        pong.wait()
        pong.clear()
    peer.join()
    return n


def sem_worker(sem, rounds):
    for _ in range(rounds):
        sem.acquire()
        gevent.sleep(0)  # hold it across a switch: every acquire contends
        sem.release()


def semaphore_100(n):
    rounds = -(-n // 100)
    sem = Semaphore(1)
    gs = [gevent.spawn(sem_worker, sem, rounds) for _ in range(100)]
    gevent.joinall(gs)
    return rounds * 100


def double(x):
    return x * 2


def pool_imap(n):
    pool = Pool(100)
    count = 0
    for _ in pool.imap(double, range(n)):
        count += 1
    assert count == n, count
    return n


CASES = {
    'queue-pingpong': (queue_pingpong, 50000),
    'channel-handoff': (channel_handoff, 50000),
    'event-roundtrip': (event_roundtrip, 50000),
    'semaphore-100': (semaphore_100, 50000),
    'pool-imap': (pool_imap, 20000),
}


def main():
    warmup = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    names = sys.argv[3:] or list(CASES)
    out = {}
    for name in names:
        fn, n = CASES[name]
        cpu = []
        wall = []
        for r in range(warmup + repeats):
            c0 = time.process_time()
            w0 = time.perf_counter()
            ops = fn(n)
            dw = time.perf_counter() - w0
            dc = time.process_time() - c0
            if r >= warmup:
                cpu.append(dc * 1e9 / ops)
                wall.append(dw * 1e9 / ops)
        out[name] = {'cpu': cpu, 'wall': wall}
    print(json.dumps({
        'python': platform.python_version(),
        'gevent': gevent.__version__,
        'cases': out,
    }))


if __name__ == '__main__':
    main()
