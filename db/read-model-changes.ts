import { Client, type ClientConfig } from 'pg';

/** The channel migration 0014's triggers notify: the payload is the team whose rows changed, or `*` for all. */
export const READ_MODEL_CHANNEL = 'ct_read_model';

export interface ReadModelSubscriber {
  /** `teamId`'s rows behind the cached reads changed (committed) */
  changed(teamId: string): void;
  /** notices may have been missed (connecting, reconnecting, TRUNCATE): nothing cached can be trusted */
  reset(): void;
  /** whether notices are arriving: while false, nothing may be served from a cache */
  listening(on: boolean): void;
}

export interface ReadModelChangesOptions {
  /** the pool's connection settings: a dedicated connection LISTENs (a pooled one would be handed to queries) */
  connection: ClientConfig;
  subscriber: ReadModelSubscriber;
  /** first wait before reconnecting after the connection is lost; doubles up to `maxRetryMs` */
  retryMs?: number;
  maxRetryMs?: number;
  log?: (message: string, err?: unknown) => void;
}

/**
 * Follows `ct_read_model` on a connection of its own, reconnecting after a Postgres restart. The subscriber is told
 * it is listening only once LISTEN has succeeded, and told to reset at that moment: anything cached before (or while
 * no connection listened) may have missed a change.
 */
export class ReadModelChanges {
  private client: Client | undefined;
  private closed = false;
  private retry: NodeJS.Timeout | undefined;
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
    });
    this.client = client;
    let lost = false;
    const onLost = (err?: unknown) => {
      if (lost) return;
      lost = true;
      subscriber.listening(false);
      subscriber.reset();
      if (this.client === client) this.client = undefined;
      client.removeAllListeners('notification');
      void client.end().catch(() => undefined);
      if (this.closed) return;
      this.log(`read-model notices lost; reconnecting in ${this.nextRetryMs} ms`, err);
      this.retry = setTimeout(() => void this.connect(), this.nextRetryMs);
      this.nextRetryMs = Math.min(this.nextRetryMs * 2, this.maxRetryMs);
    };
    client.on('error', onLost);
    client.on('end', () => onLost());
    client.on('notification', (message) => {
      if (message.channel !== READ_MODEL_CHANNEL) return;
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
    // whatever was cached before this moment was not covered by a listener
    subscriber.reset();
    subscriber.listening(true);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    const client = this.client;
    this.client = undefined;
    this.options.subscriber.listening(false);
    await client?.end().catch(() => undefined);
  }
}
