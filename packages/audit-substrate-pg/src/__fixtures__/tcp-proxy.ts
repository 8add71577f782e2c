// A TCP proxy in front of the test server: the database, as a client sees it, going away
// (connections refused, open ones cut) or freezing (connections accepted and forwarded, but
// nothing the server sends comes through: a failover, a dead peer behind a load balancer).
import { connect, createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { TEST_DATABASE_URL } from './postgres-test-server.js';

/** A running proxy. */
export interface TcpProxy {
  /** The port it listens on (127.0.0.1). */
  readonly port: number;
  /** Up: forward. Down: refuse new connections and cut the open ones. */
  setUp(up: boolean): void;
  /** Hold: keep every connection open, but pass nothing from the server to the client; release: pass what was held. */
  hold(holding: boolean): void;
  /** Connections accepted so far. */
  connections(): number;
  close(): Promise<void>;
}

/** Start a proxy on port 0 to the test database (127.0.0.1:5432 unless set otherwise). */
export async function startTcpProxy(): Promise<TcpProxy> {
  const target = new URL(TEST_DATABASE_URL);
  let up = true;
  let holding = false;
  let accepted = 0;
  const pairs = new Set<{ client: Socket; server: Socket }>();
  const proxy = createServer((client) => {
    accepted += 1;
    if (!up) {
      client.destroy();
      return;
    }
    const server = connect(Number(target.port || 5432), target.hostname);
    const pair = { client, server };
    pairs.add(pair);
    const end = (): void => {
      client.destroy();
      server.destroy();
      pairs.delete(pair);
    };
    client.on('error', end).on('close', end).pipe(server);
    server.on('error', end).on('close', end);
    if (!holding) server.pipe(client);
  });
  const cutAll = (): void => {
    for (const { client, server } of pairs) {
      client.destroy();
      server.destroy();
    }
  };
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return {
    port: (proxy.address() as AddressInfo).port,
    setUp(next) {
      up = next;
      if (!up) cutAll();
    },
    hold(next) {
      if (next === holding) return;
      holding = next;
      // Unpiped, the server side's bytes wait in its socket: nothing reaches the client.
      for (const { client, server } of pairs) {
        if (holding) server.unpipe(client);
        else server.pipe(client);
      }
    },
    connections: () => accepted,
    close: () =>
      new Promise<void>((resolve) => {
        cutAll();
        proxy.close(() => resolve());
      }),
  };
}
