import express, { type Express } from 'express';
import helmet from 'helmet';
import type { Client, Connection } from '@temporalio/client';
import type { Pool } from 'pg';
import { errorHandler, unknownRoute } from './errors';
import { healthRouter } from './health';

export interface AppDeps {
  pool: Pool;
  temporal: Client;
  taskQueue: string;
  temporalHealthConnection?: Connection;
  log?: (err: unknown) => void;
}

/** Builds the Express app without listening, so tests can drive it on a random port. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use(helmet());
  app.use(express.json({ limit: '64kb' }));
  app.use(healthRouter(deps));
  app.use(unknownRoute);
  app.use(errorHandler(deps.log ?? ((err) => console.error(err))));
  return app;
}
