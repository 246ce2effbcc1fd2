import type { Pool } from 'pg';
import type { CreatorReportGenerator } from '../domain/creator-report';
import type { PlatformProvider } from '../domain/platform';
import { createCreatorActivities } from './creators';
import { createHealthActivities } from './health';
import { createTrackingActivities } from './tracking';
import { createVideoActivities } from './videos';
import { heuristicVideoReportGenerator, type VideoReportGenerator } from '../domain/video-report';

export interface ActivityDeps {
  pool: Pool;
  provider: PlatformProvider;
  reportGenerator: CreatorReportGenerator;
  /** the heuristic video analyst unless given */
  videoReportGenerator?: VideoReportGenerator;
}

/** Every activity the worker registers, closed over its dependencies; workflows import this file as a type only. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createHealthActivities(deps.pool),
    ...createTrackingActivities(deps.pool),
    ...createCreatorActivities(deps),
    ...createVideoActivities({
      ...deps,
      videoReportGenerator: deps.videoReportGenerator ?? heuristicVideoReportGenerator,
    }),
  };
}
