import fc from 'fast-check';
import { commentTone } from '../../domain/creator-report';
import {
  ProviderError,
  type AudienceAccount,
  type Comment,
  type Platform,
  type Post,
  type ProfileMetrics,
} from '../../domain/platform';
import { DAY_MS as DAY, HOUR_MS as HOUR } from '../../domain/time';
import { INSTAGRAM_RESERVED_PATHS, profileUrlFor } from '../../domain/urls';
import { commentTemplateLanguages, SimulatedProvider } from '../../providers/simulated';

const NOW = Date.parse('2026-06-15T12:00:00.000Z');
const PLATFORMS: Platform[] = ['tiktok', 'youtube', 'instagram'];

const at = (ms: number, options: { seed?: string } = {}) =>
  new SimulatedProvider({ ...options, now: () => new Date(ms) });

const handleArb = fc
  .stringMatching(/^[a-z][a-z0-9_.]{2,20}$/)
  .filter((h) => !/^(private|deleted|blocked|empty)_/.test(h) && !INSTAGRAM_RESERVED_PATHS.has(h));
const platformArb = fc.constantFrom(...PLATFORMS);

async function allPosts(provider: SimulatedProvider, platform: Platform, handle: string, limit = 100): Promise<Post[]> {
  const posts: Post[] = [];
  let cursor: string | null = null;
  do {
    const page = await provider.listPosts(platform, handle, { limit, cursor });
    expect(page.posts.length).toBeLessThanOrEqual(limit);
    posts.push(...page.posts);
    cursor = page.next_cursor;
  } while (cursor !== null);
  return posts;
}

async function allComments(provider: SimulatedProvider, platform: Platform, id: string, limit = 50) {
  const comments: Comment[] = [];
  let cursor: string | null = null;
  do {
    const page = await provider.listComments(platform, id, { limit, cursor });
    comments.push(...page.comments);
    cursor = page.next_cursor;
  } while (cursor !== null);
  return comments;
}

async function rejection(promise: Promise<unknown>): Promise<ProviderError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof ProviderError) return err;
    throw err;
  }
  throw new Error('expected a ProviderError, but the call succeeded');
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

describe('SimulatedProvider: determinism', () => {
  it('gives the same profile and posts for the same handle and clock, whatever the instance', async () => {
    await fc.assert(
      fc.asyncProperty(platformArb, handleArb, fc.integer({ min: -300, max: 300 }), async (platform, handle, days) => {
        const when = NOW + days * DAY;
        const [a, b] = [at(when), at(when)];
        expect(await a.getProfile(platform, handle)).toEqual(await b.getProfile(platform, handle));
        expect(await a.listPosts(platform, handle, { limit: 20 })).toEqual(
          await b.listPosts(platform, handle, { limit: 20 }),
        );
      }),
      { numRuns: 30 },
    );
  });

  it('gives different creators to different handles and to different seeds', async () => {
    const followers = async (p: SimulatedProvider, h: string) => (await p.getProfile('tiktok', h)).followers;
    const base = at(NOW);
    expect(await followers(base, 'jane.cooks')).not.toBe(await followers(base, 'jane.cooks2'));
    expect(await followers(base, 'jane.cooks')).not.toBe(await followers(at(NOW, { seed: 'other' }), 'jane.cooks'));
  });

  it('treats handles case-insensitively and with or without @', async () => {
    const p = at(NOW);
    expect(await p.getProfile('instagram', '@Jane.Cooks')).toEqual(await p.getProfile('instagram', 'jane.cooks'));
  });
});

describe('SimulatedProvider: platform truthfulness', () => {
  it('reports null, never a fake 0, for every metric a platform does not expose', async () => {
    await fc.assert(
      fc.asyncProperty(platformArb, handleArb, async (platform, handle) => {
        const p = at(NOW);
        const profile = await p.getProfile(platform, handle);
        const { posts } = await p.listPosts(platform, handle, { limit: 15 });
        expect(typeof profile.followers).toBe('number');
        expect(typeof profile.total_videos).toBe('number');
        for (const post of posts) {
          expect(typeof post.views).toBe('number');
          expect(typeof post.likes).toBe('number');
          expect(typeof post.comments).toBe('number');
        }
        if (platform === 'youtube') {
          expect(typeof profile.total_views).toBe('number');
          expect(profile.subscribers).toBe(profile.followers);
          expect(profile.total_likes).toBeNull();
          expect(profile.following).toBeNull();
        } else {
          expect(profile.total_views).toBeNull();
          expect(profile.subscribers).toBeNull();
          expect(typeof profile.following).toBe('number');
          expect(profile.total_likes === null).toBe(platform === 'instagram');
        }
        for (const post of posts) {
          const tiktok = platform === 'tiktok';
          expect(post.shares === null).toBe(!tiktok);
          expect(post.bookmarks === null).toBe(!tiktok);
          expect(post.is_duet === null).toBe(!tiktok);
          expect(post.is_stitch === null).toBe(!tiktok);
        }
      }),
      { numRuns: 30 },
    );
  });

  it('sums the profile counters from the creator’s own posts', async () => {
    const p = at(NOW);
    const tiktok = await allPosts(p, 'tiktok', 'sum.check');
    const tiktokProfile = await p.getProfile('tiktok', 'sum.check');
    expect(tiktokProfile.total_videos).toBe(tiktok.length);
    expect(tiktokProfile.total_likes).toBe(tiktok.reduce((s, x) => s + (x.likes as number), 0));
    const youtube = await allPosts(p, 'youtube', 'sum.check');
    expect((await p.getProfile('youtube', 'sum.check')).total_views).toBe(
      youtube.reduce((s, x) => s + (x.views as number), 0),
    );
  });
});

