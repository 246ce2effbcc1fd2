import countries from 'i18n-iso-countries';
import { AGE_BANDS, type AgeBand } from '../domain/platform';
import {
  ProviderError,
  type AudienceAccount,
  type Comment,
  type Platform,
  type PlatformProvider,
  type Post,
  type PostPage,
  type ProfileMetrics,
  type Sound,
  type SoundVideo,
  type SoundVideoPage,
} from '../domain/platform';
import { InvalidInputError, isYoutubeChannelId, normalizeHandle, profileUrlFor, videoUrlFor } from '../domain/urls';
import { hash32, mix32, rngFor, rngFromInts, type Rng } from './prng';
import {
  AGE_BAND_WEIGHTS,
  AGE_RANGES,
  AGE_WORDS,
  BIO_FILLERS,
  BIO_SEPARATORS,
  BIO_TEMPLATES,
  COMMENT_TEMPLATES,
  COUNTRIES,
  EXPOSURE,
  LANG_WEIGHTS,
  LANGS,
  PARENT_WORDS,
  PEOPLE,
  PLATFORM_MODELS,
  POSITIVE_EMOJI,
  THEME_CONTENT,
  THEMES,
  type AudienceGender,
  type Country,
  type Lang,
  type Sentiment,
  type Theme,
  type ThemeContent,
} from './simulated-data';
import { planSound, soundSlug, type SoundPlan } from './simulated-sounds';

// the word lists, templates and weights the generator draws from live in ./simulated-data; these are part of its API
export { commentTemplateLanguages, type AudienceGender } from './simulated-data';

/**
 * The embedded default data source: a deterministic simulated world of creators, so the whole system runs with no
 * network. Everything a creator is and does follows from (seed, platform, handle); every number at a given clock time
 * follows from that and the time. See `SimulatedFault` and `RESERVED_HANDLE_PREFIXES` for the failure knobs, and
 * `BARE_PROFILE_PREFIX` for creators that declare nothing about themselves.
 *
 * Audience: every comment carries its author's public profile (`Comment.author`), and TikTok serves follower lists
 * (`listFollowers`). Behind each such account lies a hidden truth (language, country, city, gender, age), of which
 * the account exposes only part, like real profiles: a free-text location on about 55% of accounts, pronouns on about
 * 35%, a bio on about 60% (about 40% of those give the age away); the rates vary a little per platform. A commenter's
 * language is the language of their comment, so most of a creator's commenters speak the creator's language; the same
 * handle in the same language is always the same person. `audienceTruth` reveals the truth behind accounts this
 * instance has served, so audience analysis can be checked against it.
 */

export type PermanentFaultKind = 'private' | 'deleted' | 'blocked' | 'empty' | 'no_posts' | 'silent';

/**
 * A fault injected for one handle or one platform video id.
 *
 * Transient (`times` calls fail, then the target recovers; without `times` it never does):
 * - `rate_limited` throws `ProviderError('rate_limited')` carrying `retryAfterSeconds` when given;
 * - `unavailable` throws `ProviderError('unavailable')`.
 *
 * Permanent, per call:
 * | kind     | getProfile              | listPosts          | getPost       | listComments | listFollowers (TikTok) |
 * | -------- | ----------------------- | ------------------ | ------------- | ------------ | ---------------------- |
 * | private  | works (public counters) | throws             | throws        | throws       | throws                 |
 * | deleted  | throws                  | throws             | throws        | throws       | throws                 |
 * | blocked  | throws                  | throws             | throws        | throws       | throws                 |
 * | empty    | works, 0 videos         | empty page         | works         | empty page   | empty page             |
 * | no_posts | works, 0 videos         | throws `empty`     | works         | empty page   | empty page             |
 * | silent   | works                   | works, 0 comments  | 0 comments    | empty page   | empty page             |
 *
 * `empty` and `no_posts` are the same account with nothing posted; they differ in how the source reports it. `empty`
 * answers with an empty page, as most sources do, so a cycle succeeds with zero posts; `no_posts` refuses the listing,
 * as a source that treats "no posts" as an error does, so a cycle fails with the `empty` outcome (permanent: refunded,
 * not retried). Reserved handle `noposts_…`.
 *
 * `silent` is a creator nobody engages with: posts and views as usual, but no comments and no visible followers. As a
 * reserved handle (`silent_…`) its profile always declares a country, a language and a bio, so audience analysis has
 * nothing but the creator's own profile to go on.
 *
 * Post-level calls (getPost, listComments) match a fault set on the video id, and one set on the post's author when
 * this instance has listed that post (ids do not name their author). Instagram and YouTube do not expose follower
 * lists: listFollowers there throws `blocked` whatever the account.
 */
export type SimulatedFault =
  | { kind: 'rate_limited'; retryAfterSeconds?: number; times?: number }
  | { kind: 'unavailable'; times?: number }
  | { kind: PermanentFaultKind };

/** Handles starting with these behave as if the matching permanent fault were set, so they can be shown over HTTP. */
export const RESERVED_HANDLE_PREFIXES: Readonly<Record<string, PermanentFaultKind>> = {
  private_: 'private',
  deleted_: 'deleted',
  blocked_: 'blocked',
  empty_: 'empty',
  noposts_: 'no_posts',
  silent_: 'silent',
};

/**
 * Handles starting with this (after any reserved prefix above, so `quiet…`, `empty_quiet…`, `silent_quiet…`) have a
 * bare profile: no bio, no declared country or language, no links. `empty_quiet…` is thus a creator with no posts and
 * nothing declared, from whom no audience signal of any kind can be drawn.
 */
export const BARE_PROFILE_PREFIX = 'quiet';

export interface SimulatedProviderOptions {
  /** fraction of calls, 0–1, that fail with `unavailable` at random (Math.random: the one non-deterministic knob) */
  errorRate?: number;
  /** delay added to every call */
  latencyMs?: number;
  /** another seed is another simulated world */
  seed?: string;
  now?: () => Date;
}

// module-level aliases: global lookups are slow in hot loops inside sandboxed contexts (jest's vm)
const { ceil, exp, floor, log10, log1p, max, min, round } = Math;

const SECOND = 1000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const WEEK = 7 * DAY;
const WEEK_ORIGIN = Date.UTC(1970, 0, 5); // a Monday
/** followers equal the creator's base here; growth runs from it in both directions */
const GROWTH_ANCHOR = Date.UTC(2026, 0, 1);
/** an id whose embedded time lies outside [this, now] is not one of ours: its time comes from its hash */
const PLAUSIBLE_FROM = Date.UTC(2016, 0, 1);
const FALLBACK_FROM = Date.UTC(2024, 0, 1);
const MAX_COMMENT_AGE_DAYS = 20 * 365;
const VIRAL_SHARE = 0.04;
const CACHE_LIMIT = 50_000;

// follower bases are quantised to a 0–255 tier (log10 from 2 to 8.3) so that a post id can carry its creator's size
const TIER_LOG_MIN = 2;
const TIER_LOG_SPAN = 6.3;
const tierFollowers = (tier: number): number => 10 ** (TIER_LOG_MIN + (tier * TIER_LOG_SPAN) / 255);
const tierOf = (followers: number): number =>
  clamp(round(((log10(max(followers, 1)) - TIER_LOG_MIN) * 255) / TIER_LOG_SPAN), 0, 255);
