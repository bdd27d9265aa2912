"""gevent peer of the @g/hub benchmarks (run by run.mjs with /usr/bin/python3):
    python3 gevent_cases.py <case> <warmup> <repeats>
prints one JSON line {case, unit, samples}. Same cases, same sizes, same body form (one
shared function with arguments) as g-cases.mjs.
"""
import gc
import json
import random
import sys
import time

import gevent
from gevent import Timeout, joinall, killall, sleep, spawn, spawn_later
from gevent.hub import Waiter

name = sys.argv[1]
warmup = int(sys.argv[2]) if len(sys.argv) > 2 else 2
repeats = int(sys.argv[3]) if len(sys.argv) > 3 else 5
now = time.perf_counter
N = 100000


def return_arg(i):
    return i


def sleeper(d):
    sleep(d)


def yielder(n):
    for _ in range(n):
        sleep(0)


def waiter():
    Waiter().get()


def noop():
    pass


def spawn_join_seq():
    t0 = now()
    for i in range(N):
        spawn(return_arg, i).join()
    return N / (now() - t0)


def spawn_all_joinall():
    t0 = now()
    gs = [spawn(return_arg, i) for i in range(N)]
    joinall(gs)
    return N / (now() - t0)


def sleep0(k):
    def once():
        per = -(-1000000 // k)
        t0 = now()
        gs = [spawn(yielder, per) for _ in range(k)]
        joinall(gs)
        return per * k / (now() - t0)
    return once


def timed_sleep_100k():
    t0 = now()
    gs = [spawn(sleeper, random.random() * 0.1) for _ in range(N)]
    joinall(gs)
    return now() - t0


def timed_spawn_later_100k():
    t0 = now()
    gs = [spawn_later(random.random() * 0.1, noop) for _ in range(N)]
    joinall(gs)
    return now() - t0


def timeout_churn():
    m = 1000000
    t0 = now()
    for _ in range(m):
        Timeout.start_new(10).cancel()
    return m / (now() - t0)


def timeout_churn_reused():
    m = 1000000
    t = Timeout(10)
    t0 = now()
    for _ in range(m):
        t.start()
        t.cancel()
    return m / (now() - t0)


def rss():
    with open('/proc/self/statm') as f:
        return int(f.read().split()[1]) * 4096


def mem(kind, count):
    def once():
        gc.collect()
        r0 = rss()
        body = (lambda: sleep(10)) if kind == 'sleep' else waiter
        gs = [spawn(body) for _ in range(count)]
        sleep(0)
        sleep(0)
        gc.collect()
        per = (rss() - r0) / count
        killall(gs, block=False)
        sleep(0)
        gevent.wait(timeout=1)
        del gs
        gc.collect()
        # gevent's greenlets use C stacks: RSS is the meaningful figure (no Python heap
        # counter sees them); reported in the "rss" field, heap left empty.
        return {'heap': None, 'rss': per}
    return once


cases = {
    'spawn_join_seq': ('greenlets/s', spawn_join_seq),
    'spawn_join_seq_closure': ('greenlets/s', spawn_join_seq),  # Python: no closure cost to tell apart
    'spawn_all_joinall': ('greenlets/s', spawn_all_joinall),
    'sleep0_2': ('yields/s', sleep0(2)),
    'sleep0_100': ('yields/s', sleep0(100)),
    'sleep0_1000': ('yields/s', sleep0(1000)),
    'timed_sleep_100k': ('s', timed_sleep_100k),
    'timed_spawn_later_100k': ('s', timed_spawn_later_100k),
    'timeout_churn': ('start+cancel/s', timeout_churn),
    'timeout_churn_reused': ('start+cancel/s', timeout_churn_reused),
    'heap_sleep_100k': ('B/greenlet', mem('sleep', 100000)),
    'heap_sleep_1m': ('B/greenlet', mem('sleep', 1000000)),
    'heap_waiter_100k': ('B/greenlet', mem('waiter', 100000)),
    'heap_waiter_1m': ('B/greenlet', mem('waiter', 1000000)),
}

if name not in cases:
    print('unknown case %s' % name, file=sys.stderr)
    sys.exit(2)
unit, once = cases[name]
samples = []
for r in range(warmup + repeats):
    v = once()
    if r >= warmup:
        samples.append(v)
print(json.dumps({'case': name, 'unit': unit, 'samples': samples}))
