import { randomUUID } from 'node:crypto';
import { Client, type ClientConfig } from 'pg';

/** The channel migration 0014's triggers notify: the payload is the team whose rows changed, or `*` for all. */
export const READ_MODEL_CHANNEL = 'ct_read_model';

export interface ReadModelSubscriber {
  /** `teamId`'s rows behind the cached reads changed (committed) */
  changed(teamId: string): void;
  /** every team's rows may have changed (TRUNCATE): nothing cached can be trusted */
  reset(): void;
  /**
   * whether notices are arriving: on false nothing cached can be trusted any more (notices may be missed from then
   * on), and nothing may be served or kept until true again
   */
  listening(on: boolean): void;
}

export interface ReadModelChangesOptions {
  /** the pool's connection settings: a dedicated connection LISTENs (a pooled one would be handed to queries) */
  connection: ClientConfig;
  subscriber: ReadModelSubscriber;
  /** first wait before reconnecting after the connection is lost; doubles up to `maxRetryMs` */
  retryMs?: number;
  maxRetryMs?: number;
  /**
   * Proof that notices still arrive: every `everyMs` a `ping:` notice is sent through `send` (another connection: the
   * pool), and without its echo within `timeoutMs` the connection counts as lost. A connection can die without a word
   * (a half-open socket, a proxy that drops LISTEN): keep-alive alone would notice it in minutes, or never.
   */
  ping?: { everyMs: number; timeoutMs: number; send(payload: string): Promise<unknown> };
  log?: (message: string, err?: unknown) => void;
}

const PING = 'ping:';

/**
 * Follows `ct_read_model` on a connection of its own, reconnecting after a Postgres restart. The subscriber is told
 * it is listening only once LISTEN has succeeded, and told it is not the moment the connection is lost: anything it
 * kept before may have missed a change.
 */
export class ReadModelChanges {
  private client: Client | undefined;
  private closed = false;
  private retry: NodeJS.Timeout | undefined;
  private pinging: NodeJS.Timeout | undefined;
  private readonly retryMs: number;
  private readonly maxRetryMs: number;
  private nextRetryMs: number;
  private readonly log: (message: string, err?: unknown) => void;

  constructor(private readonly options: ReadModelChangesOptions) {
    this.retryMs = options.retryMs ?? 500;
    this.maxRetryMs = options.maxRetryMs ?? 15_000;
    this.nextRetryMs = this.retryMs;
    this.log = options.log ?? ((message, err) => console.error(message, err ?? ''));
  }

  /** Connects and listens; resolves once listening or once the first attempt failed (it goes on retrying). */
  async start(): Promise<void> {
    await this.connect();
  }

  /** The listening connection's server process id, while there is one (tests end it to simulate a restart). */
  get backendPid(): number | undefined {
    return (this.client as unknown as { processID?: number } | undefined)?.processID;
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    const { subscriber } = this.options;
    const client = new Client({
      ...this.options.connection,
      application_name: 'creator-tracker read-model changes',
      // the listening connection sits idle by design: no query timeout, keep-alive finds a half-open one
      query_timeout: undefined,
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
    });
    this.client = client;
    let lost = false;
    const onLost = (err?: unknown) => {
      if (lost) return;
      lost = true;
      clearInterval(this.pinging);
      clearTimeout(awaited?.deadline);
      if (this.client === client) this.client = undefined;
      client.removeAllListeners('notification');
      void client.end().catch(() => undefined);
      // closing has told the subscriber already
      if (this.closed) return;
      subscriber.listening(false);
      this.log(`read-model notices lost; reconnecting in ${this.nextRetryMs} ms`, err);
      this.retry = setTimeout(() => void this.connect(), this.nextRetryMs);
      this.nextRetryMs = Math.min(this.nextRetryMs * 2, this.maxRetryMs);
    };
    client.on('error', onLost);
    client.on('end', () => onLost());
    /** the ping sent last, until its echo */
    let awaited: { payload: string; deadline: NodeJS.Timeout } | undefined;
    client.on('notification', (message) => {
      if (message.channel !== READ_MODEL_CHANNEL) return;
      if (message.payload?.startsWith(PING)) {
        // every API process hears every ping; only its own says anything about this connection
        if (message.payload === awaited?.payload) {
          clearTimeout(awaited.deadline);
          awaited = undefined;
        }
        return;
      }
      if (!message.payload || message.payload === '*') subscriber.reset();
      else subscriber.changed(message.payload);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${READ_MODEL_CHANNEL}`);
    } catch (err) {
      onLost(err);
      return;
    }
    if (lost || this.closed) return;
    this.nextRetryMs = this.retryMs;
    // the subscriber has kept nothing since it was last told it was off (or since it began)
    subscriber.listening(true);
    const { ping } = this.options;
    if (!ping) return;
    this.pinging = setInterval(() => {
      if (awaited) return;
      const payload = `${PING}${randomUUID()}`;
      const deadline = setTimeout(
        () => onLost(new Error(`no echo of a ping within ${ping.timeoutMs} ms`)),
        ping.timeoutMs,
      );
      awaited = { payload, deadline };
      // a send that fails (the database is down) leaves the echo missing: the deadline decides
      ping.send(payload).catch(() => undefined);
    }, ping.everyMs);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    clearInterval(this.pinging);
    const client = this.client;
    this.client = undefined;
    this.options.subscriber.listening(false);
    await client?.end().catch(() => undefined);
  }
}
