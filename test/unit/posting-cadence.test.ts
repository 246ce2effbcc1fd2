import fc from 'fast-check';
import { postingCadence } from '../../domain/posting-cadence';

describe('posting cadence', () => {
  it('answers zeros and nulls when no posts are collected', () => {
    const cadence = postingCadence([]);
    expect(cadence).toEqual({
      total_posts: 0,
      avg_days_between_posts: null,
      posts_per_week: null,
      posts_per_month: null,
      day_of_week_distribution: { 0: 0, 1: 0, 2: 0, 3: 0, 4: 0, 5: 0, 6: 0 },
      earliest_post_date: null,
      latest_post_date: null,
    });
  });

  it('has no rate for a single post', () => {
    const cadence = postingCadence([new Date('2026-03-04T10:00:00Z')]);
    expect(cadence.total_posts).toBe(1);
    expect(cadence.avg_days_between_posts).toBeNull();
    expect(cadence.posts_per_week).toBeNull();
    expect(cadence.day_of_week_distribution['3']).toBe(1); // a Wednesday
    expect(cadence.earliest_post_date).toBe('2026-03-04T10:00:00.000Z');
    expect(cadence.latest_post_date).toBe('2026-03-04T10:00:00.000Z');
  });

  it('measures gaps and rates over the span the posts cover, whatever their order', () => {
    // every other day for four weeks, starting on a Sunday: 15 posts over 28 days
    const dates = Array.from({ length: 15 }, (_, i) => new Date(Date.UTC(2026, 1, 1 + 2 * i, 18)));
    const cadence = postingCadence([...dates].reverse());
    expect(cadence.total_posts).toBe(15);
    expect(cadence.avg_days_between_posts).toBe(2);
    expect(cadence.posts_per_week).toBe(3.75); // 15 / (28 / 7)
    expect(cadence.posts_per_month).toBe(16.31); // 3.75 × 30.436875 / 7
    expect(cadence.earliest_post_date).toBe('2026-02-01T18:00:00.000Z');
    expect(cadence.latest_post_date).toBe('2026-03-01T18:00:00.000Z');
    // Sun, Tue, Thu, Sat, Mon, Wed, Fri, Sun … cycles through every weekday
    expect(cadence.day_of_week_distribution).toEqual({ 0: 3, 1: 2, 2: 2, 3: 2, 4: 2, 5: 2, 6: 2 });
  });

  it('day-of-week counts always sum to total_posts and name only "0"–"6"', () => {
    fc.assert(
      fc.property(
        fc.array(fc.date({ min: new Date('2020-01-01'), max: new Date('2027-01-01'), noInvalidDate: true })),
        (dates) => {
          const cadence = postingCadence(dates);
          const counts = Object.entries(cadence.day_of_week_distribution);
          expect(counts.map(([day]) => day)).toEqual(['0', '1', '2', '3', '4', '5', '6']);
          expect(counts.reduce((sum, [, n]) => sum + n, 0)).toBe(dates.length);
          if (cadence.avg_days_between_posts !== null) expect(cadence.avg_days_between_posts).toBeGreaterThanOrEqual(0);
        },
      ),
    );
  });
});
