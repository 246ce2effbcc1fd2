/**
 * Audience snapshots: who a creator's engaged audience is (age band, gender, language, country, city), inferred from
 * what the accounts in the replies (and, on TikTok, in the follower list) show publicly. Heuristic and explainable:
 * every inference reads one exposed field (language from what they wrote, country and city from the free-text
 * location, gender from declared pronouns, age from cues in the bio) and a signal nobody exposes stays `null` rather
 * than being guessed. Pure: no I/O and no clock (`referenceDate` is an input), so the same evidence always yields the
 * same snapshot. Country names come from i18n-iso-countries and languages from tinyld; the one hand-kept table is a
 * short list of cities (and a few regions whose names would otherwise be misread as countries).
 */
import countries from 'i18n-iso-countries';
import enLocale from 'i18n-iso-countries/langs/en.json';
import { detectAll } from 'tinyld/heavy';
import { AGE_BANDS, PLATFORM_NAMES, type AgeBand, type AudienceAccount, type ProfileMetrics } from './platform';
import { cmpStr, pct } from './report-text';

countries.registerLocale(enLocale);

export { AGE_BANDS, type AgeBand };
export const AUDIENCE_MODEL_VERSION = 'heuristic-1';
export type AudienceDataSource = 'comments' | 'comments_extended' | 'comments_and_followers' | 'profile_only';
export type ConfidenceLevel = 'high' | 'medium' | 'low';

/** `code` is ISO-3166 alpha-2; the "Other (N countries)" row has no code and no confidence. */
export interface CountryShare {
  code?: string;
  name: string;
  pct: number;
  confidence?: number;
}

/** `code` is the city's country code; the "Other (N cities)" row has no code and no confidence. */
export interface CityShare {
  code?: string;
  name: string;
  pct: number;
  confidence?: number;
}

export interface AudienceSnapshotData {
  sample_size: number;
  /** keys from AGE_BANDS, sorted by share desc */
  age_distribution: Record<string, number> | null;
  /** 'female' | 'male' | 'other' (declared they/them) */
  gender_distribution: Record<string, number> | null;
  /** ISO-639-1 keys */
  language_distribution: Record<string, number> | null;
  country_distribution: CountryShare[] | null;
  city_distribution: CityShare[] | null;
  /** 0..1, 2 decimals */
  confidence_per_signal: { age: number; gender: number; country: number; city: number; language: number };
  confidence_level: ConfidenceLevel;
  data_source: AudienceDataSource;
  signal_breakdown: { comments: number; followers: number };
  evidence_summary: string;
  model_version: string;
}

export interface AudienceEvidence {
  /** unique commenters with the texts they wrote in the sample */
  commenters: { account: AudienceAccount; texts: string[] }[];
  /** follower accounts blended in (TikTok fallback); empty otherwise */
  followers: AudienceAccount[];
  /** how many posts the comments were drawn from */
  postsSampled: number;
  /** ISO 8601 date the sample was taken: ages are read relative to its year ("class of 2027", "est. 1988") */
  referenceDate: string;
}

/**
 * Minimum number of accounts for a snapshot drawn from real audience signal; below it the ladder moves on.
 *
 * 50: about 55% of accounts declare a location, so 50 accounts give ~27 located ones, for which the top country's
 * share is known to about ±19 points (95% interval at p = 0.5): the coarsest estimate still worth showing as a
 * measurement. Below it one account moves a share by more than two points, and the sparser signals (pronouns on about
 * a third of accounts, an age cue on a quarter) rest on a dozen accounts or fewer.
 */
export const MIN_AUDIENCE_SAMPLE = 50;

/** rows shown before the "Other (K …)" remainder row */
export const TOP_COUNTRIES = 5;
export const TOP_CITIES = 5;

/**
 * confidence_level thresholds, on the sample size and the mean of the five per-signal confidences (a null signal
 * counts 0): high needs ≥ 300 accounts and a mean ≥ 0.6; medium needs ≥ MIN_AUDIENCE_SAMPLE and a mean ≥ 0.4;
 * everything else (and every profile-only hint) is low.
 */
export const CONFIDENCE_THRESHOLDS = {
  high: { sampleSize: 300, meanConfidence: 0.6 },
  medium: { sampleSize: MIN_AUDIENCE_SAMPLE, meanConfidence: 0.4 },
} as const;

/**
 * How far each kind of observation can be trusted on its own, before sample size and coverage: declared locations
 * are explicit but sometimes name a home town rather than where one lives; cities less often parse cleanly; pronouns
 * are declared by the owner; bio age cues are indirect (a birth year says nothing about the birthday, "mom of 2" is
 * only a hint); language read from a bio is weaker than language read from what someone wrote in the replies.
 */
