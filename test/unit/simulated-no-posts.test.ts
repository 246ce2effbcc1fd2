import { ProviderError } from '../../domain/platform';
import { SimulatedProvider } from '../../providers/simulated';

const now = () => new Date('2026-06-15T12:00:00.000Z');

describe('a noposts_ account in the simulated source', () => {
  it('has a profile with no videos and refuses its post listing as `empty`', async () => {
    const p = new SimulatedProvider({ now });
    const profile = await p.getProfile('tiktok', 'noposts_jane');
    expect(profile.total_videos).toBe(0);
    const refused = await p.listPosts('tiktok', 'noposts_jane', { limit: 5 }).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(ProviderError);
    expect((refused as ProviderError).kind).toBe('empty');
    expect((refused as ProviderError).permanent).toBe(true);
    await expect(p.listFollowers('tiktok', 'noposts_jane', { limit: 5 })).resolves.toEqual({
      accounts: [],
      next_cursor: null,
    });
  });

  it('is the same account as empty_, which answers with an empty page instead', async () => {
    const p = new SimulatedProvider({ now });
    const [noPosts, empty] = await Promise.all([
      p.getProfile('youtube', 'noposts_jane'),
      p.listPosts('youtube', 'empty_jane', { limit: 5 }),
    ]);
    expect(noPosts.total_videos).toBe(0);
    expect(empty).toEqual({ posts: [], next_cursor: null });
  });
});
