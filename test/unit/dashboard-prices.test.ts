import {
  AUDIENCE_REFRESH_COST,
  COLLECTION_COSTS,
  COLLECTION_DEPTHS as DEPTHS,
  COLLECTION_MAX_VIDEOS,
} from '../../domain/costs';
import { AUDIENCE_REFRESH_CREDITS, COLLECTION_DEPTHS } from '../../dashboard/prices';

describe('dashboard prices', () => {
  it('are the prices the API charges', () => {
    expect(COLLECTION_DEPTHS.map((d) => d.depth)).toEqual([...DEPTHS]);
    for (const { depth, posts, credits } of COLLECTION_DEPTHS) {
      expect({ depth, posts, credits }).toEqual({
        depth,
        posts: COLLECTION_MAX_VIDEOS[depth],
        credits: COLLECTION_COSTS[depth],
      });
    }
    expect(AUDIENCE_REFRESH_CREDITS).toBe(AUDIENCE_REFRESH_COST);
  });
});
