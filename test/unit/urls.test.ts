import fc from 'fast-check';
import type { Platform } from '../../domain/platform';
import {
  INSTAGRAM_RESERVED_PATHS,
  InvalidInputError,
  MAX_URL_LENGTH,
  normalizeHandle,
  parseProfileUrl,
  parseVideoUrl,
  profileUrlFor,
  videoUrlFor,
  type InvalidInputCode,
} from '../../domain/urls';

const CHANNEL_ID = 'UCX6OQ3DkcsbYNE6H8uQQuVA';

function failure(run: () => unknown): InvalidInputError {
  try {
    run();
  } catch (err) {
    if (err instanceof InvalidInputError) return err;
    throw err;
  }
  throw new Error('expected an InvalidInputError, but nothing was thrown');
}

const handleArb: Record<Platform, fc.Arbitrary<string>> = {
  tiktok: fc.stringMatching(/^[a-z0-9_.]{2,24}$/).filter((h) => /[a-z0-9]/.test(h)),
  instagram: fc
    .stringMatching(/^[a-z0-9_.]{1,30}$/)
    .filter((h) => /[a-z0-9]/.test(h) && !INSTAGRAM_RESERVED_PATHS.has(h)),
  youtube: fc.stringMatching(/^[a-z0-9_.-]{3,30}$/).filter((h) => /[a-z0-9]/.test(h)),
};
const platformArb = fc.constantFrom<Platform>('tiktok', 'youtube', 'instagram');
const platformAndHandle = platformArb.chain((platform) => handleArb[platform].map((handle) => ({ platform, handle })));

