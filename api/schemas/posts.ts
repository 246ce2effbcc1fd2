import { z } from 'zod';
import type { PostRow } from '../../db/posts';
import { PLATFORMS } from '../../domain/platform';
import { EXAMPLE_CREATOR_ID } from './creators';

/** A tracked creator's collected posts; metrics a platform hides stay null. */

const metric = z.number().int().nullable();

export const postListItemSchema = z
  .object({
    id: z.uuid(),
    tracking_account_id: z.uuid(),
    platform: z.enum(PLATFORMS),
    platform_video_id: z.string(),
    url: z.string(),
    title: z.string().nullable(),
    views: metric,
    likes: metric,
    comments: metric,
    shares: metric,
    bookmarks: metric,
    is_duet: z.boolean().nullable().describe('TikTok only'),
    is_stitch: z.boolean().nullable().describe('TikTok only'),
    publish_date: z.iso.datetime(),
    hashtags: z.array(z.string()),
    collected_at: z.iso.datetime().describe('when the metrics were last read'),
  })
  .meta({ id: 'PostListItem' });

export const postDetailSchema = postListItemSchema
  .extend({
    description: z.string().nullable(),
    thumbnail_url: z.string().nullable(),
    duration_seconds: z.number().int().nullable(),
  })
  .meta({ id: 'PostDetail' });

/** An item of `GET .../posts`. */
export function postListItem(row: PostRow): z.output<typeof postListItemSchema> {
  return {
    id: row.id,
    tracking_account_id: row.tracking_account_id,
    platform: row.platform,
    platform_video_id: row.platform_video_id,
    url: row.url,
    title: row.title,
    views: row.views,
    likes: row.likes,
    comments: row.comments,
    shares: row.shares,
    bookmarks: row.bookmarks,
    is_duet: row.is_duet,
    is_stitch: row.is_stitch,
    publish_date: row.published_at.toISOString(),
    hashtags: row.hashtags,
    collected_at: row.updated_at.toISOString(),
  };
}

/** `GET .../posts/{post_id}`: the list item plus description, duration and thumbnail. */
export function postDetail(row: PostRow): z.output<typeof postDetailSchema> {
  const { publish_date, hashtags, collected_at, ...rest } = postListItem(row);
  return {
    ...rest,
    description: row.description,
    thumbnail_url: row.thumbnail_url,
    duration_seconds: row.duration_seconds,
    publish_date,
    hashtags,
    collected_at,
  };
}

const dayCount = z.number().int();

/** `GET .../posting-cadence`: posting frequency from the collected posts' publish dates. */
export const postingCadenceSchema = z
  .object({
    total_posts: z.number().int(),
    avg_days_between_posts: z.number().nullable().describe('mean gap between consecutive posts; null below two posts'),
    posts_per_week: z.number().nullable().describe('over the span from the first to the last post'),
    posts_per_month: z.number().nullable(),
    day_of_week_distribution: z
      .object({ 0: dayCount, 1: dayCount, 2: dayCount, 3: dayCount, 4: dayCount, 5: dayCount, 6: dayCount })
      .describe('posts per UTC day of week, "0" = Sunday … "6" = Saturday'),
    earliest_post_date: z.iso.datetime().nullable(),
    latest_post_date: z.iso.datetime().nullable(),
    message: z.string().optional().describe('only before any post is collected: how posts arrive'),
  })
  .meta({ id: 'PostingCadence' });

// ---- examples, shown in the OpenAPI document ----

export const postListItemExample: z.input<typeof postListItemSchema> = {
  id: '2a4c6e80-1b3d-4f5a-9c7e-0d2f4a6b8c1e',
  tracking_account_id: EXAMPLE_CREATOR_ID,
  platform: 'tiktok',
  platform_video_id: '7441234567890123456',
  url: 'https://www.tiktok.com/@khaby.lame/video/7441234567890123456',
  title: 'When the life hack is too complicated #learnfromkhaby',
  views: 21_400_000,
  likes: 2_310_000,
  comments: 14_820,
  shares: 31_500,
  bookmarks: 88_200,
  is_duet: false,
  is_stitch: true,
  publish_date: '2026-11-28T18:30:00.000Z',
  hashtags: ['learnfromkhaby', 'lifehack'],
  collected_at: '2026-11-30T06:00:03.114Z',
};