const RELIABILITY = { languageText: 0.9, languageBio: 0.7, country: 0.95, city: 0.85, gender: 0.9, age: 0.8 } as const;
/** observations at which the sample-size factor of a confidence reaches 1 − 1/e */
const CONFIDENCE_SCALE = 30;
/** coverage (share of accounts carrying a signal) from which coverage no longer lowers its confidence */
const FULL_COVERAGE = 0.5;
/** profile-only hints: a declared field says where the creator is, not where the audience is */
const PROFILE_HINT_CONFIDENCE = { declared: 0.2, inferred: 0.1 } as const;

const { exp, max, min, round, sqrt } = Math;
const round2 = (x: number): number => round(x * 100) / 100;
const clamp01 = (x: number): number => min(1, max(0, x));

// ---------------------------------------------------------------------------------------------------------------
// shares

/**
 * Turns non-negative weights into shares rounded to 2 decimals whose cents sum to exactly 100: each share is rounded,
 * then the rounding residue goes to the largest bucket (spilling to the next largest in the rare case it would leave
 * [0, 1]). Keeps the input order; an empty or all-zero input gives all zeros.
 */
export function normalizeShares<K>(weights: readonly (readonly [K, number])[]): [K, number][] {
  const clean = weights.map(([k, w]) => [k, Number.isFinite(w) && w > 0 ? w : 0] as const);
  const total = clean.reduce((s, [, w]) => s + w, 0);
  if (total <= 0) return clean.map(([k]) => [k, 0]);
  const cents = clean.map(([, w]) => round((w / total) * 100));
  let residue = 100 - cents.reduce((s, c) => s + c, 0);
  const bySize = clean.map((_, i) => i).sort((a, b) => clean[b]![1] - clean[a]![1] || a - b);
  for (const i of bySize) {
    if (residue === 0) break;
    const next = min(100, max(0, cents[i]! + residue));
    residue -= next - cents[i]!;
    cents[i] = next;
  }
  return clean.map(([k], i) => [k, cents[i]! / 100]);
}

/** A distribution keyed by category, largest share first (ties in `order`), without categories that round to 0. */
function distribution(counts: ReadonlyMap<string, number>, order: (a: string, b: string) => number) {
  const entries = [...counts.entries()].filter(([, w]) => w > 0).sort((a, b) => b[1] - a[1] || order(a[0], b[0]));
  if (entries.length === 0) return null;
  const shares = normalizeShares(entries).sort((a, b) => b[1] - a[1] || order(a[0], b[0]));
  const out: Record<string, number> = {};
  for (const [k, share] of shares) if (share > 0) out[k] = share;
  return out;
}

/** Confidence in one signal: sample-size factor × coverage factor × the signal's own reliability, in [0, 1]. */
export function signalConfidence(observations: number, sampleSize: number, reliability: number): number {
  if (!(observations > 0) || !(sampleSize > 0)) return 0;
  const volume = 1 - exp(-observations / CONFIDENCE_SCALE);
  const coverage = min(1, observations / sampleSize / FULL_COVERAGE);
  return round2(clamp01(reliability * volume * (0.6 + 0.4 * coverage)));
}

/** Confidence in one row of a country/city list: the signal's confidence, lowered by the row's relative error. */
function rowConfidence(count: number, total: number, signal: number): number {
  const p = count / total;
  const relativeError = sqrt((p * (1 - p)) / total) / p;
  return round2(signal * clamp01(1 - relativeError));
}

// ---------------------------------------------------------------------------------------------------------------
// language

/**
 * Languages tinyld may answer with: the major written languages of social media. Without a list, tinyld answers
 * short comments with Latin, Volapük or Esperanto about as often as with the right language.
 */
// prettier-ignore
const DETECTABLE_LANGUAGES = [
  'en', 'es', 'pt', 'fr', 'de', 'it', 'nl', 'id', 'ms', 'tl', 'ja', 'ko', 'zh', 'ru', 'uk', 'ar', 'tr', 'pl', 'vi',
  'th', 'hi', 'sv', 'da', 'no', 'fi', 'ro', 'cs', 'el', 'he', 'hu',
];
/**
 * tinyld's top answer must lead its runner-up by LANGUAGE_MARGIN or score LANGUAGE_DOMINANCE times as much, or the
 * text is too ambiguous to call ("Parte 2?"). The ratio is for longer texts, on which tinyld's scores shrink (0.09
 * against 0.03 is a clear call). On the simulated comments this answers ~73% of them, ~95% correctly.
 */