describe('parseProfileUrl', () => {
  it.each([
    ['https://www.tiktok.com/@khaby.lame', 'tiktok', 'khaby.lame'],
    ['https://tiktok.com/@Khaby.Lame?lang=en', 'tiktok', 'khaby.lame'],
    ['https://m.tiktok.com/@khaby.lame/', 'tiktok', 'khaby.lame'],
    ['www.tiktok.com/@khaby.lame', 'tiktok', 'khaby.lame'],
    ['  http://tiktok.com/@khaby.lame#top  ', 'tiktok', 'khaby.lame'],
    ['https://youtube.com/@MrBeast', 'youtube', 'mrbeast'],
    ['https://www.youtube.com/@mrbeast/videos', 'youtube', 'mrbeast'],
    ['https://m.youtube.com/@mr-beast.6000?si=abc', 'youtube', 'mr-beast.6000'],
    ['https://www.instagram.com/natgeo/', 'instagram', 'natgeo'],
    ['https://instagram.com/NatGeo', 'instagram', 'natgeo'],
    ['https://m.instagram.com/nat.geo_/?hl=en', 'instagram', 'nat.geo_'],
    ['https://www.instagram.com/natgeo/reels/', 'instagram', 'natgeo'],
  ])('reads %s as a %s handle', (url, platform, handle) => {
    expect(parseProfileUrl(url)).toEqual({ kind: 'handle', platform, handle });
  });

  it('reads a YouTube /channel/ URL as a channel id, keeping its case, also as the handle', () => {
    expect(parseProfileUrl(`https://www.youtube.com/channel/${CHANNEL_ID}/videos?view=0`)).toEqual({
      kind: 'channel',
      platform: 'youtube',
      channelId: CHANNEL_ID,
      handle: CHANNEL_ID,
    });
  });

  it.each<[string, InvalidInputCode]>([
    ['https://www.instagram.com/p/CabcDEF123/', 'not_a_profile'],
    ['https://www.instagram.com/reel/CabcDEF123/', 'not_a_profile'],
    ['https://www.instagram.com/reels/CabcDEF123/', 'not_a_profile'],
    ['https://www.instagram.com/natgeo/reel/CabcDEF123/', 'not_a_profile'],
    ['https://www.instagram.com/explore/', 'not_a_profile'],
    ['https://www.instagram.com/explore/tags/cats/', 'not_a_profile'],
    ['https://www.instagram.com/stories/natgeo/3141592653/', 'not_a_profile'],
    ['https://www.instagram.com/', 'not_a_profile'],
    ['https://www.tiktok.com/', 'not_a_profile'],
    ['https://www.tiktok.com/discover/cats', 'not_a_profile'],
    ['https://www.tiktok.com/@khaby.lame/video/7234567890123456789', 'not_a_profile'],
    ['https://www.youtube.com/watch?v=dQw4w9WgXcQ', 'not_a_profile'],
    ['https://youtu.be/dQw4w9WgXcQ', 'not_a_profile'],
    ['https://www.youtube.com/c/MrBeast', 'not_a_profile'],
    ['https://www.youtube.com/channel/not-a-channel-id', 'not_a_profile'],
    ['https://www.tiktok.com/@', 'invalid_handle'],
    ['https://www.tiktok.com/@a', 'invalid_handle'],
    ['https://www.tiktok.com/@bad!name', 'invalid_handle'],
    ['https://www.tiktok.com/@khaby-lame', 'invalid_handle'],
    ['https://example.com/@khaby.lame', 'unsupported_host'],
    ['https://tiktok.com.evil.example/@khaby.lame', 'unsupported_host'],
    ['https://vm.tiktok.com/ZMabc123/', 'unsupported_host'],
    ['javascript:alert(1)', 'unsupported_scheme'],
    ['JavaScript://www.tiktok.com/@khaby.lame', 'unsupported_scheme'],
    ['ftp://tiktok.com/@khaby.lame', 'unsupported_scheme'],
    ['data:text/html,<script>alert(1)</script>', 'unsupported_scheme'],
    ['https://user:pw@tiktok.com/@khaby.lame', 'invalid_url'],
    ['https://tiktok.com:8443/@khaby.lame', 'invalid_url'],
    ['https://www.tiktok.com/@%E0%A4%A', 'invalid_url'],
    ['', 'invalid_url'],
    ['   ', 'invalid_url'],
  ])('rejects %s as %s with a message for the caller', (url, code) => {
    const err = failure(() => parseProfileUrl(url));
    expect(err).toMatchObject({ field: 'url', code });
    expect(err.message).toMatch(/^[A-Z"]/);
    expect(err.message.length).toBeLessThan(200);
  });

  it(`rejects a URL over ${MAX_URL_LENGTH} characters as too_long before reading it`, () => {
    const url = `https://www.tiktok.com/@${'a'.repeat(MAX_URL_LENGTH)}`;
    expect(failure(() => parseProfileUrl(url))).toMatchObject({ field: 'url', code: 'too_long' });
    expect(parseProfileUrl(url.slice(0, 24 + 24))).toMatchObject({ platform: 'tiktok' });
  });

  it('answers any input with a profile or an InvalidInputError, nothing else', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.webUrl(), fc.constantFrom('https://www.tiktok.com/@', 'instagram.com/')),
        (input) => {
          try {
            const ref = parseProfileUrl(input);
            expect(normalizeHandle(ref.platform, ref.handle)).toBe(ref.handle);
          } catch (err) {
            expect(err).toBeInstanceOf(InvalidInputError);
          }
        },
      ),
    );
  });

  it('reads back the handle of every canonical profile URL, whatever the case and @ it was given with', () => {
    fc.assert(
      fc.property(platformAndHandle, fc.boolean(), ({ platform, handle }, shout) => {
        const given = shout ? `@${handle.toUpperCase()}` : handle;
        expect(parseProfileUrl(profileUrlFor(platform, given))).toEqual({ kind: 'handle', platform, handle });
      }),
    );
  });
});

