# gevent's StreamServer echo, the peer. Prints its port on stdout.
import signal
import sys

from gevent.server import StreamServer


def echo(sock, address):
    while True:
        data = sock.recv(4096)
        if not data:
            break
        sock.sendall(data)
    sock.close()


server = StreamServer(('127.0.0.1', 0), echo, spawn=1000)
server.start()
print(server.server_port, flush=True)
signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
server.serve_forever()
