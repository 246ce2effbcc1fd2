import { ProviderError, type Platform, type SoundVideo } from '../../domain/platform';
import { DAY_MS as DAY } from '../../domain/time';
import { SimulatedProvider } from '../../providers/simulated';
import { planSound, RESERVED_SOUND_ID_SUFFIXES, soundIdKind, SOUND_SIZES } from '../../providers/simulated-sounds';

const NOW = Date.parse('2026-06-15T12:00:00.000Z');
/** launched 2025-11-09 (its upper 32 bits), comes back in May 2026 */
const SOUND = '7570679470014532374';
/** a licensed track ("Crystal Rush") */
const LICENSED = '7570679470014510037';
const TINY = '7570679470014530001';
const HUGE = '7450000000000000002';

const at = (ms: number, options: { seed?: string } = {}) =>
  new SimulatedProvider({ ...options, now: () => new Date(ms) });

/** a music id whose upper 32 bits hold `ms` */
const idAt = (ms: number, low: number) => ((BigInt(Math.floor(ms / 1000)) << 32n) | BigInt(low)).toString();

async function allVideos(p: SimulatedProvider, musicId: string, limit = 30): Promise<SoundVideo[]> {
  const videos: SoundVideo[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const page = await p.listSoundVideos('tiktok', musicId, { limit, cursor });
    expect(page.videos.length).toBeLessThanOrEqual(limit);
    videos.push(...page.videos);
    cursor = page.next_cursor;
    pages += 1;
    if (pages > 1000) throw new Error('the listing does not end');
  } while (cursor !== null);
  return videos;
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

describe('simulated sounds', () => {
  it('gives the same sound and the same pages for the same id, seed and clock', async () => {
    const a = at(NOW);
    const b = at(NOW);
    expect(await a.getSound('tiktok', SOUND)).toEqual(await b.getSound('tiktok', SOUND));
    const first = await a.listSoundVideos('tiktok', SOUND, { limit: 25 });
    expect(await b.listSoundVideos('tiktok', SOUND, { limit: 25 })).toEqual(first);
    expect(await b.listSoundVideos('tiktok', SOUND, { limit: 25, cursor: first.next_cursor })).toEqual(
      await a.listSoundVideos('tiktok', SOUND, { limit: 25, cursor: first.next_cursor }),
    );
    // another seed is another world
    const other = await at(NOW, { seed: 'elsewhere' }).listSoundVideos('tiktok', SOUND, { limit: 25 });
    expect(other.videos.map((v) => v.platform_video_id)).not.toEqual(first.videos.map((v) => v.platform_video_id));
  });

  it.each([
    ['an original sound', SOUND, true],
    ['a licensed track', LICENSED, false],
  ])('describes %s', async (_, id, original) => {
    const sound = await at(NOW).getSound('tiktok', id);
    const { total } = await at(NOW).listSoundVideos('tiktok', id, { limit: 1 });
    expect(sound).toMatchObject({ platform: 'tiktok', music_id: id, is_original: original });
    expect(sound.created_at).toBe(new Date(Number(BigInt(id) >> 32n) * 1000).toISOString());
    expect(sound.title.length).toBeGreaterThan(0);
    expect(sound.url).toMatch(new RegExp(`^https://www\\.tiktok\\.com/music/[a-z0-9-]+-${id}$`));
    expect(sound.duration_seconds).toBeGreaterThan(0);
    expect(sound.cover_url).toMatch(/^https:\/\//);
    expect(sound.play_url).toMatch(/^https:\/\//);
    // the platform's count includes videos a listing does not reach
    expect(sound.video_count).toBeGreaterThan(total!);
    if (sound.is_original) {
      expect(sound.owner_handle).not.toBeNull();
      expect(sound.is_commerce).toBe(false);
      const owner = await at(NOW).getProfile('tiktok', sound.owner_handle!);
      expect(sound.author_name).toBe(owner.display_name);
    } else {
      expect(sound.owner_handle).toBeNull();
      expect(sound.author_name).not.toBeNull();
    }
  });

  it('pages through every video once, most popular first, and ends', async () => {
    const p = at(NOW);
    const videos = await allVideos(p, SOUND, 37);
    const { total } = await p.listSoundVideos('tiktok', SOUND, { limit: 1 });
    expect(videos).toHaveLength(total!);
    expect(total).toBeGreaterThanOrEqual(100);
    expect(new Set(videos.map((v) => v.platform_video_id)).size).toBe(videos.length);
    // one big page is the same list
    const whole = await p.listSoundVideos('tiktok', SOUND, { limit: 5000 });
    expect(whole.next_cursor).toBeNull();
    expect(whole.videos.map((v) => v.platform_video_id)).toEqual(videos.map((v) => v.platform_video_id));
    for (const v of videos) {
      expect(v.music_id).toBe(SOUND);
      expect(Date.parse(v.published_at)).toBeLessThanOrEqual(NOW);
      expect(Date.parse(v.published_at)).toBeGreaterThanOrEqual(Date.parse('2025-11-09T11:02:53.000Z'));
      expect(v.url).toBe(`https://www.tiktok.com/@${v.author_handle}/video/${v.platform_video_id}`);
      expect(v.author_followers).toBeGreaterThan(0);
      expect(v.duration_seconds).toBeGreaterThan(0);
      expect(typeof v.is_commerce_music).toBe('boolean');
    }
    // the head of the list outsells its tail
    const head = videos.slice(0, 10).reduce((a, v) => a + v.views!, 0);
    const tail = videos.slice(-10).reduce((a, v) => a + v.views!, 0);
    expect(head).toBeGreaterThan(tail);
  });

  it('keeps a cursor valid as the clock moves: nothing is served twice', async () => {
    const early = Date.parse('2025-12-01T00:00:00.000Z');
    const first = await at(early).listSoundVideos('tiktok', SOUND, { limit: 40 });
    const later = at(early + 200 * DAY);
    const rest: SoundVideo[] = [];
    let cursor = first.next_cursor;
    while (cursor !== null) {
      const page = await later.listSoundVideos('tiktok', SOUND, { limit: 40, cursor });
      rest.push(...page.videos);
      cursor = page.next_cursor;
    }
    const seen = new Set(first.videos.map((v) => v.platform_video_id));
    for (const v of rest) expect(seen.has(v.platform_video_id)).toBe(false);
    expect(new Set(rest.map((v) => v.platform_video_id)).size).toBe(rest.length);
    // more videos exist later than earlier
    const { total: before } = await at(early).listSoundVideos('tiktok', SOUND, { limit: 1 });
    const { total: after } = await later.listSoundVideos('tiktok', SOUND, { limit: 1 });
    expect(after!).toBeGreaterThan(before!);
  });

  it('has creators who use the sound several times, so counting creators needs deduplication', async () => {
    for (const id of [SOUND, HUGE, '12345', '7400000000000123456']) {
      const videos = await allVideos(at(NOW), id, 100);
      const perAuthor = new Map<string, number>();
      for (const v of videos) perAuthor.set(v.author_handle, (perAuthor.get(v.author_handle) ?? 0) + 1);
      const repeated = [...perAuthor.values()].filter((n) => n >= 2);
      expect(repeated.length).toBeGreaterThanOrEqual(1);
      expect(Math.max(...perAuthor.values())).toBeGreaterThanOrEqual(3);
      // yet most creators are many
      expect(perAuthor.size).toBeGreaterThan(videos.length / 2);
    }
  });

  it('agrees with getPost on each video and getProfile on each author', async () => {
    const p = at(NOW);
    const { videos } = await p.listSoundVideos('tiktok', SOUND, { limit: 15 });
    const fresh = at(NOW);
    for (const v of videos) {
      const post = await fresh.getPost('tiktok', v.platform_video_id);
      expect(post).toMatchObject({
        views: v.views,
        likes: v.likes,
        comments: v.comments,
        shares: v.shares,
        published_at: v.published_at,
        duration_seconds: v.duration_seconds,
        hashtags: v.hashtags,
      });
      // the instance that listed the video knows its author, as after listPosts
      expect((await p.getPost('tiktok', v.platform_video_id)).url).toBe(v.url);
      const profile = await fresh.getProfile('tiktok', v.author_handle);
      expect(profile.followers).toBe(v.author_followers);
      expect(profile.is_verified).toBe(v.author_is_verified);
      expect(profile.display_name).toBe(v.author_display_name);
      expect(profile.platform_user_id).toBe(v.author_user_id);
    }
  });

  it('has a bursty history: a launch that decays, and for some sounds a resurgence', () => {
    const weekly = (id: string) => {
      const plan = planSound('simulated', id)!;
      const counts = new Map<number, number>();
      for (const u of plan.uses) {
        const w = Math.floor((u.seconds * 1000 - plan.launchMs) / (7 * DAY));
        counts.set(w, (counts.get(w) ?? 0) + 1);
      }
      return { plan, counts };
    };
    let resurging = 0;
    for (let k = 0; k < 40; k++) {
      const id = idAt(Date.UTC(2024, 0, 1) + k * 9 * DAY, 1000 + k);
      const { plan, counts } = weekly(id);
      const total = plan.uses.length;
      // the launch: the first four weeks hold far more than their share of the sound's ~77 weeks
      const launch = [0, 1, 2, 3].reduce((a, w) => a + (counts.get(w) ?? 0), 0);
      expect(launch).toBeGreaterThan(total * 0.25);
      // and it decays: the first week outdoes the eighth
      expect(counts.get(0) ?? 0).toBeGreaterThan(counts.get(7) ?? 0);
      if (plan.resurgenceMs === null) continue;
      const rw = Math.floor((plan.resurgenceMs - plan.launchMs) / (7 * DAY));
      if (rw < 16) continue; // too close to the launch to tell apart
      resurging += 1;
      const around = [rw - 2, rw - 1, rw, rw + 1, rw + 2].reduce((a, w) => a + (counts.get(w) ?? 0), 0);
      const trough = [rw - 7, rw - 6, rw - 5, rw - 4, rw - 3].reduce((a, w) => a + (counts.get(w) ?? 0), 0);
      expect(around).toBeGreaterThan(3 * trough + 5);
    }
    expect(resurging).toBeGreaterThanOrEqual(3);
  });

  it('treats reserved endings, malformed ids and future sounds as documented', async () => {
    const p = at(NOW);
    expect(RESERVED_SOUND_ID_SUFFIXES['0000']).toBe('deleted');
    for (const id of ['7570679470014530000', 'not-a-number', '', '123456789012345678901']) {
      expect(await rejection(p.getSound('tiktok', id))).toMatchObject({ kind: 'deleted', permanent: true });
      expect(await rejection(p.listSoundVideos('tiktok', id, { limit: 5 }))).toMatchObject({ kind: 'deleted' });
    }
    expect(soundIdKind('7570679470014530000')).toBe('deleted');
    expect(soundIdKind('x')).toBeNull();
    // a sound created after now does not exist yet
    const future = idAt(NOW + 30 * DAY, 42);
    expect(await rejection(p.getSound('tiktok', future))).toMatchObject({ kind: 'deleted' });
    expect((await at(NOW + 60 * DAY).getSound('tiktok', future)).music_id).toBe(future);

    const tiny = await allVideos(p, TINY, 50);
    expect(tiny.length).toBeGreaterThanOrEqual(1);
    expect(tiny.length).toBeLessThanOrEqual(SOUND_SIZES.tiny[1]);
    const huge = await p.listSoundVideos('tiktok', HUGE, { limit: 1 });
    expect(huge.total).toBeGreaterThan(500);
  });

  it('refuses sounds on Instagram and YouTube as blocked', async () => {
    for (const platform of ['youtube', 'instagram'] as Platform[]) {
      expect(await rejection(at(NOW).getSound(platform, SOUND))).toMatchObject({ kind: 'blocked', permanent: true });
      expect(await rejection(at(NOW).listSoundVideos(platform, SOUND, { limit: 5 }))).toMatchObject({
        kind: 'blocked',
      });
    }
  });

  it('honours faults set on a music id, and checks its arguments', async () => {
    const p = at(NOW);
    p.setFault('tiktok', SOUND, { kind: 'rate_limited', retryAfterSeconds: 7, times: 1 });
    expect(await rejection(p.listSoundVideos('tiktok', SOUND, { limit: 5 }))).toMatchObject({
      kind: 'rate_limited',
      retryAfterSeconds: 7,
      permanent: false,
    });
    expect((await p.listSoundVideos('tiktok', SOUND, { limit: 5 })).videos).toHaveLength(5);
    p.setFault('tiktok', SOUND, { kind: 'blocked' });
    expect(await rejection(p.getSound('tiktok', SOUND))).toMatchObject({ kind: 'blocked' });
    p.setFault('tiktok', SOUND, { kind: 'empty' });
    expect(await p.listSoundVideos('tiktok', SOUND, { limit: 5 })).toEqual({ videos: [], next_cursor: null, total: 0 });
    expect((await p.getSound('tiktok', SOUND)).video_count).toBe(0);
    p.clearFaults();
    await expect(p.listSoundVideos('tiktok', SOUND, { limit: 0 })).rejects.toThrow(RangeError);
    await expect(p.listSoundVideos('tiktok', SOUND, { limit: 5, cursor: 'nope' })).rejects.toThrow(RangeError);
  });
});

describe('recent videos for an outlier analysis', () => {
  it('lists a creator’s ~100 most recent videos in one call', async () => {
    const p = at(NOW);
    for (const handle of ['jane.cooks', 'mike_lifts', 'techtalk.daily']) {
      const page = await p.listPosts('tiktok', handle, { limit: 100 });
      const profile = await p.getProfile('tiktok', handle);
      expect(page.posts).toHaveLength(Math.min(100, profile.total_videos!));
      const times = page.posts.map((post) => Date.parse(post.published_at));
      expect([...times].sort((a, b) => b - a)).toEqual(times);
    }
  });
});
