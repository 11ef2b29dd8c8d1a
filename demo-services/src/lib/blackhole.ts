import { createServer, type Server, type Socket } from 'node:net';

/**
 * Holds a dead service's port open and never answers, the way a crashed host
 * behind a load balancer looks to its callers: connections hang instead of
 * being refused. Without it a killed process fails every call instantly and
 * "no timeouts" would look harmless.
 */
export class Blackhole {
  private readonly sockets = new Set<Socket>();
  private constructor(private readonly server: Server) {
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  static async open(port: number, host = '127.0.0.1'): Promise<Blackhole> {
    const server = createServer();
    const hole = new Blackhole(server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    return hole;
  }

  /** Resets every held connection (callers see the crash) and frees the port. */
  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
