/**
 * The simulated world's sounds (TikTok "music"): what a sound is and who used it when, as a pure function of
 * (seed, music id). `SimulatedProvider.getSound` / `listSoundVideos` turn a plan into platform shapes: each use becomes
 * a post of a simulated creator, so `getPost` on a listed video id gives the same numbers and `getProfile` on its
 * author the same account.
 *
 * Every draw here comes from generators seeded by 'sound' / 'sound-author' keys that nothing else uses, so sounds
 * change no creator, post or comment the rest of the simulation produces.
 *
 * Music ids are TikTok-style decimal numbers (up to 20 digits) whose upper 32 bits hold the sound's creation time, like
 * video ids; an id whose embedded time is not plausible gets one from its hash. Reserved endings
 * (`RESERVED_SOUND_ID_SUFFIXES`), so every case can be shown over HTTP:
 * - `…0000`: no such sound (`deleted`);
 * - `…0001`: a tiny sound, 8–15 videos in all (too few for trend analysis);
 * - `…0002`: a huge sound, 700–1200 videos (beyond a 500-video pagination cap);
 * - anything else: a few hundred videos (120–480) over the sound's life.
 *
 * Usage over time is bursty: a launch burst that decays exponentially (a 6–25 day time constant), a resurgence weeks
 * or months later for about 45 % of sounds, and a thin background trickle for up to a year and a half. Most videos
 * are by creators who use the sound once, but 10–25 % come from a few regulars (about 4 % of the video count, at least
 * two, drawn with Zipf-like weights), so a listing must be deduplicated by author to count or rank creators. An
 * original sound's uploader is the first regular and makes the first video.
 */
import { hash32, rngFor } from './prng';
import {
  LANG_WEIGHTS,
  LANGS,
  ORIGINAL_SOUND_TITLES,
  PEOPLE,
  SOUND_ARTISTS,
  SOUND_TITLE_WORDS,
  SOUND_VERSIONS,
  THEMES,
  type Lang,
} from './simulated-data';

const { ceil, exp, floor, log, max, min } = Math;

const SECOND = 1000;
const DAY = 86_400_000;
/** an id whose embedded time lies outside [this, SOUND_PLAUSIBLE_UNTIL) is not one of ours: its time comes from its hash */
const SOUND_PLAUSIBLE_FROM = Date.UTC(2016, 0, 1);
const SOUND_PLAUSIBLE_UNTIL = Date.UTC(2036, 0, 1);
const SOUND_FALLBACK_FROM = Date.UTC(2024, 0, 1);
const SOUND_FALLBACK_SPAN_DAYS = 700;
/** how long after its launch a sound can still be picked up (the background trickle, the latest resurgence) */
const SOUND_LIFETIME_DAYS = 540;

export type SoundSize = 'tiny' | 'huge' | 'regular';

/** Music id endings with a fixed behaviour. */
export const RESERVED_SOUND_ID_SUFFIXES: Readonly<Record<string, 'deleted' | SoundSize>> = {
  '0000': 'deleted',
  '0001': 'tiny',
  '0002': 'huge',
};

/** How many videos use a sound of each size over its whole life, both ends included. */
export const SOUND_SIZES: Readonly<Record<SoundSize, readonly [number, number]>> = {
  tiny: [8, 15],
  regular: [120, 480],
  huge: [700, 1200],
};

/** One video's use of a sound, before the provider spells it out as a post of its author. */
export interface SoundUse {
  /** publish time, whole seconds since the epoch */
  seconds: number;
  authorHandle: string;
  /** theme index (`THEMES`) of the video, or null for the author's own main theme */
  theme: number | null;
  /** 14 free bits of the post id */
  low: number;
  /** this use is a commercially licensed clip */
  commerce: boolean;
}

export interface SoundPlan {
  musicId: string;
  launchMs: number;
  decayDays: number;
  /** centre of the resurgence; null for a sound that never comes back */
  resurgenceMs: number | null;
  size: SoundSize;
  isOriginal: boolean;
  isCommerce: boolean;
  title: string;
  /** a licensed track's artist; null for an original sound (its uploader's display name stands in) */
  artist: string | null;
  album: string | null;
  /** the uploader of an original sound; null for a licensed track */
  ownerHandle: string | null;
  durationSeconds: number;
  lang: Lang;
  /** the platform's reported usage count ÷ the videos a listing reaches (private, deleted and unlisted videos count) */
  reportedFactor: number;
  /** every use over the sound's life, oldest first; at most one per (seconds, author) */
  uses: SoundUse[];
}

/** What a music id is: null when it is not a well-formed id at all, else 'deleted' or the sound's size. */
export function soundIdKind(musicId: string): 'deleted' | SoundSize | null {
  if (typeof musicId !== 'string' || !/^\d{1,20}$/.test(musicId)) return null;
  return RESERVED_SOUND_ID_SUFFIXES[musicId.slice(-4)] ?? 'regular';
}

