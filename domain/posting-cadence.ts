import { DAY_MS } from './time';
/** average Gregorian month, so posts_per_month = posts_per_week × 30.436875 / 7 */
const DAYS_PER_MONTH = 365.2425 / 12;

export interface PostingCadence {
  total_posts: number;
  /** mean gap between consecutive posts; null with fewer than two posts */
  avg_days_between_posts: number | null;
  /** posts over the span from the first to the last post; null with fewer than two posts or no span */
  posts_per_week: number | null;
  posts_per_month: number | null;
  /** UTC day of week of each post, "0" = Sunday … "6" = Saturday; the values sum to total_posts */
  day_of_week_distribution: Record<'0' | '1' | '2' | '3' | '4' | '5' | '6', number>;
  earliest_post_date: string | null;
  latest_post_date: string | null;
}

const round2 = (n: number): number => Math.round(n * 100) / 100;

/**
 * Posting frequency from publish dates (any order). The rate is measured over the span the posts cover, so a
 * creator with 150 posts between two dates 195 days apart posts 150 / (195 / 7) ≈ 5.4 times a week.
 */
export function postingCadence(publishedAt: readonly Date[]): PostingCadence {
  const times = publishedAt.map((d) => d.getTime()).sort((a, b) => a - b);
  const days: PostingCadence['day_of_week_distribution'] = { 0: 0, 1: 0, 2: 0, 3: 0, 4: 0, 5: 0, 6: 0 };
  for (const t of times) {
    const key = String(new Date(t).getUTCDay()) as keyof typeof days;
    days[key] += 1;
  }
  const first = times[0];
  const last = times[times.length - 1];
  const spanDays = first !== undefined && last !== undefined ? (last - first) / DAY_MS : 0;
  const hasSpan = times.length >= 2 && spanDays > 0;
  const perWeek = hasSpan ? times.length / (spanDays / 7) : null;
  return {
    total_posts: times.length,
    avg_days_between_posts: times.length >= 2 ? round2(spanDays / (times.length - 1)) : null,
    posts_per_week: perWeek === null ? null : round2(perWeek),
    posts_per_month: perWeek === null ? null : round2((perWeek * DAYS_PER_MONTH) / 7),
    day_of_week_distribution: days,
    earliest_post_date: first === undefined ? null : new Date(first).toISOString(),
    latest_post_date: last === undefined ? null : new Date(last).toISOString(),
  };
}