/** growth slows as a creator matures: day k after the anchor grows at 1 / (1 + k / GROWTH_SLOWING_DAYS) of the rate */
const GROWTH_SLOWING_DAYS = 730;

// ---------------------------------------------------------------------------------------------------------------
// the audience: who comments and follows. Each account has a hidden truth (language, country, city, gender, age) and
// exposes only part of it, the way real profiles do; audience analysis must read it back from the exposed fields.

/** bios state ages as of this year, so a profile reads the same whatever the clock says */
const AUDIENCE_REFERENCE_YEAR = new Date(GROWTH_ANCHOR).getUTCFullYear();
/** the most recent followers a follower list reaches back to, as on TikTok */
const MAX_FOLLOWER_LIST = 5000;

/** What an audience account really is; the simulated world's ground truth, never part of what a platform shows. */
export interface AudienceTruth {
  language: string;
  country: string;
  city: string;
  gender: AudienceGender;
  age: number;
  age_band: AgeBand;
}

const flagOf = (code: string): string =>
  String.fromCodePoint(...[...code.toUpperCase()].map((ch) => 0x1f1e6 + ch.charCodeAt(0) - 65));

/** English names as people write them: "United States", "UK", "Italy" */
function englishCountryName(code: string, r: Rng): string {
  const names = countries.getName(code, 'en', { select: 'all' }) ?? [code];
  const official = names[0] ?? code;
  const alias = names.find((n) => n !== official && n.length > 3 && !n.includes('.'));
  if (names.length > 1 && r.chance(0.2)) return r.pick(names.filter((n) => !n.includes('.')));
  return alias ?? official;
}

/** A free-text location in one of the ways people write it; English names mostly, sometimes local or an ISO code. */
function locationText(place: Country, lang: Lang, r: Rng): string {
  const english = englishCountryName(place.code, r);
  const local = countries.getName(place.code, lang) ?? english;
  const flag = flagOf(place.code);
  const localCity = place.local ?? place.city;
  switch (r.weighted([4, 2, 2, 1, 1, 1, 0.5, 1, 0.5, 0.5])) {
    case 0:
      return `${place.city}, ${english}`;
    case 1:
      return `📍 ${r.chance(0.5) ? place.city : localCity}`;
    case 2:
      return `${english} ${flag}`;
    case 3:
      return `${place.city}, ${place.code}`;
    case 4:
      return `${localCity} - ${local}`;
    case 5:
      return english;
    case 6:
      return flag;
    case 7:
      return `${localCity} ${flag}`;
    case 8:
      return `based in ${place.city}`;
    default:
      return local;
  }
}

function pronounsFor(gender: AudienceGender, r: Rng): string {
  const spelled = (p: string) => (r.chance(0.2) ? p.replace(/\b\w/g, (ch) => ch.toUpperCase()) : p);
  if (gender === 'female') return spelled(r.chance(0.85) ? 'she/her' : 'she/they');
  if (gender === 'male') return spelled(r.chance(0.85) ? 'he/him' : 'he/they');
  return spelled('they/them');
}

/** A short bio, in the account's language or English; some give the age away in one of a few common ways. */
function bioText(platform: Platform, lang: Lang, gender: AudienceGender, age: number, r: Rng): string {
  const bioLang: Lang = lang !== 'en' && r.chance(0.6) ? lang : 'en';
  const filler = r.pick(BIO_FILLERS[bioLang]);
  if (!r.chance(EXPOSURE[platform].ageCue)) return filler;
  const born = AUDIENCE_REFERENCE_YEAR - age;
  const cues = [
    `${age}${r.pick(BIO_SEPARATORS)}${filler}`,
    bioLang === 'ja'
      ? `${age}${AGE_WORDS.ja} ${filler}`
      : `${age} ${AGE_WORDS[bioLang]}${r.pick(BIO_SEPARATORS)}${filler}`,
    `est. ${born}${r.pick(BIO_SEPARATORS)}${filler}`,
    `'${String(born % 100).padStart(2, '0')}${r.pick(BIO_SEPARATORS)}${filler}`,
  ];
  // graduating from high school at about 18
  if (age >= 14 && age <= 21)
    cues.push(`class of ${AUDIENCE_REFERENCE_YEAR + 18 - age}${r.pick(BIO_SEPARATORS)}${filler}`);
  if (age >= 26 && age <= 44) cues.push(`${PARENT_WORDS[gender]} of ${r.int(1, 3)}${r.pick(BIO_SEPARATORS)}${filler}`);
  return r.pick(cues);
}

/** Draws an account's hidden truth, then what of it the account shows. */
function audienceAccount(
  platform: Platform,
  handle: string,
  lang: Lang,
  r: Rng,
): { account: AudienceAccount; truth: AudienceTruth } {
  const place = r.pick(COUNTRIES[lang]);
  const g = r.float();
  const gender: AudienceGender = g < 0.48 ? 'female' : g < 0.92 ? 'male' : 'undisclosed';
  const band = r.weighted(AGE_BAND_WEIGHTS[platform]);
  const [lo, hi] = AGE_RANGES[band] as readonly [number, number];
  const age = r.int(lo, hi);
  const exposure = EXPOSURE[platform];
  const location = r.chance(exposure.location) ? locationText(place, lang, r) : null;
  const pronouns = r.chance(exposure.pronouns) ? pronounsFor(gender, r) : null;
  const bio = r.chance(exposure.bio) ? bioText(platform, lang, gender, age, r) : null;
  return {
    account: { handle, location, pronouns, bio },
    truth: {
      language: lang,
      country: place.code,
      city: place.city,
      gender,
      age,
      age_band: AGE_BANDS[band] as AgeBand,
    },
  };
}

interface Creator {
  platform: Platform;
  key: string;
  tier: number;
  growthPerDay: number;
  followingBase: number;
  followingSlopePerMonth: number;
  reach: number;
  themes: number[];
  lang: number;
  startMs: number;
  postsPerWeek: number;
  dayWeights: number[];
  hours: [number, number];
  firstHourShare: number;
  utcOffset: number;
  profile: Omit<
    ProfileMetrics,
    'followers' | 'following' | 'total_videos' | 'total_likes' | 'total_views' | 'subscribers'
  >;
}

/** What a post id carries: its publish time and its creator's size then, reach, theme and language. */
interface PostIdentity {
  /** the id's two 32-bit halves as encoded: they seed the post's numbers */
  seconds: number;
  payload: number;
  publishedMs: number;
  tier: number;
  reach: number;
  theme: number;
  lang: number;
}

interface ViewCurve {
  tau: number;
  shape: number;
  tailTau: number;
  tailShare: number;
}

interface PostNumbers {
  publishedMs: number;
  /** YouTube Shorts; false elsewhere */
  isShort: boolean;
  finalViews: number;
  viral: boolean;
  curve: ViewCurve;
  likeRate: number;
  commentRate: number;
  shareRate: number | null;
  bookmarkRate: number | null;
}

interface PostMetrics {
  views: number;
  likes: number;
  comments: number;
  shares: number | null;
  bookmarks: number | null;
}

/** A post as the posting habit places it, before its id is spelled out. */
interface PostSlot {
  seconds: number;
  payload: number;
  spare: number;
}

interface PostStub {
  t: number;
  id: string;
}

interface FaultEntry {
  fault: SimulatedFault;
  remaining: number | undefined;
}