describe('SimulatedProvider: growth over time', () => {
  it('moves followers one way per creator, and never loses videos, likes, views or per-post counts', async () => {
    await fc.assert(
      fc.asyncProperty(
        platformArb,
        handleArb,
        fc.integer({ min: -200, max: 200 }),
        fc.array(fc.integer({ min: 1, max: 48 }), { minLength: 3, maxLength: 6 }),
        async (platform, handle, startDay, stepsInHours) => {
          let when = NOW + startDay * DAY;
          const first = await at(when).listPosts(platform, handle, { limit: 3 });
          const tracked = first.posts[first.posts.length - 1];
          const series: { profile: ProfileMetrics; post: Post | null }[] = [];
          for (const hours of [0, ...stepsInHours]) {
            when += hours * HOUR;
            const p = at(when);
            series.push({
              profile: await p.getProfile(platform, handle),
              post: tracked ? await p.getPost(platform, tracked.platform_video_id) : null,
            });
          }
          const deltas = series
            .slice(1)
            .map((s, i) => (s.profile.followers as number) - (series[i]!.profile.followers as number));
          expect(deltas.every((d) => d >= 0) || deltas.every((d) => d <= 0)).toBe(true);
          for (let i = 1; i < series.length; i++) {
            const [prev, next] = [series[i - 1]!, series[i]!];
            expect(next.profile.total_videos).toBeGreaterThanOrEqual(prev.profile.total_videos as number);
            expect(next.profile.total_likes ?? 0).toBeGreaterThanOrEqual(prev.profile.total_likes ?? 0);
            expect(next.profile.total_views ?? 0).toBeGreaterThanOrEqual(prev.profile.total_views ?? 0);
            for (const key of ['views', 'likes', 'comments', 'shares', 'bookmarks'] as const) {
              expect(next.post?.[key] ?? 0).toBeGreaterThanOrEqual(prev.post?.[key] ?? 0);
            }
          }
        },
      ),
      { numRuns: 25 },
    );
  });

  it('grows followers by a few tenths of a percent a day, with noise, and keeps following nearly constant', async () => {
    const daily: number[] = [];
    for (let i = 0; i < 60; i++) {
      const [today, tomorrow, nextMonth] = [NOW, NOW + DAY, NOW + 30 * DAY].map((t) =>
        at(t).getProfile('tiktok', `grower${i}`),
      );
      const [a, b, c] = await Promise.all([today, tomorrow, nextMonth]);
      daily.push((b!.followers as number) / (a!.followers as number) - 1);
      expect(Math.abs((c!.following as number) - (a!.following as number))).toBeLessThanOrEqual(5);
    }
    expect(Math.max(...daily.map(Math.abs))).toBeLessThan(0.015);
    expect(median(daily)).toBeGreaterThan(0.0005);
    expect(median(daily)).toBeLessThan(0.005);
    expect(new Set(daily.map((d) => d.toFixed(5))).size).toBeGreaterThan(50);
  });

  it('front-loads views: a post gains far more in its first three days than a month later', async () => {
    const posts = (await at(NOW - 60 * DAY).listPosts('tiktok', 'saturation.check', { limit: 10 })).posts;
    expect(posts.length).toBeGreaterThan(3);
    for (const post of posts) {
      const published = Date.parse(post.published_at);
      const views = async (afterDays: number) =>
        (await at(published + afterDays * DAY).getPost('tiktok', post.platform_video_id)).views as number;
      const early = (await views(3)) - (await views(0));
      const late = (await views(33)) - (await views(30));
      expect(early).toBeGreaterThan(5 * late);
    }
  });
});

