import type { Pool } from 'pg';
import { createHealthActivities } from './health';

export interface ActivityDeps {
  pool: Pool;
}

/** Every activity the worker registers, closed over its dependencies; workflows import this file as a type only. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createHealthActivities(deps.pool),
  };
}
