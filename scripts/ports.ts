import net from 'node:net';

/** A port `npm start` needs, the variable that sets it, and whether another free one will do. */
export interface WantedPort {
  variable: string;
  port: number;
  /** what listens there, for the message */
  purpose: string;
  /** a busy port is replaced by a free one (the Temporal dev server's); otherwise a busy port stops the start */
  fallback: boolean;
}

export type PortPlan = { ok: true; ports: Record<string, number>; moved: string[] } | { ok: false; message: string };

/** Whether nothing listens on the port, on any address (a wildcard listener would take our loopback one too). */
export async function portIsFree(port: number): Promise<boolean> {
  const tryListen = (host: string | undefined) =>
    new Promise<boolean>((resolve) => {
      const server = net.createServer();
      server.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'EAFNOSUPPORT'));
      server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
    });
  return (await tryListen('127.0.0.1')) && (await tryListen(undefined));
}

/**
 * Checks every port before anything starts. A busy port without a fallback ends the plan with one line naming the
 * variable to change; a busy port with one gets a free port from `pick`, reported in `moved`.
 */
export async function planPorts(
  wanted: readonly WantedPort[],
  isFree: (port: number) => Promise<boolean>,
  pick: () => Promise<number>,
): Promise<PortPlan> {
  const ports: Record<string, number> = {};
  const moved: string[] = [];
  const taken = new Set<number>();
  for (const want of wanted) {
    const free = !taken.has(want.port) && (await isFree(want.port));
    if (!free && !want.fallback) {
      const clash = taken.has(want.port) ? 'is already wanted by another setting' : 'is in use by another program';
      return {
        ok: false,
        message: `port ${want.port} (${want.purpose}) ${clash}: set ${want.variable} to a free port, or stop the program holding it`,
      };
    }
    let port = want.port;
    if (!free) {
      do port = await pick();
      while (taken.has(port));
      moved.push(`${want.purpose}: port ${want.port} is busy, using ${port} (set ${want.variable} to choose)`);
    }
    taken.add(port);
    ports[want.variable] = port;
  }
  return { ok: true, ports, moved };
}
