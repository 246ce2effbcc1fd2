import fc from 'fast-check';
import {
  cadenceLabel,
  cadenceMs,
  DEFAULT_CADENCE,
  isScrapeCadence,
  nextRunAt,
  SCRAPE_CADENCES,
  type ScrapeCadence,
} from '../../domain/cadence';
import { HOUR_MS as HOUR } from '../../domain/time';

const at = (iso: string) => new Date(iso);

describe('scrape cadence', () => {
  it('offers the seven documented cadences and defaults to daily', () => {
    expect(SCRAPE_CADENCES).toEqual([
      'six_hours',
      'twelve_hours',
      'daily',
      'every_other_day',
      'weekly',
      'bi_weekly',
      'monthly',
    ]);
    expect(DEFAULT_CADENCE).toBe('daily');
  });

  it('maps each cadence to its interval, monthly being 30 days', () => {
    expect(SCRAPE_CADENCES.map((c) => cadenceMs(c) / HOUR)).toEqual([6, 12, 24, 48, 7 * 24, 14 * 24, 30 * 24]);
  });

  it('labels each cadence for the Temporal UI summary', () => {
    expect(SCRAPE_CADENCES.map(cadenceLabel)).toEqual([
      'every 6h',
      'every 12h',
      'daily',
      'every 2 days',
      'weekly',
      'every 2 weeks',
      'monthly',
    ]);
  });

  it('recognises only the documented cadence names', () => {
    for (const c of SCRAPE_CADENCES) expect(isScrapeCadence(c)).toBe(true);
    for (const v of ['hourly', 'Daily', '', null, 24, undefined]) expect(isScrapeCadence(v)).toBe(false);
  });

  it('schedules the next run one interval after the last one', () => {
    const last = at('2026-03-23T14:00:00.000Z');
    const now = at('2026-03-23T15:00:00.000Z');
    expect(nextRunAt(last, cadenceMs('twelve_hours'), now).toISOString()).toBe('2026-03-24T02:00:00.000Z');
    expect(nextRunAt(last, cadenceMs('monthly'), now).toISOString()).toBe('2026-04-22T14:00:00.000Z');
  });

  it('runs immediately when there has been no run yet', () => {
    const now = at('2026-03-23T15:00:00.000Z');
    expect(nextRunAt(null, cadenceMs('weekly'), now).toISOString()).toBe(now.toISOString());
  });

  it('recalculates from the last run when the cadence changes, and never schedules in the past', () => {
    const last = at('2026-03-23T14:00:00.000Z');
    const now = at('2026-03-24T01:00:00.000Z');
    // the seed's PATCH example: twelve_hours → six_hours after a 14:00 run
    expect(nextRunAt(last, cadenceMs('six_hours'), at('2026-03-23T15:00:00.000Z')).toISOString()).toBe(
      '2026-03-23T20:00:00.000Z',
    );
    expect(nextRunAt(last, cadenceMs('six_hours'), now).toISOString()).toBe(now.toISOString());
    expect(nextRunAt(last, cadenceMs('weekly'), now).toISOString()).toBe('2026-03-30T14:00:00.000Z');
  });

  it('treats an invalid last-run date like no run at all', () => {
    const now = at('2026-03-23T15:00:00.000Z');
    expect(nextRunAt(new Date('nope'), cadenceMs('daily'), now).toISOString()).toBe(now.toISOString());
  });

  it('always returns a time that is neither before now nor later than last run plus the interval', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4e12 }),
        fc.integer({ min: 0, max: 4e12 }),
        fc.constantFrom<ScrapeCadence>(...SCRAPE_CADENCES),
        (lastMs, nowMs, cadence) => {
          const next = nextRunAt(new Date(lastMs), cadenceMs(cadence), new Date(nowMs)).getTime();
          expect(next).toBeGreaterThanOrEqual(nowMs);
          expect(next).toBe(Math.max(nowMs, lastMs + cadenceMs(cadence)));
        },
      ),
    );
  });

  it('never schedules a longer cadence earlier than a shorter one', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4e12 }),
        fc.integer({ min: 0, max: 4e12 }),
        fc.integer({ min: 0, max: SCRAPE_CADENCES.length - 1 }),
        fc.integer({ min: 0, max: SCRAPE_CADENCES.length - 1 }),
        (lastMs, nowMs, i, j) => {
          const [short, long] = [SCRAPE_CADENCES[Math.min(i, j)]!, SCRAPE_CADENCES[Math.max(i, j)]!];
          const last = new Date(lastMs);
          const now = new Date(nowMs);
          expect(nextRunAt(last, cadenceMs(long), now).getTime()).toBeGreaterThanOrEqual(
            nextRunAt(last, cadenceMs(short), now).getTime(),
          );
        },
      ),
    );
  });
});
