import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as a fake upstream saw it. */
export interface UpstreamRequest {
  method: string;
  /** path and query, e.g. `/youtube/v3/channels?part=snippet&forHandle=%40x` */
  url: URL;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** the body parsed as JSON, when it was JSON */
  json: any;
}

/**
 * What to answer: a status with a JSON (or raw text) body and headers; `hang` holds the request open until the
 * client gives up (a slow upstream past the caller's timeout).
 */
export type UpstreamReply =
  { status: number; json?: unknown; text?: string; headers?: Record<string, string> } | { hang: true };

export type UpstreamHandler = (req: UpstreamRequest) => UpstreamReply | Promise<UpstreamReply>;

/**
 * A real HTTP server on 127.0.0.1 standing in for an outside API (YouTube Data API, Apify, an OpenAI-compatible
 * model). Tests point the adapter's base URL at `url` and script the answers; `requests` records what was asked.
 * `handler` can be swapped between tests.
 */
export class FakeUpstream {
  readonly requests: UpstreamRequest[] = [];
  private server: http.Server | undefined;
  private readonly hanging = new Set<http.ServerResponse>();

  constructor(public handler: UpstreamHandler) {}

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = body ? JSON.parse(body) : undefined;
        } catch {
          json = undefined;
        }
        const request: UpstreamRequest = {
          method: req.method ?? 'GET',
          url: new URL(req.url ?? '/', 'http://127.0.0.1'),
          headers: req.headers,
          body,
          json,
        };
        this.requests.push(request);
        Promise.resolve()
          .then(() => this.handler(request))
          .then((reply) => this.answer(res, reply))
          .catch((err: unknown) => this.answer(res, { status: 500, text: String(err) }));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  get url(): string {
    const { port } = this.server!.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  /** Requests whose path starts with `prefix`. */
  requestsTo(prefix: string): UpstreamRequest[] {
    return this.requests.filter((r) => r.url.pathname.startsWith(prefix));
  }

  async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private answer(res: http.ServerResponse, reply: UpstreamReply): void {
    if ('hang' in reply) {
      this.hanging.add(res);
      res.on('close', () => this.hanging.delete(res));
      return;
    }
    const text = reply.text ?? (reply.json === undefined ? '' : JSON.stringify(reply.json));
    res.writeHead(reply.status, {
      ...(reply.text === undefined ? { 'content-type': 'application/json' } : {}),
      ...reply.headers,
    });
    res.end(text);
  }
}

/** Starts a fake upstream in beforeAll and stops it in afterAll; read `.server` inside tests. */
export function fakeUpstreamForSuite(handler: UpstreamHandler): { readonly server: FakeUpstream } {
  const fake = new FakeUpstream(handler);
  beforeAll(async () => {
    await fake.start();
  });
  afterAll(async () => {
    await fake.stop();
  });
  return { server: fake };
}
