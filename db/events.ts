import type { PoolClient } from 'pg';
import { v5 as uuidv5 } from 'uuid';

/** Namespace for event ids: the same dedupe key always names the same event, so a retried write adds nothing. */
const EVENT_NAMESPACE = '5d0c3f5e-61a6-4c39-9a43-0b3f4c6f2a10';

export const EVENT_TYPES = [
  'tracking.cycle.completed',
  'tracking.outlier_video.detected',
  'tracking.paused',
  // once per tracked entity, however it stopped (DELETE, a cancellation, the reconciler)
  'tracking.stopped',
  // a paid job's end, success or failure: one of each pair, once per job
  'audience.snapshot.completed',
  'audience.snapshot.failed',
  'posts.collection.completed',
  'posts.collection.failed',
  // video trajectory transitions, named as in seed 002
  'breakout',
  'accelerating',
  'peaking',
  // a satellite job's end, completed or failed (`data.status`), for every type (`data.type`)
  'satellite.lookup.completed',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export interface OutboxEvent {
  /** made by the caller from what the event reports (workflow id, cycle, video), never random */
  key: string;
  teamId: string;
  type: EventType;
  resourceType: 'creator' | 'video' | 'satellite_job';
  resourceId: string;
  data: unknown;
}

export function eventId(key: string): string {
  return uuidv5(key, EVENT_NAMESPACE);
}

/** Appends to the outbox inside the caller's transaction, once per key. Returns the event id. */
export async function recordEvent(client: PoolClient, event: OutboxEvent): Promise<string> {
  const id = eventId(event.key);
  await client.query(
    `INSERT INTO events (id, team_id, type, resource_type, resource_id, data) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (id) DO NOTHING`,
    [id, event.teamId, event.type, event.resourceType, event.resourceId, JSON.stringify(event.data)],
  );
  return id;
}
