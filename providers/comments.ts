/** Reading comments of several posts through any provider: one batch where the source has one, else post by post. */
import { ProviderError, type Comment, type Platform, type PlatformProvider, type Post } from '../domain/platform';

type PostRef = Pick<Post, 'platform_video_id' | 'url'>;

/** most comments one `listComments` page may ask for */
const PAGE_LIMIT = 100;

/**
 * A post's comments, or none when the post itself is gone or closed (deleted, private, blocked, empty): one removed post
 * must not fail a whole report or audience sample. Other failures are the source's and propagate.
 */
export async function commentsOfPost(
  provider: PlatformProvider,
  platform: Platform,
  post: PostRef,
  opts: { limit: number; cursor?: string | null },
): Promise<{ comments: Comment[]; next_cursor: string | null }> {
  try {
    return await provider.listComments(platform, post.platform_video_id, { ...opts, url: post.url });
  } catch (err) {
    if (err instanceof ProviderError && err.permanent) return { comments: [], next_cursor: null };
    throw err;
  }
}

/** Up to `perPost` comments of each post, by platform video id. */
export async function commentsOfPosts(
  provider: PlatformProvider,
  platform: Platform,
  posts: readonly PostRef[],
  perPost: number,
): Promise<Map<string, Comment[]>> {
  if (posts.length === 0) return new Map();
  if (provider.listCommentsOfPosts) return provider.listCommentsOfPosts(platform, posts, { perPost });
  const byPost = new Map<string, Comment[]>();
  for (const post of posts) {
    const comments: Comment[] = [];
    let cursor: string | null = null;
    do {
      const page = await commentsOfPost(provider, platform, post, {
        limit: Math.min(PAGE_LIMIT, perPost - comments.length),
        cursor,
      });
      comments.push(...page.comments);
      cursor = page.next_cursor;
    } while (cursor !== null && comments.length < perPost);
    byPost.set(post.platform_video_id, comments);
  }
  return byPost;
}