const LANGUAGE_MARGIN = 0.1;
const LANGUAGE_DOMINANCE = 3;
const URL_RE = /\bhttps?:\/\/\S+|\bwww\.\S+/giu;
const MENTION_RE = /[@#][\p{L}\p{N}_.]+/gu;
const SYMBOL_RE = /[\p{Extended_Pictographic}\p{Emoji_Modifier}\p{Regional_Indicator}\u{FE0F}\u{200D}\u{20E3}]/gu;
/**
 * everything but letters and sentence punctuation: emoji, digits and separators ("|", "·", "•") mislead tinyld into
 * Hindi or Greek
 */
const NOT_PROSE_RE = /[^\p{L}\p{M}\s'’¿¡?!.,-]/gu;
const KANA_RE = /[\u3040-\u30ff]/u;
const HANGUL_RE = /[\uac00-\ud7af]/u;

/**
 * The language of a text (ISO-639-1), with tinyld's heavy profile (the most accurate one on short texts); null for
 * text too short or ambiguous to call: emoji, mentions, links and digits only, fewer than 3 letters (2 in CJK
 * scripts), or no clear winner (see LANGUAGE_MARGIN). Kana is Japanese and Hangul Korean whatever tinyld says.
 */
export function detectLanguage(text: string): string | null {
  if (typeof text !== 'string') return null;
  const clean = text
    .replace(URL_RE, ' ')
    .replace(MENTION_RE, ' ')
    .replace(NOT_PROSE_RE, ' ')
    .replace(/\s+/gu, ' ')
    .trim();
  const letters = clean.match(/\p{L}/gu)?.length ?? 0;
  const cjk = clean.match(/[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]/gu)?.length ?? 0;
  if (letters < 3 && !(cjk >= 2 && cjk === letters)) return null;
  if (KANA_RE.test(clean)) return 'ja';
  if (HANGUL_RE.test(clean)) return 'ko';
  const [top, second] = detectAll(clean, { only: DETECTABLE_LANGUAGES });
  if (!top || top.lang === '' || top.accuracy <= 0) return null;
  if (
    second &&
    top.accuracy - second.accuracy < LANGUAGE_MARGIN &&
    top.accuracy < second.accuracy * LANGUAGE_DOMINANCE
  ) {
    return null;
  }
  return top.lang;
}

/** a bio is read for language only when it has this many letters: shorter ones are mostly names and emoji */
const MIN_BIO_LETTERS_FOR_LANGUAGE = 12;

function bioLanguage(bio: string | null): string | null {
  if (bio === null) return null;
  const letters = bio.replace(URL_RE, ' ').match(/\p{L}/gu)?.length ?? 0;
  return letters >= MIN_BIO_LETTERS_FOR_LANGUAGE ? detectLanguage(bio) : null;
}

let languageNames: Intl.DisplayNames | null | undefined;

function languageName(code: string): string {
  if (languageNames === undefined) {
    try {
      languageNames = new Intl.DisplayNames(['en'], { type: 'language' });
    } catch {
      languageNames = null;
    }
  }
  return languageNames?.of(code) ?? code;
}

// ---------------------------------------------------------------------------------------------------------------
// location

/** Locales whose country names a location may be written in (English first: it wins any clash). */
// prettier-ignore
const LOCATION_LOCALES = ['en', 'es', 'pt', 'fr', 'de', 'it', 'id', 'ms', 'nl', 'tr', 'pl', 'sv', 'ru', 'uk', 'ja',
  'ko', 'zh', 'ar', 'hi', 'th'];

/**
 * The one hand-kept table: [country, canonical English city name or null for a region, other spellings…]. The cities
 * of the simulated world, some major world cities, and regions whose names would otherwise read as another country
 * ("New South Wales" is not Wales) or that name a country without being one ("England").
 */
// prettier-ignore
const PLACES: readonly (readonly [string, string | null, ...string[]])[] = [
  ['US', 'New York', 'nyc', 'new york city'], ['US', 'Los Angeles', 'la'], ['US', 'Chicago'], ['US', 'Houston'],
  ['US', 'Miami'], ['US', 'San Francisco'], ['US', 'Atlanta'], ['US', 'Seattle'], ['US', 'Boston'], ['US', 'Dallas'],
  ['US', null, 'california', 'texas', 'florida', 'new jersey', 'new mexico'],
  ['GB', 'London'], ['GB', 'Manchester'], ['GB', null, 'england', 'scotland', 'wales', 'northern ireland'],
  ['IE', 'Dublin'], ['CA', 'Toronto'], ['CA', 'Vancouver'], ['CA', 'Montreal', 'montréal'],
  ['AU', 'Sydney'], ['AU', 'Melbourne'], ['AU', null, 'new south wales'], ['NG', 'Lagos'], ['NG', 'Abuja'],
  ['PH', 'Manila'], ['IN', 'Mumbai', 'bombay'], ['IN', 'Delhi', 'new delhi'], ['IN', 'Bangalore', 'bengaluru'],
  ['ES', 'Madrid'], ['ES', 'Barcelona'], ['MX', 'Mexico City', 'ciudad de méxico', 'cdmx'], ['MX', 'Guadalajara'],
  ['AR', 'Buenos Aires'], ['CO', 'Bogotá'], ['CO', 'Medellín'], ['PE', 'Lima'], ['CL', 'Santiago'],
  ['BR', 'São Paulo'], ['BR', 'Rio de Janeiro'], ['PT', 'Lisbon', 'lisboa'], ['PT', 'Porto'],
  ['FR', 'Paris'], ['FR', 'Lyon'], ['FR', 'Marseille'], ['BE', 'Brussels', 'bruxelles', 'brussel'],
  ['NL', 'Amsterdam'], ['DE', 'Berlin'], ['DE', 'Munich', 'münchen'], ['DE', 'Hamburg'], ['AT', 'Vienna', 'wien'],
  ['CH', 'Zurich', 'zürich'], ['IT', 'Milan', 'milano'], ['IT', 'Rome', 'roma'], ['IT', 'Naples', 'napoli'],
  ['IT', 'Turin', 'torino'], ['ID', 'Jakarta'], ['ID', 'Surabaya'], ['JP', 'Tokyo', '東京'], ['JP', 'Osaka', '大阪'],
  ['KR', 'Seoul'], ['CN', 'Beijing'], ['CN', 'Shanghai'], ['TH', 'Bangkok'], ['TR', 'Istanbul'], ['RU', 'Moscow'],
  ['EG', 'Cairo'], ['AE', 'Dubai'], ['ZA', 'Johannesburg'], ['ZA', 'Cape Town'], ['KE', 'Nairobi'],
];

interface LocationIndex {
  /** normalised country name in any LOCATION_LOCALES → alpha-2 */
  names: Map<string, { code: string; english: boolean }>;
  places: Map<string, { country: string; city: string | null }>;
  /** the longest name in words, bounding the n-gram scan */
  maxWords: number;
}

let locationIndex: LocationIndex | undefined;

/** lower case, Latin diacritics and dots/apostrophes dropped, "&" as "and", single spaces */
function normalizeName(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/gu, '')
    .normalize('NFC')
    .toLowerCase()
    .replace(/[.'’]/gu, '')
    .replace(/&/gu, ' and ')
    .replace(/\s+/gu, ' ')
    .trim();
}

function index(): LocationIndex {
  if (locationIndex) return locationIndex;
  const names = new Map<string, { code: string; english: boolean }>();
  const places = new Map<string, { country: string; city: string | null }>();
  let maxWords = 1;
  const registered = new Set(countries.langs());
  for (const lang of LOCATION_LOCALES) {
    if (!registered.has(lang)) continue;
    for (const [code, all] of Object.entries(countries.getNames(lang, { select: 'all' }))) {
      for (const name of all) {
        const key = normalizeName(name);
        if (key === '' || names.has(key)) continue;
        // short non-English names are everyday words elsewhere ("oma", "cin", "fas")
        if (lang !== 'en' && key.length < 4 && /^[a-z]+$/u.test(key)) continue;
        names.set(key, { code, english: lang === 'en' });
        maxWords = max(maxWords, key.split(' ').length);
      }
    }
  }
  for (const [country, city, ...aliases] of PLACES) {
    for (const alias of [...(city === null ? [] : [city]), ...aliases]) {
      const key = normalizeName(alias);
      places.set(key, { country, city });
      maxWords = max(maxWords, key.split(' ').length);
    }
  }
  locationIndex = { names, places, maxWords };
  return locationIndex;
}

const FLAG_RE = /\p{Regional_Indicator}{2}/gu;
const SEGMENT_SPLIT_RE = /[,;|/•·()[\]{}\n]|\s[-–—~>]+\s|\s[-–—]+|[-–—]+\s|\s{2,}/u;
const LEADING_WORDS_RE =
  /^(?:(?:currently|now|proudly|based|living|live|lives|located|born|raised|and|from|in|at|near|out of|desde|de|da|aus|di|dari|à|a)\s+)+/iu;
const CITY_LIKE_RE = /^\p{L}[\p{L}\p{M} .'’-]{1,39}$/u;

function flagCode(flag: string): string | null {
  const points = [...flag].map((ch) => (ch.codePointAt(0) ?? 0) - 0x1f1e6 + 65);
  const code = String.fromCharCode(...points);
  return /^[A-Z]{2}$/u.test(code) && countries.isValid(code) ? code : null;
}

interface SegmentHits {
  text: string;
  /** a country named in full or by code */
  country: string | null;
  place: { country: string; city: string | null } | null;
}

function readSegment(raw: string): SegmentHits {
  const text = raw.replace(LEADING_WORDS_RE, '').trim();
  const hits: SegmentHits = { text, country: null, place: null };
  if (text === '') return hits;
  const { names, places, maxWords } = index();
  const whole = normalizeName(text);
  // "LA" is Los Angeles far more often than Laos
  if (text === 'LA') return { ...hits, place: places.get('la') ?? null };
  // ISO codes only in capitals and on their own ("Rome, IT"): "it", "in" and "no" are words
  if (/^[A-Z]{2}$/u.test(text) && countries.isValid(text)) return { ...hits, country: text };
  if (/^[A-Z]{3}$/u.test(text)) {
    const alpha2 = countries.alpha3ToAlpha2(text);
    if (alpha2 !== undefined) return { ...hits, country: alpha2 };
  }
  const name = names.get(whole);
  if (name) return { ...hits, country: name.code };
  const place = places.get(whole);
  if (place) return { ...hits, place };
  // within a phrase ("born and raised in Italy", "Milan Italy"), longest match first; English names only, since
  // foreign ones collide with everyday words ("gana", "kina")
  const words = whole.split(' ');
  for (let n = min(maxWords, words.length); n >= 1; n--) {
    for (let i = 0; i + n <= words.length; i++) {
      const gram = words.slice(i, i + n).join(' ');
      if (gram.length < 4) continue;
      const p = places.get(gram);
      if (p && hits.place === null) hits.place = p;
      const c = names.get(gram);
      if (c?.english && hits.country === null) hits.country = c.code;
    }
    if (hits.country !== null || hits.place !== null) break;
  }
  return hits;
}

/**
 * Parses a free-text location into a country code (and city when named); null when nothing is recognised.
 *
 * Countries: names in English or a dozen other languages (i18n-iso-countries), capitalised ISO alpha-2/alpha-3 codes
 * standing alone ("Rome, IT"), and flag emoji. Cities: the short PLACES table ("📍 Milan", "Milano", "NYC"), or any
 * name-like part written next to a named country ("Bergamo, Italy" → IT/Bergamo). A named country wins over a flag,
 * which wins over a city's country; when several countries are named, the first one does.
 */
export function parseLocation(text: string): { country: string; city: string | null } | null {
  if (typeof text !== 'string' || text.trim() === '') return null;
  const flags = [...text.matchAll(FLAG_RE)].map((m) => flagCode(m[0])).filter((c): c is string => c !== null);
  const stripped = text.replace(FLAG_RE, ' ').replace(SYMBOL_RE, ' ');
  const segments = stripped
    .split(SEGMENT_SPLIT_RE)
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(readSegment);
  const named = segments.findIndex((s) => s.country !== null);
  const country =
    named >= 0
      ? (segments[named]!.country as string)
      : (flags[0] ?? segments.find((s) => s.place !== null)?.place?.country ?? null);
  if (country === null) return null;

  let city: string | null = null;
  const known = segments.find((s) => s.place !== null && s.place.city !== null && s.place.country === country);
  if (known) city = known.place!.city;
  else if (named >= 0) {
    // "Bergamo, Italy": the capitalised, name-like part next to the country, when it names nothing else ("love,
    // Italy" names no city)
    const candidates = [segments[named - 1], segments[named + 1]].filter(
      (s): s is SegmentHits =>
        s !== undefined &&
        s.country === null &&
        (s.place === null || s.place.city !== null) &&
        CITY_LIKE_RE.test(s.text) &&
        !/^\p{Ll}/u.test(s.text) &&
        s.text.split(/\s+/u).length <= 4,
    );
    if (candidates[0]) city = candidates[0].text;
  }
  return { country, city };
}

/** "Italy", "United States", "United Kingdom": the common English name, not "United States of America" or "UK" */
export function countryName(code: string): string {
  const all = countries.getName(code, 'en', { select: 'all' }) ?? [];
  const official = all[0] ?? code;
  const alias = countries.getName(code, 'en', { select: 'alias' });
  return alias !== undefined && alias.length > 3 ? alias : official;
}

// ---------------------------------------------------------------------------------------------------------------
// gender and age

export type InferredGender = 'female' | 'male' | 'other';

/**
 * Gender from declared pronouns: she/… → female, he/… → male, they/them (and neopronouns) → 'other', reported as its
 * own share rather than folded into "unknown", since it is a declaration too. Null when nothing is declared.
 */
export function genderFromPronouns(pronouns: string | null): InferredGender | null {
  if (pronouns === null) return null;
  const first = pronouns
    .toLowerCase()
    .replace(/[()[\]]/gu, ' ')
    .trim()
    .split(/[\s/|,]+/u)[0];
  if (first === undefined || first === '') return null;
  if (['she', 'her', 'ela', 'ella', 'elle'].includes(first)) return 'female';
  if (['he', 'him', 'ele', 'el', 'él', 'il', 'lui'].includes(first)) return 'male';
  if (['they', 'them', 'xe', 'ze', 'zie', 'ey', 'fae', 'any'].includes(first)) return 'other';
  return null;
}

export interface AgeCue {
  band: AgeBand;
  /** 1 for a stated age or birth year, less for indirect cues */
  weight: number;
}

const MIN_AGE = 13;
const MAX_AGE = 90;
/** the age at which "class of YYYY" graduates (high school) */
const GRADUATION_AGE = 18;
const AGE_UNIT_RE =
  /(?<!\d)(\d{2})\s*(?:y\/?o|yo|yrs?(?: old)?|years? old|anni|años|anos|ans|jahre|tahun|歳|才)(?![\p{L}])/iu;
const AGE_LABEL_RE = /\bage[d]?\s*:?\s*(\d{2})(?!\d)/iu;
const LEADING_AGE_RE = /^\s*(\d{2})\s*(?:[|•·,;–—-]|$)/u;
const BIRTH_YEAR_RE =
  /(?:\best\.?|\bborn(?:\s+in)?|\bb\.|\bnat[oa]\s+nel|\bnacid[oa]\s+en|\bnée?\s+en|\bgeboren|\bsince)\s*((?:19|20)\d{2})(?!\d)/iu;
const SHORT_YEAR_RE = /(?:^|\s)['’‘`](\d{2})(?!\d)/u;
const CLASS_OF_RE = /\b(?:class\s+of|c\/o)\s*['’]?((?:20)?\d{2})(?!\d)/iu;
const PARENT_RE =
  /\b(?:mom|mum|mommy|mama|mamma|mother|mãe|maman|mutter|ibu|dad|daddy|father|papa|papà|papá|pai|vater|ayah|parent)\s+(?:of|de|di|von|dari)\s+(?:\d|one|two|three|four|five)\b/iu;

function bandOf(age: number): AgeBand | null {
  if (!(age >= MIN_AGE && age <= MAX_AGE)) return null;
  if (age <= 17) return '13-17';
  if (age <= 24) return '18-24';
  if (age <= 34) return '25-34';
  if (age <= 44) return '35-44';
  return '45+';
}

/**
 * An age band from cues in a bio, relative to `referenceYear`: a stated age ("19 | uni life", "22 y/o", "22 anni"),
 * a birth year ("est. 1988", "'05"), a graduation year ("class of 2027": 18 that year; weight 0.8), or parenthood
 * ("mom of 2": 25-34, a weak cue; weight 0.5). Null when the bio gives nothing away.
 */
export function ageFromBio(bio: string | null, referenceYear: number): AgeCue | null {
  if (bio === null || bio.trim() === '') return null;
  const stated = AGE_UNIT_RE.exec(bio) ?? AGE_LABEL_RE.exec(bio) ?? LEADING_AGE_RE.exec(bio);
  if (stated) {
    const band = bandOf(Number(stated[1]));
    if (band) return { band, weight: 1 };
  }
  const born = BIRTH_YEAR_RE.exec(bio);
  if (born) {
    const band = bandOf(referenceYear - Number(born[1]));
    if (band) return { band, weight: 1 };
  }
  const short = SHORT_YEAR_RE.exec(bio);
  if (short) {
    const yy = Number(short[1]);
    const year = yy <= referenceYear % 100 ? 2000 + yy : 1900 + yy;
    const band = bandOf(referenceYear - year);
    if (band) return { band, weight: 1 };
  }
  const graduates = CLASS_OF_RE.exec(bio);
  if (graduates) {
    const raw = Number(graduates[1]);
    const year = raw < 100 ? 2000 + raw : raw;
    const band = bandOf(GRADUATION_AGE - (year - referenceYear));
    if (band) return { band, weight: 0.8 };
  }
  if (PARENT_RE.test(bio)) return { band: '25-34', weight: 0.5 };
  return null;
}

// ---------------------------------------------------------------------------------------------------------------
// the analysis

interface Observed {
  language: string | null;
  languageFromText: boolean;
  location: { country: string; city: string | null } | null;
  gender: InferredGender | null;
  age: AgeCue | null;
}

function observe(account: AudienceAccount, texts: readonly string[], referenceYear: number): Observed {
  const fromText = texts.length > 0 ? detectLanguage(texts.join('\n')) : null;
  const language = fromText ?? bioLanguage(account.bio);
  return {
    language,
    languageFromText: fromText !== null,
    location: account.location === null ? null : parseLocation(account.location),
    gender: genderFromPronouns(account.pronouns),
    age: ageFromBio(account.bio, referenceYear),
  };
}

function referenceYearOf(referenceDate: string): number {
  const ms = Date.parse(referenceDate);
  if (Number.isNaN(ms)) throw new RangeError(`referenceDate must be an ISO 8601 date, got "${referenceDate}"`);
  return new Date(ms).getUTCFullYear();
}

const increment = (m: Map<string, number>, key: string, by = 1) => m.set(key, (m.get(key) ?? 0) + by);
const ageOrder = (a: string, b: string) => AGE_BANDS.indexOf(a as AgeBand) - AGE_BANDS.indexOf(b as AgeBand);

/** Top rows with their confidences, then "Other (K …)" for the rest; shares sum to 1 including that row. */
function rankedRows(
  counts: ReadonlyMap<string, number>,
  top: number,
  signal: number,
  label: (key: string) => { code: string; name: string },
  otherNoun: [string, string],
): { code?: string; name: string; pct: number; confidence?: number }[] | null {
  const ranked = [...counts.entries()].sort((a, b) => b[1] - a[1] || cmpStr(a[0], b[0]));
  const total = ranked.reduce((s, [, c]) => s + c, 0);
  if (total === 0) return null;
  // a row that would show as 0% joins the remainder instead
  const shown = ranked.slice(0, top).filter(([, c]) => c / total >= 0.005);
  const rest = ranked.slice(shown.length);
  const restCount = rest.reduce((s, [, c]) => s + c, 0);
  const buckets: [string | null, number][] = shown.map(([k, c]) => [k, c]);
  if (rest.length > 0) buckets.push([null, restCount]);
  const shares = normalizeShares(buckets);
  return shares.map(([key, share], i) => {
    if (key === null) {
      return { name: `Other (${rest.length} ${rest.length === 1 ? otherNoun[0] : otherNoun[1]})`, pct: share };
    }
    const { code, name } = label(key);
    return { code, name, pct: share, confidence: rowConfidence(buckets[i]![1], total, signal) };
  });
}

function levelOf(sampleSize: number, confidences: readonly number[]): ConfidenceLevel {
  const mean = confidences.reduce((s, c) => s + c, 0) / confidences.length;
  const { high, medium } = CONFIDENCE_THRESHOLDS;
  if (sampleSize >= high.sampleSize && mean >= high.meanConfidence) return 'high';
  if (sampleSize >= medium.sampleSize && mean >= medium.meanConfidence) return 'medium';
  return 'low';
}

/**
 * The snapshot for a sample of audience accounts: commenters (with what they wrote) and, on the TikTok fallback,
 * followers. Accounts are counted once by handle (case-insensitive; a commenter wins over the same follower).
 */
export function analyzeAudience(
  evidence: AudienceEvidence,
  dataSource: Exclude<AudienceDataSource, 'profile_only'>,
): AudienceSnapshotData {
  const referenceYear = referenceYearOf(evidence.referenceDate);
  const seen = new Set<string>();
  const observed: Observed[] = [];
  let commenters = 0;
  let followers = 0;
  for (const { account, texts } of evidence.commenters) {
    const key = account.handle.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    commenters += 1;
    observed.push(observe(account, texts, referenceYear));
  }
  for (const account of evidence.followers) {
    const key = account.handle.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    followers += 1;
    observed.push(observe(account, [], referenceYear));
  }
  const n = observed.length;

  const languages = new Map<string, number>();
  const countryCounts = new Map<string, number>();
  const cityCounts = new Map<string, number>();
  const genders = new Map<string, number>();
  const ages = new Map<string, number>();
  let languageFromText = 0;
  let located = 0;
  let withCity = 0;
  let withGender = 0;
  let ageWeight = 0;
  let withAgeCue = 0;
  for (const o of observed) {
    if (o.language !== null) {
      increment(languages, o.language);
      if (o.languageFromText) languageFromText += 1;
    }
    if (o.location !== null) {
      located += 1;
      increment(countryCounts, o.location.country);
      if (o.location.city !== null) {
        withCity += 1;
        increment(cityCounts, `${o.location.country}\u001f${o.location.city}`);
      }
    }
    if (o.gender !== null) {
      withGender += 1;
      increment(genders, o.gender);
    }
    if (o.age !== null) {
      withAgeCue += 1;
      ageWeight += o.age.weight;
      increment(ages, o.age.band, o.age.weight);
    }
  }
  const withLanguage = [...languages.values()].reduce((s, c) => s + c, 0);
  const languageReliability =
    withLanguage === 0
      ? 0
      : (languageFromText * RELIABILITY.languageText + (withLanguage - languageFromText) * RELIABILITY.languageBio) /
        withLanguage;
  const confidence = {
    age: signalConfidence(ageWeight, n, RELIABILITY.age),
    gender: signalConfidence(withGender, n, RELIABILITY.gender),
    country: signalConfidence(located, n, RELIABILITY.country),
    city: signalConfidence(withCity, n, RELIABILITY.city),
    language: signalConfidence(withLanguage, n, languageReliability),
  };

  const languageDistribution = distribution(languages, cmpStr);
  const countryDistribution = rankedRows(
    countryCounts,
    TOP_COUNTRIES,
    confidence.country,
    (code) => ({ code, name: countryName(code) }),
    ['country', 'countries'],
  );
  const cityDistribution = rankedRows(
    cityCounts,
    TOP_CITIES,
    confidence.city,
    (key) => {
      const [code, name] = key.split('\u001f') as [string, string];
      return { code, name };
    },
    ['city', 'cities'],
  );

  const summary = evidenceSummary({
    dataSource,
    commenters,
    followers,
    postsSampled: evidence.postsSampled,
    n,
    located,
    withGender,
    withAgeCue,
    withLanguage,
    topLanguage: languageDistribution ? Object.entries(languageDistribution)[0] : undefined,
    topCountry: countryDistribution?.find((r) => r.code !== undefined),
  });

  return {
    sample_size: n,
    age_distribution: distribution(ages, ageOrder),
    gender_distribution: distribution(genders, cmpStr),
    language_distribution: languageDistribution,
    country_distribution: countryDistribution,
    city_distribution: cityDistribution,
    confidence_per_signal: confidence,
    confidence_level: levelOf(n, Object.values(confidence)),
    data_source: dataSource,
    signal_breakdown: { comments: commenters, followers },
    evidence_summary: summary,
    model_version: AUDIENCE_MODEL_VERSION,
  };
}

const plural = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;

function evidenceSummary(s: {
  dataSource: Exclude<AudienceDataSource, 'profile_only'>;
  commenters: number;
  followers: number;
  postsSampled: number;
  n: number;
  located: number;
  withGender: number;
  withAgeCue: number;
  withLanguage: number;
  topLanguage: [string, number] | undefined;
  topCountry: CountryShare | undefined;
}): string {
  const posts =
    s.dataSource === 'comments_extended'
      ? `${plural(s.postsSampled, 'post', 'posts')} (the comment window was widened because recent posts drew too few commenters)`
      : `${plural(s.postsSampled, 'recent post', 'recent posts')}`;
  let sample = `Sample of ${plural(s.commenters, 'commenter', 'commenters')} drawn from ${posts}`;
  if (s.dataSource === 'comments_and_followers' || s.followers > 0) {
    sample += `, blended with ${plural(s.followers, 'follower account', 'follower accounts')} because commenters were too few`;
  }
  if (s.n === 0) return `${sample}; no accounts to analyse.`;
  const share = (count: number) => pct(count / s.n);
  const declared =
    `${share(s.located)} declared a location, ${share(s.withGender)} pronouns and ${share(s.withAgeCue)} an ` +
    `age cue in their bio; the language of ${share(s.withLanguage)} could be read`;
  const findings: string[] = [];
  if (s.topLanguage) findings.push(`most write in ${languageName(s.topLanguage[0])} (${pct(s.topLanguage[1])})`);
  if (s.topCountry) findings.push(`the largest country is ${s.topCountry.name} (${pct(s.topCountry.pct)})`);
  const tail = findings.length > 0 ? `. Among them, ${findings.join(' and ')}` : '';
  return `${sample}; ${declared}${tail}.`;
}

// ---------------------------------------------------------------------------------------------------------------
// the last rung

/**
 * The last rung: a low-confidence hint from the creator's declared country, language and bio; null when the profile
 * declares none of them (→ INSUFFICIENT_SAMPLE). A declared field is used as is; without one, the language is read
 * from the bio and the country from a "📍 place" in it. A bio that yields neither counts as no declaration.
 */
export function profileOnlyHint(
  profile: Pick<ProfileMetrics, 'country' | 'language' | 'bio' | 'handle' | 'platform'>,
): AudienceSnapshotData | null {
  const declaredLanguage = /^[a-z]{2}(?:[-_][a-z0-9]+)?$/iu.test(profile.language?.trim() ?? '')
    ? (profile.language as string).trim().slice(0, 2).toLowerCase()
    : null;
  const language = declaredLanguage ?? bioLanguage(profile.bio);
  const declaredCountry = profile.country?.trim().toUpperCase() ?? '';
  let country = /^[A-Z]{2}$/u.test(declaredCountry) && countries.isValid(declaredCountry) ? declaredCountry : null;
  const countryDeclared = country !== null;
  if (country === null && profile.bio !== null) {
    const pinned = /📍\s*([^|•·\n]+)/u.exec(profile.bio);
    country = pinned ? (parseLocation(pinned[1] as string)?.country ?? null) : null;
  }
  if (language === null && country === null) return null;

  const languageConfidence =
    language === null
      ? 0
      : declaredLanguage !== null
        ? PROFILE_HINT_CONFIDENCE.declared
        : PROFILE_HINT_CONFIDENCE.inferred;
  const countryConfidence =
    country === null ? 0 : countryDeclared ? PROFILE_HINT_CONFIDENCE.declared : PROFILE_HINT_CONFIDENCE.inferred;
  const what = [
    ...(country === null ? [] : [`country: ${countryName(country)}`]),
    ...(language === null ? [] : [`language: ${languageName(language)}`]),
  ].join(', ');
  return {
    sample_size: 0,
    age_distribution: null,
    gender_distribution: null,
    language_distribution: language === null ? null : { [language]: 1 },
    country_distribution:
      country === null ? null : [{ code: country, name: countryName(country), pct: 1, confidence: countryConfidence }],
    city_distribution: null,
    confidence_per_signal: { age: 0, gender: 0, country: countryConfidence, city: 0, language: languageConfidence },
    confidence_level: 'low',
    data_source: 'profile_only',
    signal_breakdown: { comments: 0, followers: 0 },
    evidence_summary:
      `No audience sample could be drawn for @${profile.handle} on ${PLATFORM_NAMES[profile.platform]}, so this is ` +
      `only a low-confidence hint from the creator's declared profile (${what}), not a measurement of the audience. ` +
      'Profile-only snapshots are refunded.',
    model_version: AUDIENCE_MODEL_VERSION,
  };
}