describe('parseVideoUrl', () => {
  const tiktokId = '7234567890123456789';
  const ytId = 'dQw4w9WgXcQ';
  const igId = 'C1a2B3c4D5e';

  it.each([
    [
      `https://www.tiktok.com/@Khaby.Lame/video/${tiktokId}?is_from_webapp=1`,
      'tiktok',
      tiktokId,
      `https://www.tiktok.com/@khaby.lame/video/${tiktokId}`,
      'khaby.lame',
    ],
    [
      `m.tiktok.com/@khaby.lame/video/${tiktokId}/`,
      'tiktok',
      tiktokId,
      `https://www.tiktok.com/@khaby.lame/video/${tiktokId}`,
      'khaby.lame',
    ],
    [`https://www.youtube.com/watch?v=${ytId}&t=42s`, 'youtube', ytId, `https://www.youtube.com/watch?v=${ytId}`, null],
    [
      `https://m.youtube.com/watch?feature=share&v=${ytId}`,
      'youtube',
      ytId,
      `https://www.youtube.com/watch?v=${ytId}`,
      null,
    ],
    [`https://youtu.be/${ytId}?si=Ab12`, 'youtube', ytId, `https://www.youtube.com/watch?v=${ytId}`, null],
    [`https://youtube.com/shorts/${ytId}`, 'youtube', ytId, `https://www.youtube.com/watch?v=${ytId}`, null],
    [`https://www.youtube.com/live/${ytId}`, 'youtube', ytId, `https://www.youtube.com/watch?v=${ytId}`, null],
    [`https://www.youtube.com/embed/${ytId}`, 'youtube', ytId, `https://www.youtube.com/watch?v=${ytId}`, null],
    [`https://www.instagram.com/reel/${igId}/`, 'instagram', igId, `https://www.instagram.com/reel/${igId}/`, null],
    [`https://instagram.com/reels/${igId}`, 'instagram', igId, `https://www.instagram.com/reel/${igId}/`, null],
    [`https://www.instagram.com/p/${igId}/?igsh=xyz`, 'instagram', igId, `https://www.instagram.com/p/${igId}/`, null],
    [
      `https://www.instagram.com/NatGeo/reel/${igId}/`,
      'instagram',
      igId,
      `https://www.instagram.com/reel/${igId}/`,
      'natgeo',
    ],
  ])('reads %s', (url, platform, platformVideoId, canonicalUrl, authorHandle) => {
    expect(parseVideoUrl(url)).toEqual({ platform, platformVideoId, canonicalUrl, authorHandle });
  });

  it.each<[string, InvalidInputCode]>([
    ['https://www.tiktok.com/@khaby.lame', 'not_a_video'],
    ['https://www.tiktok.com/@khaby.lame/video/abc', 'not_a_video'],
    [`https://www.tiktok.com/@khaby.lame/photo/${tiktokId}`, 'not_a_video'],
    [`https://www.tiktok.com/@khaby.lame/video/${tiktokId}/extra`, 'not_a_video'],
    [`https://www.tiktok.com/@x/video/${tiktokId}`, 'invalid_handle'],
    ['https://www.youtube.com/watch', 'not_a_video'],
    ['https://www.youtube.com/watch?v=tooShort', 'not_a_video'],
    ['https://www.youtube.com/@mrbeast', 'not_a_video'],
    ['https://youtu.be/', 'not_a_video'],
    ['https://www.instagram.com/natgeo/', 'not_a_video'],
    ['https://www.instagram.com/explore/', 'not_a_video'],
    [`https://www.instagram.com/explore/reel/${igId}/`, 'not_a_video'],
    ['https://www.instagram.com/stories/natgeo/3141592653/', 'not_a_video'],
    ['https://www.instagram.com/reel/', 'not_a_video'],
    [`https://vimeo.com/${tiktokId}`, 'unsupported_host'],
    ['javascript:alert(document.cookie)', 'unsupported_scheme'],
  ])('rejects %s as %s', (url, code) => {
    expect(failure(() => parseVideoUrl(url))).toMatchObject({ field: 'url', code });
  });

  const videoIdArb: Record<Platform, fc.Arbitrary<string>> = {
    tiktok: fc.stringMatching(/^[1-9]\d{18}$/),
    youtube: fc.stringMatching(/^[A-Za-z0-9_-]{11}$/),
    instagram: fc.stringMatching(/^[A-Za-z0-9_-]{11}$/),
  };

  it(`rejects a video URL over ${MAX_URL_LENGTH} characters as too_long`, () => {
    const url = `https://www.youtube.com/watch?v=${ytId}&list=`.padEnd(MAX_URL_LENGTH + 1, 'x');
    expect(failure(() => parseVideoUrl(url))).toMatchObject({ field: 'url', code: 'too_long' });
    expect(parseVideoUrl(url.slice(0, MAX_URL_LENGTH))).toMatchObject({ platformVideoId: ytId });
  });

  it('reads back the id of every canonical video URL, and the canonical URL is a fixed point', () => {
    fc.assert(
      fc.property(
        platformAndHandle.chain((ph) => videoIdArb[ph.platform].map((id) => ({ ...ph, id }))),
        ({ platform, handle, id }) => {
          const author = platform === 'tiktok' ? handle : undefined;
          const parsed = parseVideoUrl(videoUrlFor(platform, id, author));
          expect(parsed).toMatchObject({ platform, platformVideoId: id, authorHandle: author ?? null });
          expect(parseVideoUrl(parsed.canonicalUrl)).toEqual(parsed);
        },
      ),
    );
  });

  it('answers any input with a video or an InvalidInputError, nothing else', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.webUrl({ withQueryParameters: true, withFragments: true })), (input) => {
        try {
          parseVideoUrl(input);
        } catch (err) {
          expect(err).toBeInstanceOf(InvalidInputError);
        }
      }),
    );
  });
});

