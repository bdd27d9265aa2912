"""gevent's libev loop (gevent.libev.corecext) on the same cases as bench/cases.mjs.

usage: python3 gevent_bench.py <case> <n> <repeats> <warmup>
prints one JSON line: {"times": [seconds...], "extra": {...}}
"""
import gc
import json
import random
import sys
import time

from gevent.libev.corecext import loop as Loop


def rss():
    with open('/proc/self/statm') as f:
        pages = int(f.read().split()[1])
    return pages * 4096


def fire(n):
    loop = Loop()
    count = [0]

    def cb():
        count[0] += 1

    t0 = time.perf_counter()
    keep = []
    for _ in range(n):
        t = loop.timer(random.random() * 0.1)
        t.start(cb)
        keep.append(t)
    loop.run()
    dt = time.perf_counter() - t0
    assert count[0] == n, count[0]
    loop.destroy()
    return dt


def fire_mem(n):
    loop = Loop()
    gc.collect()
    base = rss()
    keep = []
    noop = lambda: None
    for _ in range(n):
        t = loop.timer(random.random() * 100 + 100)
        t.start(noop)
        keep.append(t)
    gc.collect()
    used = rss() - base
    for t in keep:
        t.stop()
    loop.destroy()
    return used / n


def churn_setup(n, order_name):
    loop = Loop()
    noop = lambda: None
    timers = []
    advancing = order_name == 'advancing'
    for _ in range(n):
        # 'advancing': repeating timers re-armed with again(), libev's idiom for a timeout
        # reset: ev_now_update + ev_timer_again (now + repeat, adjusted in place).
        t = loop.timer(30, 30) if advancing else loop.timer(30)
        t.start(noop)
        timers.append(t)
    order = list(range(n))
    if order_name == 'random':
        random.shuffle(order)
    # visit order fixed up front, as in cases.mjs
    ordered = [timers[i] for i in order]
    return loop, ordered, noop, advancing


def churn(state):
    # stop(), then start() again: libev keeps the time left, so the timer gets its old
    # deadline back (gevent has no set(); the work in the heap is the same kind).
    # 'advancing': again() (one re-key with a later deadline, counted as a stop + a start).
    loop, timers, noop, advancing = state
    t0 = time.perf_counter()
    if advancing:
        for t in timers:
            t.again(noop)
    else:
        for t in timers:
            t.stop()
            t.start(noop)
    return time.perf_counter() - t0


def iterate(idles, n):
    loop = Loop()
    noop = lambda: None
    keep = []
    for _ in range(idles):
        w = loop.idle()
        w.start(noop)
        keep.append(w)
    t0 = time.perf_counter()
    for _ in range(n):
        loop.run(nowait=True)
    dt = time.perf_counter() - t0
    for w in keep:
        w.stop()
    loop.destroy()
    return dt


def main():
    case, n, repeats, warmup = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    times = []
    extra = {}
    if case == 'fire':
        for i in range(warmup + repeats):
            dt = fire(n)
            if i >= warmup:
                times.append(dt)
        extra['bytesPerTimer'] = fire_mem(n)
    elif case == 'churn':
        state = churn_setup(n, sys.argv[5] if len(sys.argv) > 5 else 'fifo')
        for i in range(warmup + repeats):
            dt = churn(state)
            if i >= warmup:
                times.append(dt)
    elif case == 'iterate':
        idles = int(sys.argv[5])
        for i in range(warmup + repeats):
            dt = iterate(idles, n)
            if i >= warmup:
                times.append(dt)
    else:
        raise SystemExit('unknown case ' + case)
    import gevent
    extra['version'] = gevent.__version__
    print(json.dumps({'times': times, 'extra': extra}))


if __name__ == '__main__':
    main()
