import net from 'node:net';
import { planPorts, portIsFree, type WantedPort } from '../../scripts/ports';

const wanted: WantedPort[] = [
  { variable: 'PORT', port: 3000, purpose: 'the API', fallback: false },
  { variable: 'WORKER_METRICS_PORT', port: 9464, purpose: "the worker's metrics", fallback: false },
  { variable: 'TEMPORAL_DEV_PORT', port: 7233, purpose: 'Temporal gRPC', fallback: true },
  { variable: 'TEMPORAL_UI_PORT', port: 8233, purpose: 'the Temporal UI', fallback: true },
];
const busy =
  (...ports: number[]) =>
  async (port: number) =>
    !ports.includes(port);
let next = 40_000;
const pick = async () => next++;

describe('the ports npm start checks before starting anything', () => {
  it('keeps every wanted port when all are free', async () => {
    expect(await planPorts(wanted, busy(), pick)).toEqual({
      ok: true,
      ports: { PORT: 3000, WORKER_METRICS_PORT: 9464, TEMPORAL_DEV_PORT: 7233, TEMPORAL_UI_PORT: 8233 },
      moved: [],
    });
  });

  it.each([
    [3000, 'PORT'],
    [9464, 'WORKER_METRICS_PORT'],
  ])('stops with one line naming the variable when %i is busy', async (port, variable) => {
    const plan = await planPorts(wanted, busy(port), pick);
    expect(plan.ok).toBe(false);
    if (!plan.ok) {
      expect(plan.message).toContain(`set ${variable} to a free port`);
      expect(plan.message).not.toContain('\n');
    }
  });

  it('moves the Temporal gRPC and UI ports to free ones, and says so', async () => {
    const plan = await planPorts(wanted, busy(7233, 8233), pick);
    expect(plan.ok).toBe(true);
    if (plan.ok) {
      expect(plan.ports.TEMPORAL_DEV_PORT).not.toBe(7233);
      expect(plan.ports.TEMPORAL_UI_PORT).not.toBe(8233);
      expect(plan.ports.TEMPORAL_UI_PORT).not.toBe(plan.ports.TEMPORAL_DEV_PORT);
      expect(plan.moved.join('\n')).toMatch(/Temporal UI: port 8233 is busy, using \d+ \(set TEMPORAL_UI_PORT/);
    }
  });

  it('refuses two settings that name the same port', async () => {
    const plan = await planPorts([wanted[0] as WantedPort, { ...(wanted[1] as WantedPort), port: 3000 }], busy(), pick);
    expect(plan).toMatchObject({ ok: false, message: expect.stringContaining('set WORKER_METRICS_PORT') });
  });

  it('sees a port held by a real listener as busy, on loopback or on every address', async () => {
    for (const host of ['127.0.0.1', '0.0.0.0']) {
      const server = net.createServer();
      await new Promise<void>((resolve) => server.listen(0, host, resolve));
      const { port } = server.address() as net.AddressInfo;
      expect(await portIsFree(port)).toBe(false);
      await new Promise((resolve) => server.close(resolve));
      expect(await portIsFree(port)).toBe(true);
    }
  });
});
