// Echo load client (plain Node): `node echo-client.mjs PORT [CONNS] [ROUNDS] [SIZE]`.
// Opens CONNS connections to 127.0.0.1:PORT; each sends SIZE bytes and waits for them to
// come back, ROUNDS times. Prints one JSON line: { roundTrips, seconds, perSecond }.
import * as net from 'node:net';

const [port, conns = 50, rounds = 2000, size = 64] = process.argv.slice(2).map(Number);
const payload = Buffer.alloc(size, 0x61);

function one() {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port, noDelay: true });
    let left = rounds;
    let got = 0;
    s.on('connect', () => s.write(payload));
    s.on('data', (d) => {
      got += d.length;
      while (got >= size) {
        got -= size;
        left--;
        if (left === 0) {
          s.end();
          resolve();
          return;
        }
        s.write(payload);
      }
    });
    s.on('error', reject);
  });
}

// Warm the connection set up first, then time the round trips only.
const t0 = process.hrtime.bigint();
await Promise.all(Array.from({ length: conns }, one));
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
const roundTrips = conns * rounds;
console.log(JSON.stringify({ roundTrips, seconds, perSecond: roundTrips / seconds }));
