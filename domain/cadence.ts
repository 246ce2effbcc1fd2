/** Scrape cadences: how often a tracked creator or video runs a tracking cycle. Pure; safe in workflow code. */
import { DAY_MS, HOUR_MS } from './time';

export const SCRAPE_CADENCES = [
  'six_hours',
  'twelve_hours',
  'daily',
  'every_other_day',
  'weekly',
  'bi_weekly',
  'monthly',
] as const;
export type ScrapeCadence = (typeof SCRAPE_CADENCES)[number];

export const DEFAULT_CADENCE: ScrapeCadence = 'daily';

/**
 * Videos may also track `adaptive`: the interval follows the video's trajectory (see `nextAdaptiveIntervalMs` in
 * domain/trajectory.ts) instead of a fixed cadence. Each cycle still costs the same.
 */
export const VIDEO_CADENCES = [...SCRAPE_CADENCES, 'adaptive'] as const;
export type TrackingCadence = (typeof VIDEO_CADENCES)[number];

/** Interval lengths. `monthly` = 30 days, a fixed length rather than a calendar month, so every cycle is equally spaced. */
const CADENCE_MS: Readonly<Record<ScrapeCadence, number>> = {
  six_hours: 6 * HOUR_MS,
  twelve_hours: 12 * HOUR_MS,
  daily: DAY_MS,
  every_other_day: 2 * DAY_MS,
  weekly: 7 * DAY_MS,
  bi_weekly: 14 * DAY_MS,
  monthly: 30 * DAY_MS,
};

const CADENCE_LABELS: Readonly<Record<ScrapeCadence, string>> = {
  six_hours: 'every 6h',
  twelve_hours: 'every 12h',
  daily: 'daily',
  every_other_day: 'every 2 days',
  weekly: 'weekly',
  bi_weekly: 'every 2 weeks',
  monthly: 'monthly',
};

export function isScrapeCadence(value: unknown): value is ScrapeCadence {
  return typeof value === 'string' && (SCRAPE_CADENCES as readonly string[]).includes(value);
}

export function isTrackingCadence(value: unknown): value is TrackingCadence {
  return value === 'adaptive' || isScrapeCadence(value);
}

/** Milliseconds between two cycles (monthly = 30 days). */
export function cadenceMs(cadence: ScrapeCadence): number {
  return CADENCE_MS[cadence];
}

/**
 * When the next cycle is due: `lastScrapedAt + intervalMs` (`cadenceMs(cadence)`, or the adaptive interval); `now`
 * when there has been no cycle yet, or when that time has already passed (the cadence was shortened, or the entity was
 * paused past its slot). Calling this again after a cadence change is what recalculates `next_scrape_at` from
 * `last_scraped_at`.
 */
export function nextRunAt(lastScrapedAt: Date | null, intervalMs: number, now: Date): Date {
  const last = lastScrapedAt?.getTime();
  if (last === undefined || Number.isNaN(last)) return new Date(now.getTime());
  return new Date(Math.max(last + intervalMs, now.getTime()));
}

/** Short human text for the Temporal UI summary, e.g. `every 12h`. */
export function cadenceLabel(cadence: TrackingCadence): string {
  return cadence === 'adaptive' ? 'adaptive' : CADENCE_LABELS[cadence];
}
