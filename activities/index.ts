import type { Pool } from 'pg';
import type { CreatorReportGenerator } from '../domain/creator-report';
import type { PlatformProvider } from '../domain/platform';
import { createCreatorActivities } from './creators';
import { withTypedFailures } from './failures';
import { createHealthActivities } from './health';
import { createJobActivities } from './jobs';
import { createAudienceActivities } from './audience';
import { createSatelliteActivities } from './satellite';
import { createTrackingActivities } from './tracking';
import { createVideoActivities } from './videos';
import { createWebhookActivities, type WebhookActivityOptions } from './webhooks';
import { heuristicVideoReportGenerator, type VideoReportGenerator } from '../domain/video-report';
import { heuristicSoundTrendGenerator, type SoundTrendGenerator } from '../domain/sound-trends';

export interface ActivityDeps {
  pool: Pool;
  provider: PlatformProvider;
  reportGenerator: CreatorReportGenerator;
  /** the heuristic video analyst unless given */
  videoReportGenerator?: VideoReportGenerator;
  /** the heuristic trend analyst unless given */
  soundTrendGenerator?: SoundTrendGenerator;
  /** webhook delivery settings: the development loopback setting, and a resolver and clock for tests */
  webhooks?: WebhookActivityOptions;
}

/** Every activity the worker registers, closed over its dependencies; workflows import this file as a type only. */
export function createActivities(deps: ActivityDeps) {
  return withTypedFailures({
    ...createHealthActivities(deps.pool),
    ...createWebhookActivities(deps.pool, deps.webhooks),
    ...createTrackingActivities(deps.pool),
    ...createCreatorActivities(deps),
    ...createJobActivities(deps),
    ...createAudienceActivities(deps),
    ...createSatelliteActivities({ ...deps, trends: deps.soundTrendGenerator ?? heuristicSoundTrendGenerator }),
    ...createVideoActivities({
      ...deps,
      videoReportGenerator: deps.videoReportGenerator ?? heuristicVideoReportGenerator,
    }),
  });
}