describe('SimulatedProvider: posts', () => {
  it('pages through every post exactly once, newest first, as many as total_videos', async () => {
    await fc.assert(
      fc.asyncProperty(platformArb, handleArb, fc.integer({ min: 7, max: 80 }), async (platform, handle, limit) => {
        const p = at(NOW);
        const posts = await allPosts(p, platform, handle, limit);
        expect(posts.length).toBe((await p.getProfile(platform, handle)).total_videos);
        expect(new Set(posts.map((x) => x.platform_video_id)).size).toBe(posts.length);
        const times = posts.map((x) => Date.parse(x.published_at));
        for (let i = 1; i < times.length; i++) expect(times[i]).toBeLessThanOrEqual(times[i - 1]!);
        expect(times.every((t) => t <= NOW)).toBe(true);
      }),
      { numRuns: 10 },
    );
  });

  it('returns exactly `limit` posts while more remain, and a null cursor on the last page', async () => {
    const p = at(NOW);
    const page = await p.listPosts('instagram', 'limit.check', { limit: 13 });
    expect(page.posts).toHaveLength(13);
    expect(page.next_cursor).toEqual(expect.any(String));
    const all = await allPosts(p, 'instagram', 'limit.check', 1000);
    const last = await p.listPosts('instagram', 'limit.check', { limit: all.length });
    expect(last.next_cursor).toBeNull();
  });

  it('keeps a cursor valid while new posts appear: the next page continues where the last one ended', async () => {
    const first = await at(NOW).listPosts('tiktok', 'busy.poster', { limit: 10 });
    const later = at(NOW + 5 * DAY);
    const second = await later.listPosts('tiktok', 'busy.poster', { limit: 10, cursor: first.next_cursor });
    const fresh = await later.listPosts('tiktok', 'busy.poster', { limit: 40 });
    const ids = fresh.posts.map((x) => x.platform_video_id);
    const lastOfFirst = ids.indexOf(first.posts[9]!.platform_video_id);
    expect(lastOfFirst).toBeGreaterThan(9);
    expect(second.posts.map((x) => x.platform_video_id)).toEqual(ids.slice(lastOfFirst + 1, lastOfFirst + 11));
  });

  it('rejects a malformed limit or cursor as a programming error', async () => {
    const p = at(NOW);
    await expect(p.listPosts('tiktok', 'x.y', { limit: 0 })).rejects.toThrow(RangeError);
    await expect(p.listPosts('tiktok', 'x.y', { limit: 2.5 })).rejects.toThrow(RangeError);
    await expect(p.listPosts('tiktok', 'x.y', { limit: 5, cursor: 'not-a-cursor' })).rejects.toThrow(RangeError);
    await expect(p.listComments('tiktok', '7234567890123456789', { limit: 5, cursor: '!!' })).rejects.toThrow(
      RangeError,
    );
  });

  it('gives by id the same post that the listing gave', async () => {
    for (const platform of PLATFORMS) {
      const p = at(NOW);
      const { posts } = await p.listPosts(platform, 'by.id', { limit: 25 });
      for (const post of posts) expect(await p.getPost(platform, post.platform_video_id)).toEqual(post);
      // another instance has not seen the listing: TikTok URLs name an author it cannot know
      const other = at(NOW);
      for (const post of posts) {
        expect(await other.getPost(platform, post.platform_video_id)).toEqual(
          platform === 'tiktok'
            ? { ...post, url: expect.stringMatching(/^https:\/\/www\.tiktok\.com\/@user\d+\/video\//) }
            : post,
        );
      }
    }
  });

  it('answers for a video id it never listed, deterministically, keeping a TikTok id’s embedded publish time', async () => {
    const tiktokId = '7234567890123456789';
    const a = await at(NOW).getPost('tiktok', tiktokId);
    expect(a).toEqual(await at(NOW).getPost('tiktok', tiktokId));
    expect(a.published_at).toBe(new Date(Number(BigInt(tiktokId) >> 32n) * 1000).toISOString());
    const yt = await at(NOW).getPost('youtube', 'dQw4w9WgXcQ');
    expect(yt).toEqual(await at(NOW).getPost('youtube', 'dQw4w9WgXcQ'));
    expect(Date.parse(yt.published_at)).toBeLessThanOrEqual(NOW);
    expect(yt.views).toBeGreaterThan(0);
    expect(yt.url).toBe('https://www.youtube.com/watch?v=dQw4w9WgXcQ');
  });

  it('fails a malformed video id as deleted (no such post)', async () => {
    for (const [platform, id] of [
      ['tiktok', 'abc'],
      ['youtube', 'short'],
      ['instagram', 'bad/code'],
    ] as const) {
      const err = await rejection(at(NOW).getPost(platform, id));
      expect(err.kind).toBe('deleted');
    }
  });

  it('follows a posting habit: a steady weekly rate on favourite weekdays and hours', async () => {
    for (const platform of PLATFORMS) {
      for (const handle of ['habit.one', 'habit.two', 'habit.three']) {
        const posts = await allPosts(at(NOW), platform, handle, 500);
        const times = posts.map((x) => new Date(x.published_at));
        const weeks = (NOW - times[times.length - 1]!.getTime()) / (7 * DAY);
        expect(posts.length / weeks).toBeGreaterThanOrEqual(1);
        expect(posts.length / weeks).toBeLessThanOrEqual(16);
        const byDay = Array.from({ length: 7 }, (_, d) => times.filter((t) => t.getUTCDay() === d).length);
        expect(Math.max(...byDay) / posts.length).toBeGreaterThan(1.3 / 7);
        const byHour = Array.from({ length: 24 }, (_, h) => times.filter((t) => t.getUTCHours() === h).length);
        const top4 = [...byHour].sort((x, y) => y - x).slice(0, 4);
        expect(top4.reduce((sum, n) => sum + n, 0) / posts.length).toBeGreaterThan(0.4);
      }
    }
  });

  it('goes back about two years for most creators and less for newer ones', async () => {
    const years: number[] = [];
    for (let i = 0; i < 40; i++) {
      const posts = await allPosts(at(NOW), 'tiktok', `history${i}`, 1000);
      years.push((NOW - Date.parse(posts[posts.length - 1]!.published_at)) / (365 * DAY));
    }
    expect(Math.max(...years)).toBeLessThan(2.5);
    expect(median(years)).toBeGreaterThan(1.2);
    expect(Math.min(...years)).toBeLessThan(1);
  });

  it('has a few viral posts per creator, 5–50 times the median, for outlier detection to find', async () => {
    let settled = 0;
    let viral = 0;
    let biggest = 0;
    for (let i = 0; i < 30; i++) {
      const { posts } = await at(NOW).listPosts('tiktok', `viral${i}`, { limit: 120 });
      const views = posts.filter((x) => Date.parse(x.published_at) < NOW - 14 * DAY).map((x) => x.views as number);
      const m = median(views);
      settled += views.length;
      viral += views.filter((v) => v >= 5 * m).length;
      biggest = Math.max(biggest, ...views.map((v) => v / m));
    }
    expect(viral / settled).toBeGreaterThan(0.01);
    expect(viral / settled).toBeLessThan(0.1);
    expect(biggest).toBeGreaterThan(15);
    expect(biggest).toBeLessThan(200);
  });

  it('keeps engagement plausible: comments ≤ likes ≤ views, shares and bookmarks a small share of views', async () => {
    await fc.assert(
      fc.asyncProperty(platformArb, handleArb, async (platform, handle) => {
        const { posts } = await at(NOW).listPosts(platform, handle, { limit: 30 });
        for (const post of posts) {
          const views = post.views as number;
          expect(post.likes).toBeLessThanOrEqual(views);
          expect(post.comments).toBeLessThanOrEqual(post.likes as number);
          expect(post.shares ?? 0).toBeLessThanOrEqual(views * 0.1);
          expect(post.bookmarks ?? 0).toBeLessThanOrEqual(views * 0.1);
          expect(Number.isInteger(views) && views >= 0).toBe(true);
        }
      }),
      { numRuns: 30 },
    );
  });

  it('draws hashtags from the creator’s themes, rare duets and stitches on TikTok, and plausible durations', async () => {
    const themes = ['comedy', 'cooking', 'fitness', 'tech', 'beauty', 'travel', 'gaming', 'finance'];
    const p = at(NOW);
    let tiktokPosts = 0;
    let remixes = 0;
    for (const platform of PLATFORMS) {
      for (let i = 0; i < 8; i++) {
        const handle = `themed${i}`;
        const profile = await p.getProfile(platform, handle);
        expect(themes).toContain(profile.category);
        const { posts } = await p.listPosts(platform, handle, { limit: 100 });
        const tags = new Set(posts.flatMap((x) => x.hashtags));
        expect(tags.has(profile.category as string)).toBe(true);
        expect(tags.size).toBeLessThanOrEqual(3 * 10 + 4);
        for (const post of posts) {
          const d = post.duration_seconds as number;
          if (platform === 'tiktok') expect(d >= 6 && d <= 600).toBe(true);
          if (platform === 'instagram') expect(d >= 5 && d <= 180).toBe(true);
          if (platform === 'youtube') expect(post.hashtags.includes('shorts') ? d <= 60 : d >= 120).toBe(true);
          expect(post.title).toEqual(expect.any(String));
          if (platform === 'tiktok') {
            tiktokPosts += 1;
            if (post.is_duet || post.is_stitch) remixes += 1;
            expect(post.is_duet && post.is_stitch).toBe(false);
          }
        }
      }
    }
    expect(remixes).toBeGreaterThan(0);
    expect(remixes / tiktokPosts).toBeLessThan(0.15);
  });
});

describe('SimulatedProvider: profiles', () => {
  it('describes creators: names, avatars, canonical URLs, declared country and language for most, verified if large', async () => {
    const p = at(NOW);
    const profiles = [];
    for (const platform of PLATFORMS) {
      for (let i = 0; i < 80; i++) profiles.push(await p.getProfile(platform, `meta${i}`));
    }
    for (const profile of profiles) {
      expect(profile.display_name.length).toBeGreaterThan(0);
      expect(profile.avatar_url).toMatch(/^https:\/\//);
      expect(profile.profile_url).toBe(profileUrlFor(profile.platform, profile.handle));
      for (const link of profile.external_links) expect(link).toMatch(/^https:\/\//);
      if (profile.language !== null)
        expect(['en', 'es', 'pt', 'fr', 'de', 'it', 'id', 'ja']).toContain(profile.language);
      if (profile.country !== null) expect(profile.country).toMatch(/^[A-Z]{2}$/);
    }
    const declared = profiles.filter((x) => x.country !== null).length / profiles.length;
    expect(declared).toBeGreaterThan(0.7);
    expect(declared).toBeLessThan(1);
    expect(profiles.some((x) => x.bio === null && x.country === null && x.language === null)).toBe(true);
    const followers = profiles.map((x) => x.followers as number);
    expect(Math.min(...followers)).toBeLessThan(5_000);
    expect(Math.max(...followers)).toBeGreaterThan(1_000_000);
    const large = profiles.filter((x) => (x.followers as number) >= 2_000_000);
    const small = profiles.filter((x) => (x.followers as number) < 10_000);
    expect(large.filter((x) => x.is_verified).length / large.length).toBeGreaterThan(0.5);
    expect(small.filter((x) => x.is_verified).length / small.length).toBeLessThan(0.1);
  });

  it('serves a YouTube channel by its id, with the id as platform_user_id and the /channel/ URL', async () => {
    const id = 'UCX6OQ3DkcsbYNE6H8uQQuVA';
    const profile = await at(NOW).getProfile('youtube', id);
    expect(profile).toMatchObject({
      platform_user_id: id,
      handle: id,
      profile_url: `https://www.youtube.com/channel/${id}`,
    });
    expect(typeof profile.subscribers).toBe('number');
  });

  it('fails a handle that cannot exist on the platform as deleted', async () => {
    expect((await rejection(at(NOW).getProfile('tiktok', 'no spaces allowed'))).kind).toBe('deleted');
    expect((await rejection(at(NOW).listPosts('instagram', 'explore', { limit: 5 }))).kind).toBe('deleted');
  });
});

describe('SimulatedProvider: comments', () => {
  const LANGUAGE_WORDS: Record<string, string[]> = {
    en: ['love', 'amazing', 'helpful', 'genius', 'legend', 'boring', 'clickbait', 'song', 'hilarious', 'watching'],
    es: ['encanta', 'eres', 'genial', 'buenísimo', 'crack', 'excelente', 'compraste', 'canción', 'aburrido', 'falso'],
    pt: ['amei', 'lindo', 'perfeito', 'maravilhoso', 'música', 'alguém', 'você', 'chato', 'horrível', 'lixo'],
    fr: ["j'adore", 'trop', 'magnifique', 'merci', 'parfait', 'musique', 'vraiment', 'nul', 'déteste', 'ennuyeux'],
    de: ['richtig', 'danke', 'großartig', 'bestes', 'perfekt', 'liebe', 'gekauft', 'welcher', 'langweilig', 'hasse'],
    it: [
      'bellissimo',
      'grazie',
      'fantastico',
      'migliore',
      'perfetto',
      'adoro',
      'canzone',
      'noioso',
      'schifo',
      'saluti',
    ],
    id: ['keren', 'mantap', 'bagus', 'suka', 'lucu', 'inspiratif', 'lagu', 'beli', 'membosankan', 'jelek'],
  };
  const languageOf = (text: string): string | null => {
    if (/[\u3040-\u30ff\u4e00-\u9fff]/u.test(text)) return 'ja';
    const words = new Set(text.toLowerCase().split(/[^\p{L}']+/u));
    return Object.keys(LANGUAGE_WORDS).find((lang) => LANGUAGE_WORDS[lang]!.some((w) => words.has(w))) ?? null;
  };

  async function sampleComments(count: number): Promise<Comment[]> {
    const p = at(NOW);
    const comments: Comment[] = [];
    for (let i = 0; i < count; i++) {
      const { posts } = await p.listPosts('tiktok', `fan${i}`, { limit: 10 });
      const top = [...posts].sort((a, b) => (b.comments as number) - (a.comments as number))[0];
      if (top) comments.push(...(await p.listComments('tiktok', top.platform_video_id, { limit: 60 })).comments);
    }
    return comments;
  }

  it('writes comments in many languages, mostly positive with some neutral and negative', async () => {
    const comments = await sampleComments(40);
    expect(comments.length).toBeGreaterThan(500);
    const languages = new Set(comments.map((c) => languageOf(c.text)));
    for (const lang of ['en', 'es', 'pt', 'fr', 'de', 'it', 'id', 'ja']) expect(languages).toContain(lang);
    const scores = comments.map((c) => commentTone(c.text).score);
    const share = (test: (s: number) => boolean) => scores.filter(test).length / scores.length;
    expect(share((s) => s > 0)).toBeGreaterThan(0.5);
    expect(share((s) => s < 0)).toBeGreaterThan(0.03);
    expect(share((s) => s < 0)).toBeLessThan(0.25);
    expect(share((s) => s === 0)).toBeGreaterThan(0.05);
    expect(new Set(comments.map((c) => c.author_handle)).size).toBeGreaterThan(comments.length / 3);
    for (const c of comments) expect(c.likes >= 0 && Number.isInteger(c.likes)).toBe(true);
  });

  it('gives each post as many comments as its count, newest first, each once, between publishing and now', async () => {
    const p = at(NOW);
    for (const platform of PLATFORMS) {
      const { posts } = await p.listPosts(platform, 'chatty.one', { limit: 30 });
      const withComments = posts.filter((x) => (x.comments as number) > 0 && (x.comments as number) <= 400);
      expect(withComments.length).toBeGreaterThan(0);
      for (const post of withComments.slice(0, 5)) {
        const comments = await allComments(p, platform, post.platform_video_id, 37);
        expect(comments).toHaveLength(post.comments as number);
        expect(new Set(comments.map((c) => c.id)).size).toBe(comments.length);
        const times = comments.map((c) => Date.parse(c.published_at));
        for (let i = 1; i < times.length; i++) expect(times[i]).toBeLessThanOrEqual(times[i - 1]!);
        expect(Math.min(...times)).toBeGreaterThanOrEqual(Date.parse(post.published_at));
        expect(Math.max(...times)).toBeLessThanOrEqual(NOW);
        expect(comments.every((c) => c.platform_video_id === post.platform_video_id)).toBe(true);
      }
    }
  });

  it('keeps a comment the same (apart from its likes) when read again later', async () => {
    const { posts } = await at(NOW).listPosts('youtube', 'chatty.one', { limit: 10 });
    const post = [...posts].sort((a, b) => (b.comments as number) - (a.comments as number))[0]!;
    const before = await allComments(at(NOW), 'youtube', post.platform_video_id);
    const after = await allComments(at(NOW + 10 * DAY), 'youtube', post.platform_video_id);
    const later = new Map(after.map((c) => [c.id, c]));
    for (const c of before) {
      expect(later.get(c.id)).toEqual({ ...c, likes: expect.any(Number) });
      expect(later.get(c.id)!.likes).toBeGreaterThanOrEqual(c.likes);
    }
  });

  it('gives small creators very few comments', async () => {
    const p = at(NOW);
    let small: string | null = null;
    for (let i = 0; i < 200 && small === null; i++) {
      if (((await p.getProfile('instagram', `small${i}`)).followers as number) < 2_000) small = `small${i}`;
    }
    expect(small).not.toBeNull();
    const { posts } = await p.listPosts('instagram', small as string, { limit: 10 });
    const total = posts.reduce((s, x) => s + (x.comments as number), 0);
    expect(total).toBeLessThan(20);
  });
});

describe('SimulatedProvider: faults', () => {
  it('rate-limits the next N calls with the platform’s Retry-After, then recovers', async () => {
    const p = at(NOW);
    p.setFault('tiktok', 'busy.one', { kind: 'rate_limited', retryAfterSeconds: 30, times: 2 });
    for (const call of [p.getProfile('tiktok', 'busy.one'), p.listPosts('tiktok', 'busy.one', { limit: 5 })]) {
      const err = await rejection(call);
      expect(err).toMatchObject({ kind: 'rate_limited', retryAfterSeconds: 30, permanent: false });
    }
    await expect(p.getProfile('tiktok', 'busy.one')).resolves.toMatchObject({ handle: 'busy.one' });
  });

  it('fails every call while an unavailable fault without times stands, until cleared', async () => {
    const p = at(NOW);
    p.setFault('youtube', '@Down.One', { kind: 'unavailable' });
    for (let i = 0; i < 5; i++) {
      expect((await rejection(p.getProfile('youtube', 'down.one'))).kind).toBe('unavailable');
    }
    await expect(p.getProfile('youtube', 'other.one')).resolves.toBeDefined();
    p.clearFaults();
    await expect(p.getProfile('youtube', 'down.one')).resolves.toBeDefined();
  });

  it('applies permanent faults per call as documented', async () => {
    const outcome = async (call: Promise<unknown>) => {
      try {
        const value = (await call) as { posts?: unknown[]; comments?: unknown[]; total_videos?: number };
        if (value.posts) return value.posts.length === 0 ? 'empty page' : 'ok';
        if (value.comments) return value.comments.length === 0 ? 'empty page' : 'ok';
        return value.total_videos === 0 ? 'no videos' : 'ok';
      } catch (err) {
        return (err as ProviderError).kind;
      }
    };
    const expected = {
      private: ['ok', 'private', 'private', 'private'],
      deleted: ['deleted', 'deleted', 'deleted', 'deleted'],
      blocked: ['blocked', 'blocked', 'blocked', 'blocked'],
      empty: ['no videos', 'empty page', 'ok', 'empty page'],
    };
    for (const [kind, want] of Object.entries(expected)) {
      const p = at(NOW);
      const handle = 'jane.cooks';
      const { posts } = await p.listPosts('tiktok', handle, { limit: 40 });
      const post = [...posts].sort((a, b) => (b.comments as number) - (a.comments as number))[0]!;
      p.setFault('tiktok', handle, { kind: kind as 'private' | 'deleted' | 'blocked' | 'empty' });
      const got = [
        await outcome(p.getProfile('tiktok', handle)),
        await outcome(p.listPosts('tiktok', handle, { limit: 5 })),
        await outcome(p.getPost('tiktok', post.platform_video_id)),
        await outcome(p.listComments('tiktok', post.platform_video_id, { limit: 5 })),
      ];
      expect([kind, ...got]).toEqual([kind, ...want]);
    }
  });

  it('applies a fault set on a video id to that video only', async () => {
    const p = at(NOW);
    const { posts } = await p.listPosts('instagram', 'jane.cooks', { limit: 2 });
    const [gone, kept] = posts as [Post, Post];
    p.setFault('instagram', gone.platform_video_id, { kind: 'deleted' });
    expect((await rejection(p.getPost('instagram', gone.platform_video_id))).kind).toBe('deleted');
    await expect(p.getPost('instagram', kept.platform_video_id)).resolves.toEqual(kept);
    await expect(p.getProfile('instagram', 'jane.cooks')).resolves.toBeDefined();
  });

  it('treats reserved handle prefixes as permanent faults, so they can be shown over HTTP', async () => {
    const p = at(NOW);
    const privateProfile = await p.getProfile('tiktok', 'private_jane');
    expect(privateProfile.total_videos).toBeGreaterThan(0);
    const priv = await rejection(p.listPosts('tiktok', 'private_jane', { limit: 5 }));
    expect(priv).toMatchObject({ kind: 'private', permanent: true });
    for (const kind of ['deleted', 'blocked'] as const) {
      const err = await rejection(p.getProfile('instagram', `${kind}_someone`));
      expect(err).toMatchObject({ kind, permanent: true });
      expect((await rejection(p.listPosts('instagram', `${kind}_someone`, { limit: 5 }))).kind).toBe(kind);
    }
    const empty = await p.getProfile('youtube', 'empty_bob');
    expect(empty).toMatchObject({ total_videos: 0, total_views: 0 });
    expect(await p.listPosts('youtube', 'empty_bob', { limit: 5 })).toEqual({ posts: [], next_cursor: null });
  });

  it('fails every call as unavailable at errorRate 1 and validates its options', async () => {
    const p = new SimulatedProvider({ errorRate: 1, now: () => new Date(NOW) });
    const err = await rejection(p.getProfile('tiktok', 'any.one'));
    expect(err).toMatchObject({ kind: 'unavailable', permanent: false });
    expect(() => new SimulatedProvider({ errorRate: 1.5 })).toThrow(RangeError);
    expect(() => new SimulatedProvider({ latencyMs: -1 })).toThrow(RangeError);
    expect(() => at(NOW).setFault('tiktok', 'x.y', { kind: 'unavailable', times: -1 })).toThrow(RangeError);
  });

  it('delays every call by latencyMs', async () => {
    jest.useFakeTimers();
    try {
      const p = new SimulatedProvider({ latencyMs: 250, now: () => new Date(NOW) });
      let done = false;
      const call = p.getProfile('tiktok', 'slow.one').then(() => {
        done = true;
      });
      await jest.advanceTimersByTimeAsync(249);
      expect(done).toBe(false);
      await jest.advanceTimersByTimeAsync(1);
      await call;
      expect(done).toBe(true);
    } finally {
      jest.useRealTimers();
    }
  });
});

describe('SimulatedProvider: audience accounts', () => {
  async function commentsOf(p: SimulatedProvider, platform: Platform, handles: string[], perPost = 100) {
    const comments: Comment[] = [];
    for (const handle of handles) {
      const { posts } = await p.listPosts(platform, handle, { limit: 5 });
      for (const post of posts) {
        comments.push(...(await p.listComments(platform, post.platform_video_id, { limit: perPost })).comments);
      }
    }
    return comments;
  }

  const uniqueAuthors = (comments: Comment[]) => [
    ...new Map(comments.map((c) => [c.author_handle, c.author!])).values(),
  ];

  it('gives every comment its author’s profile, the same across instances with the same seed', async () => {
    const [a, b] = [at(NOW), at(NOW)];
    const first = await commentsOf(a, 'instagram', ['jane.cooks', 'chatty.one']);
    const again = await commentsOf(b, 'instagram', ['jane.cooks', 'chatty.one']);
    expect(first.length).toBeGreaterThan(50);
    expect(again).toEqual(first);
    for (const c of first) {
      expect(Object.keys(c.author!).sort()).toEqual(['bio', 'handle', 'location', 'pronouns']);
      expect(c.author!.handle).toBe(c.author_handle);
      for (const field of [c.author!.location, c.author!.pronouns, c.author!.bio]) {
        expect(field === null || (typeof field === 'string' && field.trim() !== '')).toBe(true);
      }
    }
    const otherSeed = await commentsOf(at(NOW, { seed: 'other' }), 'instagram', ['jane.cooks']);
    expect(otherSeed.map((c) => c.author)).not.toEqual(first.slice(0, otherSeed.length).map((c) => c.author));
  });

  it('exposes location, pronouns and bio (some with an age cue) at the documented rates', async () => {
    const p = at(NOW);
    const fans = Array.from({ length: 25 }, (_, i) => `fan${i}`);
    for (const platform of PLATFORMS) {
      const accounts = uniqueAuthors(await commentsOf(p, platform, fans));
      expect(accounts.length).toBeGreaterThan(700);
      const share = (test: (a: (typeof accounts)[number]) => boolean) => accounts.filter(test).length / accounts.length;
      expect(share((a) => a.location !== null)).toBeGreaterThan(0.45);
      expect(share((a) => a.location !== null)).toBeLessThan(0.65);
      expect(share((a) => a.pronouns !== null)).toBeGreaterThan(0.25);
      expect(share((a) => a.pronouns !== null)).toBeLessThan(0.45);
      expect(share((a) => a.bio !== null)).toBeGreaterThan(0.5);
      expect(share((a) => a.bio !== null)).toBeLessThan(0.7);
      // the fillers carry no digits: a digit in a bio is an age cue ("19 | uni life", "est. 1988", "mom of 2")
      const bios = accounts.filter((a) => a.bio !== null);
      const cued = bios.filter((a) => /\d/.test(a.bio!)).length / bios.length;
      expect(cued).toBeGreaterThan(0.3);
      expect(cued).toBeLessThan(0.5);
      for (const a of accounts)
        if (a.pronouns !== null) expect(a.pronouns).toMatch(/^(she|he|they)\/(her|him|them|they)$/i);
      const formats = new Set(accounts.map((a) => a.location).filter((l): l is string => l !== null));
      expect([...formats].some((l) => /^📍/u.test(l))).toBe(true);
      expect([...formats].some((l) => /\p{Regional_Indicator}/u.test(l))).toBe(true);
      expect([...formats].some((l) => /, [A-Z]{2}$/.test(l))).toBe(true);
    }
  });

  it('keeps a commenter’s hidden truth consistent with what they wrote and where they say they are', async () => {
    const p = at(NOW);
    let consistent = 0;
    let total = 0;
    for (const handle of ['fan1', 'fan2', 'fan3', 'fan4']) {
      for (const c of await commentsOf(p, 'tiktok', [handle])) {
        // read right away: namesakes writing in another language ("itschloe" in English and in French) are other
        // people, and the truth lookup holds the latest one served
        const truth = p.audienceTruth('tiktok', c.author_handle);
        expect(truth).toBeDefined();
        const langs = commentTemplateLanguages(c.text);
        expect(langs.length).toBeGreaterThan(0);
        total += 1;
        if (langs.includes(truth!.language)) consistent += 1;
        expect(truth!.age).toBeGreaterThanOrEqual(13);
      }
    }
    expect(total).toBeGreaterThan(300);
    expect(consistent / total).toBeGreaterThan(0.98);
    const ages: Record<Platform, number[]> = { tiktok: [], youtube: [], instagram: [] };
    for (const platform of PLATFORMS) {
      for (const c of await commentsOf(p, platform, ['fan5', 'fan6', 'fan7', 'fan8', 'fan9'])) {
        ages[platform].push(p.audienceTruth(platform, c.author_handle)!.age);
      }
    }
    expect(median(ages.tiktok)).toBeLessThan(median(ages.instagram));
    expect(median(ages.instagram)).toBeLessThanOrEqual(median(ages.youtube));
  });

  async function allFollowers(p: SimulatedProvider, handle: string, limit: number) {
    const accounts: AudienceAccount[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await p.listFollowers('tiktok', handle, { limit, cursor });
      expect(page.accounts.length).toBeLessThanOrEqual(limit);
      accounts.push(...page.accounts);
      cursor = page.next_cursor;
      pages += 1;
    } while (cursor !== null);
    return { accounts, pages };
  }

  it('pages through a TikTok creator’s followers, each once, deterministically, at most 5000', async () => {
    const p = at(NOW);
    let small: string | null = null;
    for (let i = 0; i < 200 && small === null; i++) {
      if (((await p.getProfile('tiktok', `small${i}`)).followers as number) < 1_500) small = `small${i}`;
    }
    const followers = (await p.getProfile('tiktok', small!)).followers as number;
    const { accounts } = await allFollowers(p, small!, 97);
    expect(accounts).toHaveLength(followers);
    expect(new Set(accounts.map((a) => a.handle)).size).toBe(accounts.length);
    expect((await allFollowers(at(NOW), small!, 250)).accounts).toEqual(accounts);

    const big = await allFollowers(p, 'chatty.one', 1000);
    expect((await p.getProfile('tiktok', 'chatty.one')).followers).toBeGreaterThan(5000);
    expect(big.accounts).toHaveLength(5000);
    expect(new Set(big.accounts.map((a) => a.handle)).size).toBe(5000);
    const located = big.accounts.filter((a) => a.location !== null).length / big.accounts.length;
    expect(located).toBeGreaterThan(0.4);
    expect(located).toBeLessThan(0.6);
  });

  it('keeps a follower cursor valid while new followers arrive', async () => {
    const [now, later] = [at(NOW), at(NOW + 3 * DAY)];
    const growing = ['grower1', 'grower2', 'grower3', 'grower4'];
    const followers = async (p: SimulatedProvider, h: string) => (await p.getProfile('tiktok', h)).followers as number;
    let handle: string | undefined;
    for (const h of growing)
      if (handle === undefined && (await followers(later, h)) > (await followers(now, h))) handle = h;
    const first = await now.listFollowers('tiktok', handle!, { limit: 20 });
    const next = await later.listFollowers('tiktok', handle!, { limit: 20, cursor: first.next_cursor });
    const fresh = await later.listFollowers('tiktok', handle!, { limit: 5000 });
    const handles = fresh.accounts.map((a) => a.handle);
    const lastOfFirst = handles.indexOf(first.accounts[19]!.handle);
    expect(lastOfFirst).toBeGreaterThanOrEqual(19);
    expect(next.accounts.map((a) => a.handle)).toEqual(handles.slice(lastOfFirst + 1, lastOfFirst + 21));
  });

  it('refuses follower lists on Instagram and YouTube as blocked', async () => {
    for (const platform of ['instagram', 'youtube'] as const) {
      const err = await rejection(at(NOW).listFollowers(platform, 'jane.cooks', { limit: 10 }));
      expect(err).toMatchObject({ kind: 'blocked', permanent: true });
      expect(err.message).toMatch(/does not expose follower lists/);
    }
  });

  it('applies faults and reserved handles to follower lists like to posts', async () => {
    const p = at(NOW);
    for (const kind of ['private', 'deleted', 'blocked'] as const) {
      expect((await rejection(p.listFollowers('tiktok', `${kind}_fan`, { limit: 5 }))).kind).toBe(kind);
    }
    expect(await p.listFollowers('tiktok', 'empty_fan', { limit: 5 })).toEqual({ accounts: [], next_cursor: null });
    p.setFault('tiktok', 'busy.fan', { kind: 'rate_limited', retryAfterSeconds: 9, times: 1 });
    expect(await rejection(p.listFollowers('tiktok', 'busy.fan', { limit: 5 }))).toMatchObject({
      kind: 'rate_limited',
      retryAfterSeconds: 9,
    });
    expect((await p.listFollowers('tiktok', 'busy.fan', { limit: 5 })).accounts).toHaveLength(5);
    await expect(p.listFollowers('tiktok', 'x.y', { limit: 0 })).rejects.toThrow(RangeError);
    await expect(p.listFollowers('tiktok', 'x.y', { limit: 5, cursor: 'nope' })).rejects.toThrow(RangeError);
  });

  it('gives silent_ creators posts without comments or followers, and a profile that declares itself', async () => {
    const p = at(NOW);
    for (const platform of PLATFORMS) {
      for (const handle of ['silent_one', 'silent_two', 'silent_three']) {
        const profile = await p.getProfile(platform, handle);
        expect(profile.country).toMatch(/^[A-Z]{2}$/);
        expect(profile.language).toMatch(/^[a-z]{2}$/);
        expect(profile.bio).toEqual(expect.any(String));
        const posts = await allPosts(p, platform, handle);
        expect(posts.length).toBe(profile.total_videos);
        expect(posts.length).toBeGreaterThan(0);
        expect(posts.every((x) => x.comments === 0)).toBe(true);
        expect(posts.some((x) => (x.views as number) > 0)).toBe(true);
        const page = await p.listComments(platform, posts[0]!.platform_video_id, { limit: 50 });
        expect(page).toEqual({ comments: [], next_cursor: null });
        expect((await p.getPost(platform, posts[0]!.platform_video_id)).comments).toBe(0);
      }
    }
    expect(await p.listFollowers('tiktok', 'silent_one', { limit: 50 })).toEqual({ accounts: [], next_cursor: null });
  });

  it('gives quiet handles a bare profile, and empty_quiet ones no posts either', async () => {
    const p = at(NOW);
    for (const platform of PLATFORMS) {
      for (const handle of ['quiet1', 'quiet78', 'empty_quiet', 'silent_quiet']) {
        const profile = await p.getProfile(platform, handle);
        expect(profile).toMatchObject({ bio: null, country: null, language: null, external_links: [] });
      }
      expect((await p.getProfile(platform, 'empty_quiet')).total_videos).toBe(0);
      expect((await p.getProfile(platform, 'quiet1')).total_videos).toBeGreaterThan(0);
    }
  });
});
