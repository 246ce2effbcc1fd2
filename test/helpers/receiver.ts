import http, { type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Socket } from 'node:net';
import { Webhook } from 'standardwebhooks';

/** One request as the receiver saw it. */
export interface ReceivedWebhook {
  id: string;
  timestamp: string;
  signature: string;
  headers: IncomingHttpHeaders;
  body: string;
  json: any;
}

/**
 * How to answer a request: a status (with headers), `hang` (hold it open until released or the client gives up),
 * or `drop` (close the connection without an answer). `process` marks the message as handled, as a real receiver
 * would before its answer is lost.
 */
export type Reply =
  | { status: number; headers?: Record<string, string>; process?: boolean }
  | { hang: true }
  | { drop: true; process?: boolean };

export type Script = (hook: ReceivedWebhook, nth: number) => Reply;

/**
 * A real webhook receiver on 127.0.0.1 that deduplicates by `webhook-id` like the Standard Webhooks spec asks:
 * `requests` is every request, `processed` each message once. It can go down (connections refused) and come back
 * on the same port.
 */
export class Receiver {
  readonly requests: ReceivedWebhook[] = [];
  readonly processed = new Map<string, ReceivedWebhook>();
  /** duplicates that arrived after their message was processed */
  duplicates = 0;
  /** TCP connections accepted, answered or not */
  connections = 0;
  private server: http.Server | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly held: ServerResponse[] = [];
  private waiters: (() => void)[] = [];
  port = 0;

  constructor(public script: Script = () => ({ status: 200 })) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks`;
  }

  async start(): Promise<this> {
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => this.handle(req.headers, Buffer.concat(chunks).toString('utf8'), res));
    });
    server.on('connection', (socket) => {
      this.connections += 1;
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
    return this;
  }

  /** Stops listening and cuts open connections: the next attempt is refused. */
  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Listens again on the same port. */
  async up(): Promise<void> {
    await this.start();
  }

  async close(): Promise<void> {
    this.release();
    await this.down();
  }

  /** Answers every held request with `status`. */
  release(status = 200): void {
    for (const res of this.held.splice(0)) if (!res.destroyed) res.writeHead(status).end();
  }

  /** Resolves once `predicate` holds over what has arrived. */
  async waitFor(what: string, predicate: (r: this) => boolean, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this)) {
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`receiver: timed out waiting for ${what} (${this.requests.length} requests so far)`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 200));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  private handle(headers: IncomingHttpHeaders, body: string, res: ServerResponse): void {
    const hook: ReceivedWebhook = {
      id: String(headers['webhook-id'] ?? ''),
      timestamp: String(headers['webhook-timestamp'] ?? ''),
      signature: String(headers['webhook-signature'] ?? ''),
      headers,
      body,
      json: body ? JSON.parse(body) : undefined,
    };
    this.requests.push(hook);
    const nth = this.requests.filter((r) => r.id === hook.id).length;
    const reply = this.script(hook, nth);
    const process = (): void => {
      if (this.processed.has(hook.id)) this.duplicates += 1;
      else this.processed.set(hook.id, hook);
    };
    if ('hang' in reply) {
      this.held.push(res);
    } else if ('drop' in reply) {
      if (reply.process) process();
      res.socket?.destroy();
    } else {
      if (reply.process ?? (reply.status >= 200 && reply.status < 300)) process();
      res.writeHead(reply.status, reply.headers ?? {}).end();
    }
    for (const wake of this.waiters.splice(0)) wake();
  }
}

/**
 * Verifies a request with the standardwebhooks library. `verify` also refuses a timestamp more than 5 minutes from
 * the real clock; on the time-skipping server attempts carry the server's (skipped) time, so there `atAnyTime`
 * recomputes the library's signature for the request's own timestamp and looks for it among those sent.
 */
export function verifiedBy(secret: string, hook: ReceivedWebhook, opts: { atAnyTime?: boolean } = {}): boolean {
  const headers = {
    'webhook-id': hook.id,
    'webhook-timestamp': hook.timestamp,
    'webhook-signature': hook.signature,
  };
  if (!opts.atAnyTime) {
    try {
      new Webhook(secret).verify(hook.body, headers);
      return true;
    } catch {
      return false;
    }
  }
  const expected = new Webhook(secret).sign(hook.id, new Date(Number(hook.timestamp) * 1000), hook.body);
  return hook.signature.split(' ').includes(expected);
}