describe('normalizeHandle', () => {
  it('strips a leading @, trims and lowercases', () => {
    expect(normalizeHandle('tiktok', '  @Khaby.Lame ')).toBe('khaby.lame');
    expect(normalizeHandle('instagram', '@NatGeo')).toBe('natgeo');
    expect(normalizeHandle('youtube', '@ MrBeast')).toBe('mrbeast');
  });

  it('keeps a YouTube channel id as it is, since channel ids are case-sensitive', () => {
    expect(normalizeHandle('youtube', CHANNEL_ID)).toBe(CHANNEL_ID);
    expect(normalizeHandle('tiktok', 'UCabcdefghijklmnopqrstuv')).toBe('ucabcdefghijklmnopqrstuv');
  });

  it.each<[Platform, string, RegExp]>([
    ['tiktok', 'a', /TikTok handle: use 2–24/],
    ['tiktok', 'a'.repeat(25), /TikTok/],
    ['tiktok', 'khaby-lame', /TikTok/],
    ['tiktok', '__', /at least one letter or digit/],
    ['instagram', 'a'.repeat(31), /Instagram handle: use 1–30/],
    ['instagram', 'nat-geo', /Instagram/],
    ['instagram', '..', /Instagram/],
    ['instagram', 'explore', /Instagram page, not a username/],
    ['youtube', 'ab', /YouTube handle: use 3–30/],
    ['youtube', 'josé', /YouTube/],
    ['youtube', 'a b c', /YouTube/],
    ['tiktok', '@', /handle is empty/],
    ['instagram', '   ', /handle is empty/],
  ])('rejects the %s handle %j naming the rule', (platform, handle, message) => {
    const err = failure(() => normalizeHandle(platform, handle));
    expect(err).toMatchObject({ field: 'handle', code: 'invalid_handle' });
    expect(err.message).toMatch(message);
  });

  it('either rejects a string or returns a handle that normalises to itself', () => {
    fc.assert(
      fc.property(
        platformArb,
        fc.oneof(fc.string({ maxLength: 40 }), fc.stringMatching(/^@?[A-Za-z0-9_.-]{1,32}$/)),
        (p, raw) => {
          let handle: string;
          try {
            handle = normalizeHandle(p, raw);
          } catch (err) {
            expect(err).toBeInstanceOf(InvalidInputError);
            return;
          }
          expect(normalizeHandle(p, handle)).toBe(handle);
          expect(handle).toBe(handle.trim());
          expect(handle.startsWith('@')).toBe(false);
        },
      ),
    );
  });
});

describe('profileUrlFor', () => {
  it('builds the canonical profile URL of each platform', () => {
    expect(profileUrlFor('tiktok', '@Khaby.Lame')).toBe('https://www.tiktok.com/@khaby.lame');
    expect(profileUrlFor('youtube', 'MrBeast')).toBe('https://www.youtube.com/@mrbeast');
    expect(profileUrlFor('youtube', CHANNEL_ID)).toBe(`https://www.youtube.com/channel/${CHANNEL_ID}`);
    expect(profileUrlFor('instagram', 'natgeo')).toBe('https://www.instagram.com/natgeo/');
  });

  it('refuses an invalid handle rather than building a broken URL', () => {
    expect(failure(() => profileUrlFor('instagram', 'p'))).toMatchObject({ code: 'invalid_handle' });
    expect(failure(() => profileUrlFor('tiktok', 'no spaces'))).toMatchObject({ code: 'invalid_handle' });
  });
});