/** The sound behind a music id in the world of `seed`; null when there is none (see `soundIdKind`). */
export function planSound(seed: string, musicId: string): SoundPlan | null {
  const kind = soundIdKind(musicId);
  if (kind === null || kind === 'deleted') return null;
  const r = rngFor(seed, 'sound', musicId);

  const launchMs = launchOf(seed, musicId);
  const decayDays = r.range(6, 25);
  const resurgenceMs = r.chance(0.45) ? launchMs + floor(r.range(45, 300)) * DAY : null;
  const resurgenceWidthDays = r.range(4, 12);
  const [lo, hi] = SOUND_SIZES[kind];
  const count = r.int(lo, hi);
  // shares of the launch burst, the resurgence and the trickle
  const weights = [1, resurgenceMs === null ? 0 : r.range(0.3, 0.8), 0.08];

  const isOriginal = r.chance(0.55);
  const lang: Lang = r.chance(0.6) ? 'en' : (LANGS[r.weighted(LANG_WEIGHTS)] as Lang);
  const theme = r.int(0, THEMES.length - 1);
  const isCommerce = !isOriginal && r.chance(0.7);
  // most videos on a licensed track use its commercial clip when there is one; original sounds are rarely licensed
  const commerceShare = isCommerce ? r.range(0.6, 1) : isOriginal ? r.range(0, 0.04) : 0;

  // a few regulars (the uploader among them) use the sound again and again; everyone else once
  const regulars = max(2, ceil(count * 0.04));
  const repeatShare = r.range(0.1, 0.25);
  const authors = authorPool(seed, musicId, regulars + count, lang);
  const cumulative = zipfCumulative(regulars, r.range(0.6, 1.2));
  let fresh = regulars;
  const ownerHandle = isOriginal ? (authors[0] as string) : null;

  let title: string;
  let artist: string | null = null;
  let album: string | null = null;
  if (isOriginal) {
    title = ORIGINAL_SOUND_TITLES[lang];
  } else {
    title = `${r.pick(SOUND_TITLE_WORDS.first)} ${r.pick(SOUND_TITLE_WORDS.second)}${r.pick(SOUND_VERSIONS)}`;
    artist = r.pick(SOUND_ARTISTS);
    album = r.chance(0.6) ? `${r.pick(SOUND_TITLE_WORDS.first)} ${r.pick(SOUND_TITLE_WORDS.second)}` : null;
  }
  const durationSeconds = isOriginal ? r.int(5, 60) : r.pick([15, 30, 30, 45, 60, 60]);
  const reportedFactor = r.range(1.1, 4);

  const uses: SoundUse[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < count; i++) {
    const u = r.float();
    // an original sound's first video is its uploader's, at the launch
    let author: string;
    if (i === 0 && ownerHandle !== null) author = ownerHandle;
    else if (r.chance(repeatShare)) author = authors[pickCumulative(cumulative, u)] as string;
    else author = authors[fresh++] as string;
    let offsetDays: number;
    if (i === 0) offsetDays = r.range(0, 0.2);
    else {
      const component = r.weighted(weights);
      if (component === 0) offsetDays = r.range(0.2, 2.5) - decayDays * log(1 - r.float());
      else if (component === 1) offsetDays = (resurgenceMs! - launchMs) / DAY + resurgenceWidthDays * r.normal();
      else offsetDays = r.range(0, SOUND_LIFETIME_DAYS);
    }
    const seconds = floor((launchMs + min(max(offsetDays, 0), SOUND_LIFETIME_DAYS) * DAY) / SECOND);
    const videoTheme = r.chance(0.7) ? theme : null;
    const low = r.int(0, 0x3fff);
    const commerce = r.chance(commerceShare);
    const key = `${seconds}:${author}`;
    if (seen.has(key)) continue;
    seen.add(key);
    uses.push({ seconds, authorHandle: author, theme: videoTheme, low, commerce });
  }
  uses.sort((a, b) => a.seconds - b.seconds || (a.authorHandle < b.authorHandle ? -1 : 1));

  return {
    musicId,
    launchMs,
    decayDays,
    resurgenceMs,
    size: kind,
    isOriginal,
    isCommerce,
    title,
    artist,
    album,
    ownerHandle,
    durationSeconds,
    lang,
    reportedFactor,
    uses,
  };
}

/** A URL path segment for a sound's title: TikTok's `/music/<slug>-<id>`. */
export function soundSlug(title: string): string {
  const slug = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return slug === '' ? 'sound' : slug;
}

/** The creation time an id carries in its upper 32 bits, or one from its hash when that is not a plausible date. */
function launchOf(seed: string, musicId: string): number {
  const ms = Number(BigInt(musicId) >> 32n) * SECOND;
  if (ms >= SOUND_PLAUSIBLE_FROM && ms < SOUND_PLAUSIBLE_UNTIL) return ms;
  const h = hash32(`${seed}:sound-launch:${musicId}`);
  return SOUND_FALLBACK_FROM + (h % (SOUND_FALLBACK_SPAN_DAYS * 86_400)) * SECOND;
}

/** `n` distinct valid TikTok handles, none with a reserved prefix (they start with a first name). */
function authorPool(seed: string, musicId: string, n: number, lang: Lang): string[] {
  const handles: string[] = [];
  const taken = new Set<string>();
  for (let j = 0; j < n; j++) {
    const a = rngFor(seed, 'sound-author', musicId, j);
    const authorLang: Lang = a.chance(0.7) ? lang : (LANGS[a.weighted(LANG_WEIGHTS)] as Lang);
    const people = PEOPLE[authorLang];
    const first = a.pick(people.first);
    const style = a.int(0, 2);
    let handle = (
      style === 0
        ? `${first}.${a.pick(people.last)}`
        : style === 1
          ? `${first}_${a.pick(people.last)}${a.int(0, 99)}`
          : `${first}${a.int(1, 9999)}`
    ).slice(0, 18);
    // j is unique, so the suffixed form is too
    if (taken.has(handle)) handle = `${handle}_${j}`;
    taken.add(handle);
    handles.push(handle);
  }
  return handles;
}

/** Cumulative Zipf weights 1 / (k + 1)^s, normalised to end at 1. */
function zipfCumulative(n: number, s: number): number[] {
  const out: number[] = [];
  let total = 0;
  for (let k = 0; k < n; k++) {
    total += exp(-s * log(k + 1));
    out.push(total);
  }
  return out.map((c) => c / total);
}

/** The first index whose cumulative weight exceeds u (binary search). */
function pickCumulative(cumulative: readonly number[], u: number): number {
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((cumulative[mid] as number) > u) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