/** One video of a sound, placed: its post identity, its author and where popularity ranks it. */
interface SoundEntry {
  t: number;
  id: string;
  seconds: number;
  payload: number;
  /** the post's final views: a listing ranks by them (most popular first), and they never change with the clock */
  rank: number;
  handle: string;
  commerce: boolean;
}

interface SoundCorpus {
  plan: SoundPlan;
  /** most popular first, then by id */
  entries: SoundEntry[];
}

/** sound corpora kept per instance (each holds up to ~1,200 entries) */
const SOUND_CACHE_LIMIT = 64;

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const MASK64 = (1n << 64n) - 1n;
const clamp = (x: number, lo: number, hi: number): number => min(hi, max(lo, x));
const weekOf = (ms: number): number => floor((ms - WEEK_ORIGIN) / WEEK);
const newestFirst = (a: PostStub, b: PostStub): number => b.t - a.t || (b.id < a.id ? -1 : b.id > a.id ? 1 : 0);
const olderThan = (p: PostStub, bound: PostStub | null): boolean =>
  bound === null || p.t < bound.t || (p.t === bound.t && p.id < bound.id);

const PLATFORM_INDEX: Record<Platform, number> = { tiktok: 1, youtube: 2, instagram: 3 };

function identityOf(seconds: number, payload: number, publishedMs: number): PostIdentity {
  return {
    seconds,
    payload,
    publishedMs,
    tier: payload >>> 24,
    reach: (payload >>> 20) & 0xf,
    theme: (payload >>> 17) & 0x7,
    lang: (payload >>> 14) & 0x7,
  };
}

function reservedKind(key: string): PermanentFaultKind | null {
  for (const [prefix, kind] of Object.entries(RESERVED_HANDLE_PREFIXES)) if (key.startsWith(prefix)) return kind;
  return null;
}

function hasBareProfile(key: string): boolean {
  const prefix = Object.keys(RESERVED_HANDLE_PREFIXES).find((p) => key.startsWith(p)) ?? '';
  return key.startsWith(BARE_PROFILE_PREFIX, prefix.length);
}

function curveShare(curve: ViewCurve, ageDays: number): number {
  if (ageDays <= 0) return 0;
  const fast = 1 - exp(-((ageDays / curve.tau) ** curve.shape));
  const tail = 1 - exp(-ageDays / curve.tailTau);
  return (1 - curve.tailShare) * fast + curve.tailShare * tail;
}

function metricsAt(n: PostNumbers, nowMs: number): PostMetrics {
  const views = floor(n.finalViews * curveShare(n.curve, (nowMs - n.publishedMs) / DAY));
  return {
    views,
    likes: floor(views * n.likeRate),
    comments: floor(views * n.commentRate),
    shares: n.shareRate === null ? null : floor(views * n.shareRate),
    bookmarks: n.bookmarkRate === null ? null : floor(views * n.bookmarkRate),
  };
}

/** Days after publishing at which the post reached `count` comments (the inverse of the comment curve). */
function ageAtCommentCount(n: PostNumbers, count: number): number {
  const commentsAt = (age: number) => floor(floor(n.finalViews * curveShare(n.curve, age)) * n.commentRate);
  let lo = 0;
  let hi = MAX_COMMENT_AGE_DAYS;
  for (let i = 0; i < 52; i++) {
    const mid = (lo + hi) / 2;
    if (commentsAt(mid) >= count) hi = mid;
    else lo = mid;
  }
  return hi;
}

function encodePostId(platform: Platform, seconds: number, payload: number, spare: number): string {
  const value = (BigInt(seconds) << 32n) | BigInt(payload >>> 0);
  // TikTok ids are 64-bit numbers with the publish time in the upper 32 bits; we follow the same layout
  if (platform === 'tiktok') return value.toString();
  let x = (BigInt(spare & 3) << 64n) | value;
  let out = '';
  for (let i = 0; i < 11; i++) {
    out = B64[Number(x & 63n)] + out;
    x >>= 6n;
  }
  return out;
}

function decodePostValue(platform: Platform, id: string): bigint | null {
  if (platform === 'tiktok') return /^\d{1,20}$/.test(id) ? BigInt(id) & MASK64 : null;
  if (platform === 'youtube' && !/^[A-Za-z0-9_-]{11}$/.test(id)) return null;
  if (platform === 'instagram' && !/^[A-Za-z0-9_-]{1,64}$/.test(id)) return null;
  if (id.length !== 11) return (BigInt(hash32(id)) << 32n) | BigInt(hash32(`${id}#`));
  let x = 0n;
  for (const ch of id) x = (x << 6n) | BigInt(B64.indexOf(ch));
  return x & MASK64;
}

function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): unknown {
  try {
    return JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
  } catch {
    throw new RangeError('invalid cursor');
  }
}

/** The whole-number position a page cursor holds under `key`, or null on the first page. */
function cursorPosition(cursor: string | null | undefined, key: string): number | null {
  if (!cursor) return null;
  const value = (decodeCursor(cursor) as Record<string, unknown> | null)?.[key];
  if (typeof value !== 'number' || !Number.isInteger(value)) throw new RangeError('invalid cursor');
  return value;
}

function checkLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer, got ${limit}`);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class SimulatedProvider implements PlatformProvider {
  readonly name = 'simulated';
  private readonly seed: string;
  private readonly seedHash: number;
  private readonly errorRate: number;
  private readonly latencyMs: number;
  private readonly now: () => Date;
  private readonly faults = new Map<string, FaultEntry>();
  private readonly creators = new Map<string, Creator>();
  /** platform:video id → author handle, for ids this instance has listed (ids do not name their author) */
  private readonly authors = new Map<string, string>();
  /** platform:handle → the hidden truth behind audience accounts this instance has served */
  private readonly truths = new Map<string, AudienceTruth>();
  /** music id → its placed videos, for sounds this instance has served */
  private readonly sounds = new Map<string, SoundCorpus>();

  constructor(options: SimulatedProviderOptions = {}) {
    const { errorRate = 0, latencyMs = 0, seed = 'simulated', now = () => new Date() } = options;
    if (!(errorRate >= 0 && errorRate <= 1)) throw new RangeError('errorRate must be between 0 and 1');
    if (!(latencyMs >= 0) || !Number.isFinite(latencyMs)) throw new RangeError('latencyMs must be a finite number ≥ 0');
    this.seed = seed;
    this.seedHash = hash32(seed);
    this.errorRate = errorRate;
    this.latencyMs = latencyMs;
    this.now = now;
  }

  /** Injects a fault for a handle (any form `normalizeHandle` accepts) or a platform video id; replaces an earlier one. */
  setFault(platform: Platform, target: string, fault: SimulatedFault): void {
    const times = 'times' in fault ? fault.times : undefined;
    if (times !== undefined && !(Number.isInteger(times) && times >= 0)) {
      throw new RangeError('times must be a non-negative integer');
    }
    const entry: FaultEntry = { fault, remaining: times };
    const raw = target.trim();
    this.faults.set(`${platform}:${raw}`, entry);
    try {
      this.faults.set(`${platform}:${normalizeHandle(platform, raw)}`, entry);
    } catch (err) {
      if (!(err instanceof InvalidInputError)) throw err;
    }
  }

  clearFaults(): void {
    this.faults.clear();
  }

  async getProfile(platform: Platform, handle: string): Promise<ProfileMetrics> {
    const key = this.accountKey(platform, handle);
    const kind = await this.gate(platform, [key], reservedKind(key));
    const c = this.creator(platform, key);
    if (kind === 'deleted' || kind === 'blocked') throw this.accountError(kind, c);
    const nowMs = this.now().getTime();
    let videos = 0;
    let likes = 0;
    let views = 0;
    if (kind !== 'empty' && kind !== 'no_posts') {
      for (const slot of this.slotsUpTo(c, nowMs)) {
        const identity = identityOf(slot.seconds, slot.payload, slot.seconds * SECOND);
        const m = metricsAt(this.postNumbers(platform, identity), nowMs);
        videos += 1;
        likes += m.likes;
        views += m.views;
      }
    }
    const followers = this.followersAt(c, nowMs);
    return {
      ...c.profile,
      followers,
      following: this.followingAt(c, nowMs),
      total_videos: videos,
      // TikTok shows a profile-level like count; Instagram and YouTube show none
      total_likes: platform === 'tiktok' ? likes : null,
      // only YouTube exposes a profile-level view count
      total_views: platform === 'youtube' ? views : null,
      subscribers: platform === 'youtube' ? followers : null,
    };
  }

  async listPosts(
    platform: Platform,
    handle: string,
    opts: { limit: number; cursor?: string | null },
  ): Promise<PostPage> {
    checkLimit(opts.limit);
    const bound = opts.cursor ? this.postCursor(opts.cursor) : null;
    const key = this.accountKey(platform, handle);
    const kind = await this.gate(platform, [key], reservedKind(key));
    const c = this.creator(platform, key);
    if (kind === 'deleted' || kind === 'blocked' || kind === 'private') throw this.accountError(kind, c);
    if (kind === 'empty') return { posts: [], next_cursor: null };
    if (kind === 'no_posts') {
      throw new ProviderError('empty', `${PLATFORM_MODELS[platform].name} account @${c.key} has no posts`);
    }

    const nowMs = this.now().getTime();
    const want = opts.limit + 1;
    const found: (PostStub & { slot: PostSlot })[] = [];
    const lastWeek = weekOf(c.startMs) - 1;
    // a week's posts can spill at most a day into its neighbours (time zones), so a post is settled once the
    // generator has reached the week before it
    for (let w = weekOf(min(bound?.t ?? nowMs, nowMs)) + 1; w >= lastWeek; w--) {
      for (const slot of this.weekSlots(c, w)) {
        const t = slot.seconds * SECOND;
        if (t > nowMs || t < c.startMs || (bound !== null && t > bound.t)) continue;
        const p = { t, id: encodePostId(platform, slot.seconds, slot.payload, slot.spare), slot };
        if (olderThan(p, bound)) found.push(p);
      }
      const settledFrom = WEEK_ORIGIN + w * WEEK + DAY;
      if (found.filter((p) => p.t >= settledFrom).length >= want) break;
    }
    found.sort(newestFirst);
    const page = found.slice(0, opts.limit);
    const posts = page.map((stub) => {
      this.remember(this.authors, `${platform}:${stub.id}`, key);
      const identity = identityOf(stub.slot.seconds, stub.slot.payload, stub.t);
      return this.buildPost(platform, stub.id, identity, nowMs, key, kind === 'silent');
    });
    const last = page[page.length - 1];
    return {
      posts,
      next_cursor: found.length > opts.limit && last ? encodeCursor({ t: last.t, id: last.id }) : null,
    };
  }

  async getPost(platform: Platform, platformVideoId: string): Promise<Post> {
    const author = this.authors.get(`${platform}:${platformVideoId}`);
    const kind = await this.gate(
      platform,
      author === undefined ? [platformVideoId] : [platformVideoId, author],
      author === undefined ? null : reservedKind(author),
    );
    if (kind === 'deleted' || kind === 'blocked' || kind === 'private') throw this.postError(kind, platform);
    const nowMs = this.now().getTime();
    const identity = this.decodePost(platform, platformVideoId, nowMs);
    // a post nobody listed here has an unknown author; TikTok's default usernames look like this
    const handle = author ?? `user${hash32(`${this.seed}:${platformVideoId}`) % 1_000_000_000}`;
    return this.buildPost(platform, platformVideoId, identity, nowMs, handle, kind === 'silent');
  }

  async listComments(
    platform: Platform,
    platformVideoId: string,
    opts: { limit: number; cursor?: string | null },
  ): Promise<{ comments: Comment[]; next_cursor: string | null }> {
    checkLimit(opts.limit);
    const start = cursorPosition(opts.cursor, 'k');
    const author = this.authors.get(`${platform}:${platformVideoId}`);
    const kind = await this.gate(
      platform,
      author === undefined ? [platformVideoId] : [platformVideoId, author],
      author === undefined ? null : reservedKind(author),
    );
    if (kind === 'deleted' || kind === 'blocked' || kind === 'private') throw this.postError(kind, platform);
    const nowMs = this.now().getTime();
    const identity = this.decodePost(platform, platformVideoId, nowMs);
    if (kind === 'empty' || kind === 'no_posts' || kind === 'silent') return { comments: [], next_cursor: null };

    const numbers = this.postNumbers(platform, identity);
    const total = metricsAt(numbers, nowMs).comments;
    // comment k is the (k+1)-th ever written; newest first, so a page walks k downwards and new ones never shift it
    const first = min(start ?? total - 1, total - 1);
    const comments: Comment[] = [];
    for (let k = first; k >= 0 && comments.length < opts.limit; k--) {
      comments.push(this.comment(platform, platformVideoId, numbers, identity, k, nowMs));
    }
    const next = first - comments.length;
    return { comments, next_cursor: next >= 0 ? encodeCursor({ k: next }) : null };
  }

  /**
   * TikTok only: the account's most recent followers, newest first, at most `min(followers, 5000)` of them. Follower
   * k is the (k+1)-th to follow, so a cursor stays valid while new followers arrive. Instagram and YouTube do not
   * expose follower lists and throw `blocked`.
   */
  async listFollowers(
    platform: Platform,
    handle: string,
    opts: { limit: number; cursor?: string | null },
  ): Promise<{ accounts: AudienceAccount[]; next_cursor: string | null }> {
    checkLimit(opts.limit);
    const start = cursorPosition(opts.cursor, 'f');
    const key = this.accountKey(platform, handle);
    if (platform !== 'tiktok') {
      throw new ProviderError('blocked', `${PLATFORM_MODELS[platform].name} does not expose follower lists`);
    }
    const kind = await this.gate(platform, [key], reservedKind(key));
    const c = this.creator(platform, key);
    if (kind === 'deleted' || kind === 'blocked' || kind === 'private') throw this.accountError(kind, c);
    if (kind === 'empty' || kind === 'no_posts' || kind === 'silent') return { accounts: [], next_cursor: null };

    const total = this.followersAt(c, this.now().getTime());
    const oldest = max(0, total - MAX_FOLLOWER_LIST);
    const first = min(start ?? total - 1, total - 1);
    const accounts: AudienceAccount[] = [];
    for (let k = first; k >= oldest && accounts.length < opts.limit; k--) accounts.push(this.follower(c, k));
    const next = first - accounts.length;
    return { accounts, next_cursor: next >= oldest ? encodeCursor({ f: next }) : null };
  }

  /**
   * TikTok only: a sound's metadata. What sounds exist, how many videos use them and when follows from the music id
   * (providers/simulated-sounds.ts, with the reserved endings: `…0000` does not exist, `…0001` is tiny, `…0002` huge).
   * `video_count` is the platform's own count, larger than what `listSoundVideos` reaches (it counts private and
   * removed videos too). A malformed or unknown id, or a sound created after the clock's now, throws `deleted`;
   * Instagram and YouTube throw `blocked`. Faults set on the music id apply as on a handle.
   */
  async getSound(platform: Platform, musicId: string): Promise<Sound> {
    const { corpus, nowMs, kind } = await this.soundFor(platform, musicId);
    const { plan } = corpus;
    const reachable = kind === 'empty' || kind === 'no_posts' ? 0 : this.visibleSoundEntries(corpus, nowMs).length;
    const owner = plan.ownerHandle === null ? null : this.creator('tiktok', plan.ownerHandle).profile;
    return {
      platform,
      music_id: plan.musicId,
      title: plan.title,
      author_name: owner?.display_name ?? plan.artist,
      owner_handle: plan.ownerHandle,
      album: plan.album,
      duration_seconds: plan.durationSeconds,
      is_original: plan.isOriginal,
      is_commerce: plan.isCommerce,
      cover_url: `https://cdn.simulated.invalid/music/${plan.musicId}.jpg`,
      play_url: `https://cdn.simulated.invalid/music/${plan.musicId}.mp3`,
      url: `https://www.tiktok.com/music/${soundSlug(plan.title)}-${plan.musicId}`,
      video_count: round(reachable * plan.reportedFactor),
      created_at: new Date(plan.launchMs).toISOString(),
    };
  }

  /**
   * TikTok only: the videos published with a sound up to now, most popular first (by each post's final views, which
   * the clock does not change, so a cursor stays valid while new videos arrive: they are never served twice, and only
   * the ones ranking below the cursor show up on later pages). Each video is a post of a simulated creator: `getPost`
   * on its id and `getProfile` on its author agree with it. `total` is how many videos the listing reaches now.
   * A fault `empty` answers an empty listing and `no_posts` throws `empty`; otherwise failures as in `getSound`.
   */
  async listSoundVideos(
    platform: Platform,
    musicId: string,
    opts: { limit: number; cursor?: string | null },
  ): Promise<SoundVideoPage> {
    checkLimit(opts.limit);
    const bound = opts.cursor ? this.soundCursor(opts.cursor) : null;
    const { corpus, nowMs, kind } = await this.soundFor(platform, musicId);
    if (kind === 'empty') return { videos: [], next_cursor: null, total: 0 };
    if (kind === 'no_posts') throw new ProviderError('empty', `TikTok sound ${musicId} has no videos`);
    const visible = this.visibleSoundEntries(corpus, nowMs);
    let start = 0;
    if (bound !== null) {
      start = visible.findIndex((e) => e.rank < bound.v || (e.rank === bound.v && e.id > bound.id));
      if (start < 0) start = visible.length;
    }
    const page = visible.slice(start, start + opts.limit);
    const videos = page.map((e) => this.soundVideo(corpus.plan, e, nowMs));
    const last = page[page.length - 1];
    return {
      videos,
      next_cursor: start + page.length < visible.length && last ? encodeCursor({ v: last.rank, id: last.id }) : null,
      total: visible.length,
    };
  }

  /**
   * The hidden truth behind an audience account (a comment's author or a follower) this instance has served, for
   * tests and calibration: what analysis tries to infer. Undefined for accounts it has not served (the cache is
   * bounded, like the post-author one).
   */
  audienceTruth(platform: Platform, handle: string): AudienceTruth | undefined {
    return this.truths.get(`${platform}:${handle}`);
  }

  // ----------------------------------------------------------------------------------------------------------------

  private accountKey(platform: Platform, handle: string): string {
    try {
      return normalizeHandle(platform, handle);
    } catch (err) {
      if (err instanceof InvalidInputError) {
        throw new ProviderError('deleted', `${PLATFORM_MODELS[platform].name} has no account "${String(handle)}"`);
      }
      throw err;
    }
  }

  /** Latency, random outages and injected faults; returns the permanent fault kind in force, if any. */
  private async gate(
    platform: Platform,
    targets: readonly string[],
    reserved: PermanentFaultKind | null,
  ): Promise<PermanentFaultKind | null> {
    if (this.latencyMs > 0) await sleep(this.latencyMs);
    const name = PLATFORM_MODELS[platform].name;
    if (this.errorRate > 0 && Math.random() < this.errorRate) {
      throw new ProviderError('unavailable', `${name} did not answer (simulated random outage)`);
    }
    for (const target of targets) {
      const entry = this.faults.get(`${platform}:${target}`);
      if (entry === undefined) continue;
      const { fault } = entry;
      if (fault.kind === 'rate_limited' || fault.kind === 'unavailable') {
        if (entry.remaining !== undefined) {
          if (entry.remaining <= 0) continue;
          entry.remaining -= 1;
        }
        if (fault.kind === 'unavailable') throw new ProviderError('unavailable', `${name} is unavailable (simulated)`);
        throw new ProviderError('rate_limited', `${name} rate limit reached (simulated)`, fault.retryAfterSeconds);
      }
      return fault.kind;
    }
    return reserved;
  }

  private accountError(kind: 'private' | 'deleted' | 'blocked', c: Creator): ProviderError {
    const name = PLATFORM_MODELS[c.platform].name;
    const what = { private: 'is private', deleted: 'does not exist or was deleted', blocked: 'is blocked' }[kind];
    return new ProviderError(kind, `${name} account @${c.key} ${what}`);
  }

  private postError(kind: 'private' | 'deleted' | 'blocked', platform: Platform): ProviderError {
    const name = PLATFORM_MODELS[platform].name;
    const what = { private: 'is private', deleted: 'does not exist or was deleted', blocked: 'is blocked' }[kind];
    return new ProviderError(kind, `${name} post ${what}`);
  }

  /** Follower k of a creator: mostly speaks the creator's language, like its commenters; handles are unique per k. */
  private follower(c: Creator, k: number): AudienceAccount {
    const r = rngFor(this.seed, 'follower', c.platform, c.key, k);
    const roll = r.float();
    const lang: Lang = roll < 0.6 ? (LANGS[c.lang] as Lang) : roll < 0.78 ? 'en' : r.pick(LANGS);
    const people = PEOPLE[lang];
    const first = r.pick(people.first);
    // a bijection of k mod 2^28 (odd multiplier, then xor): no two followers within the list share a handle
    const n = (Math.imul(k, 0x9e3779b1) ^ hash32(`${this.seed}:${c.key}`)) & 0xfffffff;
    const handle = r.chance(0.5) ? `${first}${r.pick(['.', '_'])}${r.pick(people.last)}_${n}` : `${first}_${n}`;
    const { account, truth } = audienceAccount(c.platform, handle, lang, r);
    this.remember(this.truths, `${c.platform}:${handle}`, truth);
    return account;
  }

  /** A commenter's profile: the same handle writing in the same language is always the same person. */
  private commenter(platform: Platform, handle: string, lang: Lang): AudienceAccount {
    const { account, truth } = audienceAccount(
      platform,
      handle,
      lang,
      rngFor(this.seed, 'commenter', platform, lang, handle),
    );
    this.remember(this.truths, `${platform}:${handle}`, truth);
    return account;
  }

  private remember<V>(map: Map<string, V>, key: string, value: V): void {
    if (map.size >= CACHE_LIMIT && !map.has(key)) map.clear();
    map.set(key, value);
  }

  /** Platform check, latency and faults, then the sound's placed videos; throws for a sound that does not exist. */
  private async soundFor(
    platform: Platform,
    musicId: string,
  ): Promise<{ corpus: SoundCorpus; nowMs: number; kind: PermanentFaultKind | null }> {
    if (platform !== 'tiktok') {
      throw new ProviderError('blocked', `${PLATFORM_MODELS[platform].name} has no sound listings`);
    }
    const id = typeof musicId === 'string' ? musicId.trim() : '';
    const kind = await this.gate(platform, [id], null);
    if (kind === 'deleted' || kind === 'blocked' || kind === 'private') {
      const what = { private: 'is private', deleted: 'does not exist or was deleted', blocked: 'is blocked' }[kind];
      throw new ProviderError(kind, `TikTok sound ${id} ${what}`);
    }
    const nowMs = this.now().getTime();
    const corpus = this.soundCorpus(id);
    if (corpus === null || corpus.plan.launchMs > nowMs) {
      throw new ProviderError('deleted', `TikTok has no sound "${String(musicId)}"`);
    }
    return { corpus, nowMs, kind };
  }

  private soundCorpus(musicId: string): SoundCorpus | null {
    const cached = this.sounds.get(musicId);
    if (cached) return cached;
    const plan = planSound(this.seed, musicId);
    if (plan === null) return null;
    const entries: SoundEntry[] = [];
    const ids = new Set<string>();
    for (const use of plan.uses) {
      const c = this.creator('tiktok', use.authorHandle);
      const t = use.seconds * SECOND;
      // the post id carries its author's size, reach and language then, as the author's own posts do
      const tier = tierOf(this.trendFollowersAt(c, t));
      const theme = use.theme ?? (c.themes[0] as number);
      const payload = (tier << 24) | (c.reach << 20) | (theme << 17) | (c.lang << 14) | use.low;
      const id = encodePostId('tiktok', use.seconds, payload, 0);
      if (ids.has(id)) continue;
      ids.add(id);
      const rank = this.postNumbers('tiktok', identityOf(use.seconds, payload, t)).finalViews;
      entries.push({ t, id, seconds: use.seconds, payload, rank, handle: use.authorHandle, commerce: use.commerce });
    }
    entries.sort((a, b) => b.rank - a.rank || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const corpus = { plan, entries };
    if (this.sounds.size >= SOUND_CACHE_LIMIT) this.sounds.clear();
    this.sounds.set(musicId, corpus);
    return corpus;
  }

  private visibleSoundEntries(corpus: SoundCorpus, nowMs: number): SoundEntry[] {
    return corpus.entries.filter((e) => e.t <= nowMs);
  }

  private soundCursor(cursor: string): { v: number; id: string } {
    const decoded = decodeCursor(cursor) as { v?: unknown; id?: unknown } | null;
    if (typeof decoded?.v !== 'number' || !Number.isFinite(decoded.v) || typeof decoded.id !== 'string') {
      throw new RangeError('invalid cursor');
    }
    return { v: decoded.v, id: decoded.id };
  }

  private soundVideo(plan: SoundPlan, e: SoundEntry, nowMs: number): SoundVideo {
    const c = this.creator('tiktok', e.handle);
    this.remember(this.authors, `tiktok:${e.id}`, e.handle);
    const post = this.buildPost('tiktok', e.id, identityOf(e.seconds, e.payload, e.t), nowMs, e.handle);
    return {
      ...post,
      music_id: plan.musicId,
      author_handle: e.handle,
      author_user_id: c.profile.platform_user_id,
      author_display_name: c.profile.display_name,
      author_followers: this.followersAt(c, nowMs),
      author_is_verified: c.profile.is_verified,
      is_commerce_music: e.commerce,
    };
  }

  private creator(platform: Platform, key: string): Creator {
    const cacheKey = `${platform}:${key}`;
    const cached = this.creators.get(cacheKey);
    if (cached) return cached;
    const c = this.buildCreator(platform, key);
    this.remember(this.creators, cacheKey, c);
    return c;
  }

  private buildCreator(platform: Platform, key: string): Creator {
    const r = rngFor(this.seed, 'creator', platform, key);
    const model = PLATFORM_MODELS[platform];
    // a no_posts account is built like an empty one: only how listPosts answers tells them apart
    const reserved = reservedKind(key) === 'no_posts' ? 'empty' : reservedKind(key);

    // log10 followers: median ~40k, a long tail into the millions and plenty of small accounts
    const logFollowers = reserved === 'empty' ? r.range(2, 2.7) : clamp(4.6 + 1.15 * r.normal(), 2.2, 8.25);
    const tier = tierOf(10 ** logFollowers);
    const growthPerDay = r.chance(0.88)
      ? clamp(10 ** (-2.7 + 0.3 * r.normal()), 0.0001, 0.006)
      : -(10 ** r.range(-4, -3.2));
    const followingBase = model.followingMedian === null ? 0 : round(r.logNormal(model.followingMedian, 0.9));
    const followingSlopePerMonth = r.range(-0.5, 2);
    const reach = r.int(0, 15);

    const themeCount = r.chance(0.5) ? 2 : 3;
    const themes: number[] = [];
    while (themes.length < themeCount) {
      const t = r.int(0, THEMES.length - 1);
      if (!themes.includes(t)) themes.push(t);
    }
    const lang = r.weighted(LANG_WEIGHTS);
    const langCode = LANGS[lang] as Lang;
    const country = r.pick(COUNTRIES[langCode]);

    const [minRate, maxRate] = model.postsPerWeek;
    const postsPerWeek = minRate * (maxRate / minRate) ** r.float();
    const dayWeights = Array.from({ length: 7 }, () => r.range(0.6, 1.2));
    const favourites = r.int(2, 4);
    for (let i = 0; i < favourites; i++) dayWeights[r.int(0, 6)] = r.range(2.5, 5);
    if (r.chance(0.25)) dayWeights[5] = dayWeights[6] = 0.25;
    const firstHour = r.int(7, 21);
    const hours: [number, number] = [firstHour, clamp(firstHour + r.int(-8, 8), 6, 23)];
    // most creators have been posting for about two years; some started recently
    const startMs = GROWTH_ANCHOR - (r.chance(0.12) ? r.range(0.05, 0.9) : r.range(0.9, 1.6)) * 365 * DAY;

    const followersBase = tierFollowers(tier);
    // silent_ creators always declare themselves (the draws stay the same, so the rest of the creator does too)
    const silent = reserved === 'silent';
    const bare = reserved !== 'empty' && r.chance(0.08) && !silent;
    const declaresCountry = !bare && (r.chance(0.85) || silent);
    const declaresLanguage = !bare && (r.chance(0.85) || silent);
    const primary = THEMES[themes[0] as number] as Theme;
    const content = THEME_CONTENT[primary];
    let bio: string | null = null;
    if (!bare) {
      const themeName = content.names[langCode];
      bio = r
        .pick(BIO_TEMPLATES[langCode])
        .replace('{t}', themeName)
        .replace('{T}', themeName.charAt(0).toUpperCase() + themeName.slice(1))
        .replace('{e}', content.emoji)
        .trim();
      if (declaresCountry && r.chance(0.6)) bio += ` 📍${country.city}`;
    }
    const channelId = platform === 'youtube' && isYoutubeChannelId(key) ? key : null;
    const externalLinks: string[] = [];
    if (!bare && channelId === null) {
      const candidates = [`https://linktr.ee/${key}`];
      if (platform !== 'instagram' && /^[a-z0-9_.]{1,30}$/.test(key)) candidates.push(profileUrlFor('instagram', key));
      if (platform !== 'youtube' && key.length >= 3) candidates.push(profileUrlFor('youtube', key));
      const n = r.int(0, 2);
      for (let i = 0; i < n; i++) {
        const link = r.pick(candidates);
        if (!externalLinks.includes(link)) externalLinks.push(link);
      }
    }
    const verifiedChance = followersBase >= 1e6 ? 0.85 : followersBase >= 1e5 ? 0.25 : 0.02;
    // masked after drawing, so a quiet creator's numbers are those it would have had anyway
    const quiet = hasBareProfile(key);

    return {
      platform,
      key,
      tier,
      growthPerDay,
      followingBase,
      followingSlopePerMonth,
      reach,
      themes,
      lang,
      startMs: floor(startMs / SECOND) * SECOND,
      postsPerWeek,
      dayWeights,
      hours,
      firstHourShare: r.range(0.55, 0.85),
      utcOffset: country.utc,
      profile: {
        platform,
        platform_user_id: channelId ?? this.platformUserId(platform, r),
        handle: key,
        display_name: this.displayName(key, channelId !== null, langCode, content, r),
        avatar_url: `https://cdn.simulated.invalid/avatars/${platform}/${hash32(`${this.seed}:${key}`).toString(16)}.jpg`,
        profile_url: profileUrlFor(platform, key),
        bio: quiet ? null : bio,
        is_verified: reserved !== 'empty' && r.chance(verifiedChance),
        category: primary,
        country: declaresCountry && !quiet ? country.code : null,
        language: declaresLanguage && !quiet ? langCode : null,
        external_links: quiet ? [] : externalLinks,
      },
    };
  }

  private platformUserId(platform: Platform, r: Rng): string {
    const digits = (n: number) => Array.from({ length: n }, () => r.int(0, 9)).join('');
    if (platform === 'tiktok') return `${r.pick(['6', '7'])}${digits(18)}`;
    if (platform === 'instagram') return `${r.int(1, 9)}${digits(r.int(7, 10))}`;
    return `UC${Array.from({ length: 22 }, () => B64[r.int(0, 63)]).join('')}`;
  }

  private displayName(key: string, isChannel: boolean, lang: Lang, content: ThemeContent, r: Rng): string {
    const cap = (w: string) => w.charAt(0).toUpperCase() + w.slice(1);
    const words = isChannel
      ? [r.pick(PEOPLE[lang].first), r.pick(PEOPLE[lang].last)]
      : key
          .split(/[._-]+/)
          .map((w) => w.replace(/\d+$/, ''))
          .filter((w) => w !== '');
    const name = words.length > 0 ? words.map(cap).join(' ') : key;
    return r.chance(0.2) ? `${name} ${content.emoji}` : name;
  }

  /** Followers follow exp(cumulative daily growth), each day's rate noisy but of the creator's one sign. */
  private followersAt(c: Creator, nowMs: number): number {
    const seed = hash32(`${this.seed}:growth:${c.platform}:${c.key}`);
    const rate = (day: number) => {
      const u = mix32(seed, day) / 4294967296;
      const slowing = day >= 0 ? 1 / (1 + day / GROWTH_SLOWING_DAYS) : 1;
      return c.growthPerDay * (0.3 + 1.4 * u) * slowing;
    };
    const d = clamp((nowMs - GROWTH_ANCHOR) / DAY, -4000, 4000);
    let logGrowth = 0;
    if (d >= 0) {
      const whole = floor(d);
      for (let k = 0; k < whole; k++) logGrowth += rate(k);
      logGrowth += (d - whole) * rate(whole);
    } else {
      const whole = ceil(d);
      for (let k = whole; k < 0; k++) logGrowth -= rate(k);
      logGrowth -= (whole - d) * rate(whole - 1);
    }
    return round(tierFollowers(c.tier) * exp(logGrowth));
  }

  /** The noise-free trend of `followersAt` (its daily noise has mean 1): sizes posts by their creator's reach then. */
  private trendFollowersAt(c: Creator, ms: number): number {
    const d = clamp((ms - GROWTH_ANCHOR) / DAY, -4000, 4000);
    const logGrowth = d >= 0 ? GROWTH_SLOWING_DAYS * log1p(d / GROWTH_SLOWING_DAYS) : d;
    return tierFollowers(c.tier) * exp(c.growthPerDay * logGrowth);
  }

  private followingAt(c: Creator, nowMs: number): number | null {
    if (PLATFORM_MODELS[c.platform].followingMedian === null) return null;
    const months = floor((nowMs - GROWTH_ANCHOR) / (30 * DAY));
    return max(0, round(c.followingBase + c.followingSlopePerMonth * months));
  }

  /** The posts a creator publishes in week `w` (Monday-based, UTC). */
  private weekSlots(c: Creator, w: number): PostSlot[] {
    const r = rngFor(this.seed, 'week', c.platform, c.key, w);
    const activity = r.chance(0.05) ? 0 : r.chance(0.08) ? 1.6 : 1;
    const count = min(r.poisson(c.postsPerWeek * activity), 40);
    const weekStart = WEEK_ORIGIN + w * WEEK;
    const slots: PostSlot[] = [];
    for (let j = 0; j < count; j++) {
      const day = r.weighted(c.dayWeights);
      const hour = clamp((r.chance(c.firstHourShare) ? c.hours[0] : c.hours[1]) + 0.9 * r.normal(), 0, 23.99);
      const seconds = floor((weekStart + day * DAY + (hour - c.utcOffset) * HOUR) / SECOND) + r.int(0, 59);
      const theme = r.chance(0.6) ? (c.themes[0] as number) : r.pick(c.themes);
      const tier = tierOf(this.trendFollowersAt(c, seconds * SECOND));
      const payload = (tier << 24) | (c.reach << 20) | (theme << 17) | (c.lang << 14) | r.int(0, 0x3fff);
      const spare = r.int(0, 3);
      if (!slots.some((p) => p.seconds === seconds && p.payload === payload)) slots.push({ seconds, payload, spare });
    }
    return slots;
  }

  private *slotsUpTo(c: Creator, nowMs: number): Generator<PostSlot> {
    for (let w = weekOf(c.startMs) - 1; w <= weekOf(nowMs) + 1; w++) {
      for (const slot of this.weekSlots(c, w)) {
        const t = slot.seconds * SECOND;
        if (t >= c.startMs && t <= nowMs) yield slot;
      }
    }
  }

  private postCursor(cursor: string): PostStub {
    const decoded = decodeCursor(cursor) as { t?: unknown; id?: unknown } | null;
    if (typeof decoded?.t !== 'number' || !Number.isFinite(decoded.t) || typeof decoded.id !== 'string') {
      throw new RangeError('invalid cursor');
    }
    return { t: decoded.t, id: decoded.id };
  }

  /**
   * Any well-formed id is a post: ours decode to what we encoded; another one (a real video someone pasted) gets its
   * time from its upper bits when they are a plausible date, else from its hash.
   */
  private decodePost(platform: Platform, id: string, nowMs: number): PostIdentity {
    const value = decodePostValue(platform, id);
    if (value === null) throw new ProviderError('deleted', `${PLATFORM_MODELS[platform].name} has no post "${id}"`);
    const payload = Number(value & 0xffffffffn);
    const seconds = Number(value >> 32n);
    let publishedMs = seconds * SECOND;
    if (!(publishedMs >= PLAUSIBLE_FROM && publishedMs <= nowMs)) {
      const h = hash32(`${this.seed}:published:${platform}:${id}`);
      publishedMs = min(FALLBACK_FROM + (h % (730 * 86_400)) * SECOND, nowMs - (1 + (h % 48)) * HOUR);
      publishedMs = floor(publishedMs / SECOND) * SECOND;
    }
    return identityOf(seconds, payload, publishedMs);
  }

  private postNumbers(platform: Platform, p: PostIdentity): PostNumbers {
    const r = rngFromInts(this.seedHash, PLATFORM_INDEX[platform], p.seconds, p.payload);
    const model = PLATFORM_MODELS[platform];
    const followers = tierFollowers(p.tier);
    const isShort = platform === 'youtube' && r.chance(0.45);
    const reach = (isShort ? 2 : 1) * model.reach * 10 ** (((p.reach - 7.5) / 7.5) * 0.4);
    // small accounts reach well beyond their followers, large ones a smaller share of them
    const sizeFactor = (followers / 1e5) ** -0.18;
    const viral = r.chance(VIRAL_SHARE);
    const lift = viral ? 10 ** r.range(log10(5), log10(50)) : 1;
    const finalViews = max(followers * reach * sizeFactor * r.logNormal(1, 0.45) * lift, r.range(20, 120));
    // viral posts take off late (S-shaped), ordinary ones front-load their views
    const curve: ViewCurve = viral
      ? { tau: r.range(2, 6), shape: 1.8, tailTau: model.tailTau, tailShare: 0.1 }
      : { tau: model.tau * r.range(0.7, 1.4), shape: 0.9, tailTau: model.tailTau, tailShare: model.tailShare };
    const likeRate = clamp(model.likeRate * r.logNormal(1, 0.35) * (viral ? 1.15 : 1), 0.002, 0.3);
    const commentRate = clamp(likeRate * model.commentsPerLike * r.logNormal(1, 0.5), 0, 0.03);
    const tiktok = platform === 'tiktok';
    return {
      publishedMs: p.publishedMs,
      isShort,
      finalViews,
      viral,
      curve,
      likeRate,
      commentRate,
      shareRate: tiktok ? clamp(0.004 * r.logNormal(1, 0.6) * (viral ? 2.5 : 1), 0, 0.1) : null,
      bookmarkRate: tiktok ? clamp(0.005 * r.logNormal(1, 0.6), 0, 0.1) : null,
    };
  }

  private buildPost(
    platform: Platform,
    id: string,
    p: PostIdentity,
    nowMs: number,
    authorHandle: string,
    silent = false,
  ): Post {
    const numbers = this.postNumbers(platform, p);
    const metrics = metricsAt(numbers, nowMs);
    if (silent) metrics.comments = 0;
    const r = rngFor(this.seed, 'post-content', platform, id);
    const theme = THEMES[p.theme] as Theme;
    const content = THEME_CONTENT[theme];
    const title = r.pick(content.titles).replace('{x}', r.pick(content.fillers));
    const tags = new Set<string>();
    const tagCount = platform === 'youtube' ? r.int(0, 3) : r.int(2, 5);
    for (let i = 0; i < tagCount; i++) tags.add(r.pick(content.tags));
    if (platform === 'tiktok' && r.chance(0.6)) tags.add(r.pick(['fyp', 'foryou', 'viral']));
    if (platform === 'instagram' && r.chance(0.4)) tags.add('reels');
    let duration: number;
    if (platform === 'tiktok') duration = clamp(round(r.logNormal(28, 0.7)), 6, 600);
    else if (platform === 'instagram') duration = clamp(round(r.logNormal(22, 0.6)), 5, 180);
    else if (numbers.isShort) duration = r.int(12, 60);
    else duration = clamp(round(r.logNormal(660, 0.6)), 120, 5400);
    if (numbers.isShort) tags.add('shorts');
    const hashtags = [...tags];
    const hashtagText = hashtags.map((t) => `#${t}`).join(' ');
    const description =
      platform === 'youtube'
        ? `${title}. New ${content.names.en} videos every week — subscribe so you don't miss the next one.${hashtagText ? `\n\n${hashtagText}` : ''}`
        : `${title} ${content.emoji} ${hashtagText}`.trim();
    const duetRoll = r.float();
    return {
      platform,
      platform_video_id: id,
      url: videoUrlFor(platform, id, authorHandle),
      title,
      description,
      thumbnail_url: `https://cdn.simulated.invalid/thumbnails/${platform}/${encodeURIComponent(id)}.jpg`,
      published_at: new Date(p.publishedMs).toISOString(),
      duration_seconds: duration,
      views: metrics.views,
      likes: metrics.likes,
      comments: metrics.comments,
      shares: metrics.shares,
      bookmarks: metrics.bookmarks,
      hashtags,
      is_duet: platform === 'tiktok' ? duetRoll < 0.03 : null,
      is_stitch: platform === 'tiktok' ? duetRoll >= 0.03 && duetRoll < 0.07 : null,
    };
  }

  private comment(
    platform: Platform,
    id: string,
    numbers: PostNumbers,
    p: PostIdentity,
    k: number,
    nowMs: number,
  ): Comment {
    const r = rngFor(this.seed, 'comment', platform, id, k);
    const writtenMs = numbers.publishedMs + floor((ageAtCommentCount(numbers, k + 1) * DAY) / SECOND) * SECOND;
    // most commenters speak the creator's language, some English, the rest anything
    const creatorLang = LANGS[p.lang] as Lang;
    const roll = r.float();
    const lang: Lang = roll < 0.6 ? creatorLang : roll < 0.78 ? 'en' : r.pick(LANGS);
    const tone = r.float();
    const sentiment: Sentiment =
      tone < 0.72 ? 'positive' : tone < (numbers.viral ? 0.86 : 0.9) ? 'neutral' : 'negative';
    let text = r.pick(COMMENT_TEMPLATES[lang][sentiment]);
    if (sentiment === 'positive' && r.chance(0.3)) text += ` ${r.pick(POSITIVE_EMOJI)}`;
    const people = PEOPLE[lang];
    const first = r.pick(people.first);
    const style = r.int(0, 3);
    const author =
      style === 0
        ? `${first}${r.int(1, 9999)}`
        : style === 1
          ? `${first}.${r.pick(people.last)}`
          : style === 2
            ? `${first}_${r.pick(people.last)}${r.int(0, 99)}`
            : `its${first}`;
    // the earliest and a lucky few comments collect most likes, and likes keep arriving for a day or two
    const topLikes = numbers.finalViews * numbers.likeRate * 0.03;
    const ageDays = max(0, (nowMs - writtenMs) / DAY);
    const likes = floor(topLikes * r.float() ** 6 * (1 - exp(-ageDays / 1.5)));
    return {
      id: `${id}_${k}`,
      platform_video_id: id,
      author_handle: author,
      text,
      likes,
      published_at: new Date(writtenMs).toISOString(),
      author: this.commenter(platform, author, lang),
    };
  }
}
