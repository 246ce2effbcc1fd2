import type { OutlierVideo } from '../domain/outliers';
import type { Queryable } from './transaction';

/** `creator_outliers`: each of a creator's videos flagged at most once (the primary key), with the cycle that did. */

export async function flaggedVideoIds(db: Queryable, creatorId: string): Promise<string[]> {
  const result = await db.query<{ platform_video_id: string }>(
    'SELECT platform_video_id FROM creator_outliers WHERE tracking_account_id = $1',
    [creatorId],
  );
  return result.rows.map((row) => row.platform_video_id);
}

/** Flags a video; `false` when it was already flagged. */
export async function insertOutlier(
  db: Queryable,
  creatorId: string,
  cycle: number,
  outlier: OutlierVideo,
): Promise<boolean> {
  const inserted = await db.query(
    `INSERT INTO creator_outliers (tracking_account_id, platform_video_id, url, views, median_views, outlier_ratio,
       weighted_score, cycle) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`,
    [
      creatorId,
      outlier.platform_video_id,
      outlier.url,
      outlier.views,
      outlier.median_views,
      outlier.outlier_ratio,
      outlier.weighted_score,
      cycle,
    ],
  );
  return inserted.rowCount === 1;
}
