import type { Pool } from 'pg';
import { streamRows } from './cursor';
import type { Queryable } from './transaction';
import type { Post } from '../domain/platform';

export const POST_SORTS = ['publish_date_desc', 'publish_date_asc', 'views_desc'] as const;
export type PostSort = (typeof POST_SORTS)[number];

/** ORDER BY per sort, from this fixed map only; the id breaks ties so pages never overlap. */
const ORDER: Record<PostSort, string> = {
  publish_date_desc: 'published_at DESC, id',
  publish_date_asc: 'published_at ASC, id',
  views_desc: 'views DESC NULLS LAST, published_at DESC, id',
};

/** A stored post: the provider's fields as columns, plus its id and when its metrics were last read. */
export interface PostRow extends Omit<Post, 'published_at'> {
  id: string;
  tracking_account_id: string;
  published_at: Date;
  updated_at: Date;
}

export interface PostFilters {
  start?: Date;
  end?: Date;
  sort: PostSort;
}

/** The WHERE and ORDER BY of a creator's posts, shared by the page and the download. */
function postsMatching(creatorId: string, opts: PostFilters): { where: string; params: unknown[]; order: string } {
  const where = ['tracking_account_id = $1'];
  const params: unknown[] = [creatorId];
  if (opts.start) {
    params.push(opts.start);
    where.push(`published_at >= $${params.length}`);
  }
  if (opts.end) {
    params.push(opts.end);
    where.push(`published_at <= $${params.length}`);
  }
  return { where: where.join(' AND '), params, order: ORDER[opts.sort] };
}

export async function listPosts(
  db: Queryable,
  creatorId: string,
  opts: PostFilters & { page: number; limit: number },
): Promise<{ rows: PostRow[]; total: number }> {
  const { where, params, order } = postsMatching(creatorId, opts);
  const total = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM creator_posts WHERE ${where}`, params);
  params.push(opts.limit, (opts.page - 1) * opts.limit);
  const rows = await db.query<PostRow>(
    `SELECT * FROM creator_posts WHERE ${where} ORDER BY ${order}
      LIMIT $${params.length - 1} OFFSET $${params.length}`,
    params,
  );
  return { rows: rows.rows, total: total.rows[0]?.n ?? 0 };
}

/** Every post matching the filters, in the sort's order, streamed (a download). */
export function streamPosts(pool: Pool, creatorId: string, opts: PostFilters): AsyncGenerator<PostRow> {
  const { where, params, order } = postsMatching(creatorId, opts);
  return streamRows<PostRow>(pool, `SELECT * FROM creator_posts WHERE ${where} ORDER BY ${order}`, params);
}

export async function findPost(db: Queryable, creatorId: string, postId: string): Promise<PostRow | undefined> {
  const result = await db.query<PostRow>('SELECT * FROM creator_posts WHERE id = $1 AND tracking_account_id = $2', [
    postId,
    creatorId,
  ]);
  return result.rows[0];
}

export async function postPublishDates(db: Queryable, creatorId: string): Promise<Date[]> {
  const result = await db.query<{ published_at: Date }>(
    'SELECT published_at FROM creator_posts WHERE tracking_account_id = $1',
    [creatorId],
  );
  return result.rows.map((row) => row.published_at);
}

/** Inserts or refreshes posts read from a platform, keyed by the creator and the platform's id for each. */
export async function upsertPosts(client: Queryable, creatorId: string, posts: readonly Post[]): Promise<void> {
  if (posts.length === 0) return;
  await client.query(
    `INSERT INTO creator_posts (tracking_account_id, platform, platform_video_id, url, title, description, thumbnail_url,
       published_at, duration_seconds, views, likes, comments, shares, bookmarks, hashtags, is_duet, is_stitch)
     SELECT $1, p.platform, p.platform_video_id, p.url, p.title, p.description, p.thumbnail_url, p.published_at::timestamptz,
            p.duration_seconds, p.views, p.likes, p.comments, p.shares, p.bookmarks,
            ARRAY(SELECT jsonb_array_elements_text(p.hashtags)), p.is_duet, p.is_stitch
       FROM jsonb_to_recordset($2::jsonb) AS p(platform text, platform_video_id text, url text, title text,
            description text, thumbnail_url text, published_at text, duration_seconds int, views bigint, likes bigint,
            comments bigint, shares bigint, bookmarks bigint, hashtags jsonb, is_duet boolean, is_stitch boolean)
     ON CONFLICT (tracking_account_id, platform_video_id) DO UPDATE SET
       title = EXCLUDED.title, description = EXCLUDED.description, thumbnail_url = EXCLUDED.thumbnail_url,
       duration_seconds = EXCLUDED.duration_seconds, views = EXCLUDED.views, likes = EXCLUDED.likes,
       comments = EXCLUDED.comments, shares = EXCLUDED.shares, bookmarks = EXCLUDED.bookmarks,
       hashtags = EXCLUDED.hashtags, is_duet = EXCLUDED.is_duet, is_stitch = EXCLUDED.is_stitch, updated_at = now()`,
    [creatorId, JSON.stringify(posts)],
  );
}

/** A creator's most recent stored posts in the provider's shape, newest first. */
export async function recentPosts(db: Queryable, creatorId: string, limit: number): Promise<Post[]> {
  const result = await db.query<Omit<PostRow, 'id' | 'tracking_account_id' | 'updated_at'>>(
    `SELECT platform, platform_video_id, url, title, description, thumbnail_url, published_at, duration_seconds,
            views, likes, comments, shares, bookmarks, hashtags, is_duet, is_stitch
       FROM creator_posts WHERE tracking_account_id = $1 ORDER BY published_at DESC LIMIT $2`,
    [creatorId, limit],
  );
  return result.rows.map((row) => ({ ...row, published_at: row.published_at.toISOString() }));
}

/** Every stored post's views (null where the platform hides them), for totals and medians. */
export async function postViews(db: Queryable, creatorId: string): Promise<(number | null)[]> {
  const result = await db.query<{ views: number | null }>(
    'SELECT views FROM creator_posts WHERE tracking_account_id = $1',
    [creatorId],
  );
  return result.rows.map((row) => row.views);
}

export async function postCount(db: Queryable, creatorId: string): Promise<number> {
  const result = await db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM creator_posts WHERE tracking_account_id = $1',
    [creatorId],
  );
  return result.rows[0]?.n ?? 0;
}
