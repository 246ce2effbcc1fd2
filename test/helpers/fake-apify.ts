/**
 * A fake Apify API for `FakeUpstream`: the run, abort and dataset endpoints the Apify provider calls, serving the
 * dataset items of the actors it uses from an `ApifyWorld` the test controls (and changes between calls).
 *
 * Endpoints: `POST /v2/actors/{actor}/runs` (also `/v2/acts/…`) → 201 `{ data: run }`; `GET /v2/actor-runs/{id}`
 * (held up to `pollDelayMs` while the run is RUNNING); `POST /v2/actor-runs/{id}/abort`;
 * `GET /v2/datasets/{id}/items?offset&limit` → a bare JSON array with `X-Apify-Pagination-*` headers. Errors use
 * Apify's `{ error: { type, message } }` body. Only `Authorization: Bearer <world.token>` authenticates.
 *
 * Accounts as the actors report them: an unknown TikTok handle gives an empty dataset; a private TikTok account one
 * item carrying only `authorMeta` (`privateAccount: true`); an unknown Instagram username an item with
 * `error: "not_found"`; a private Instagram profile its item with `private: true` and no posts, and the post scraper
 * an `error: "no_items"` item for it.
 *
 * The comment actors take many post URLs in one run and apply their limit per URL (`commentsPerPost`, `resultsLimit`);
 * TikTok comment items carry the URL submitted (`submittedVideoUrl`, `input`) and `videoWebUrl`, Instagram ones the
 * post's `postUrl` (an unknown post gives an `error: "not_found"` item with its `inputUrl`).
 */
import { DAY_MS as DAY } from '../../domain/time';
import { APIFY_DEFAULT_ACTORS } from '../../providers/apify';
import apiErrors from '../fixtures/apify/api-errors.json';
import instagramCommentFixture from '../fixtures/apify/instagram-comment-scraper-item.json';
import instagramErrorItems from '../fixtures/apify/instagram-error-items.json';
import instagramPostFixture from '../fixtures/apify/instagram-post-scraper-item.json';
import instagramProfileFixture from '../fixtures/apify/instagram-profile-scraper-item.json';
import runFixture from '../fixtures/apify/run.json';
import tiktokCommentFixture from '../fixtures/apify/tiktok-comments-scraper-item.json';
import tiktokFollowerFixture from '../fixtures/apify/tiktok-followers-scraper-item.json';
import tiktokVideoFixture from '../fixtures/apify/tiktok-scraper-item.json';
import tiktokSoundFixture from '../fixtures/apify/tiktok-sound-scraper-item.json';
import type { UpstreamHandler, UpstreamReply, UpstreamRequest } from './fake-upstream';

export type Json = Record<string, any>;

export interface FakeTikTokAccount {
  /** the scraper's `authorMeta`, served on every video item (`privateAccount: true` makes the account private) */
  authorMeta: Json;
  /** video items without `authorMeta`, newest first, as the profile lists them */
  videos: Json[];
  /** items served verbatim for this profile instead (e.g. an actor's error item) */
  raw?: Json[];
}

export interface FakeInstagramAccount {
  /** the profile scraper's item without `latestPosts` (`private: true` makes the account private) */
  profile: Json;
  /** post items as the post scraper gives them, newest first; the profile item carries the first 12 */
  posts: Json[];
  /** items served verbatim for this profile instead */
  raw?: Json[];
}

/** Where a fault strikes: starting a run, polling it, aborting it, or reading a dataset. */
export type ApifyStage = 'start' | 'poll' | 'abort' | 'dataset';

export type ApifyFault =
  /** an API error: 402 not-enough-usage, 429 (with Retry-After), 401, 5xx… (type and message default per status) */
  | { kind: 'http'; status: number; errorType?: string; message?: string; retryAfter?: string }
  /** 200 with a body that is not JSON */
  | { kind: 'malformed' }
  /** no answer until the client gives up */
  | { kind: 'hang' }
  /** the run ends with this status (at `start` only) */
  | { kind: 'run-status'; status: 'TIMED-OUT' | 'FAILED' | 'ABORTED'; statusMessage?: string }
  /** the run stays RUNNING until aborted (at `start` only) */
  | { kind: 'still-running' };

export interface ApifyFaultRule {
  fault: ApifyFault;
  /** default `start` */
  on?: ApifyStage;
  /** strikes this many times, then clears itself; without it the fault stays until the test clears it */
  times?: number;
  /** only runs of this actor (start) */
  actor?: string;
}

export interface FakeRun {
  id: string;
  actorId: string;
  input: Json;
  /** the run's query parameters (timeout, maxItems, waitForFinish) */
  query: Record<string, string>;
  status: string;
  statusMessage: string | null;
  datasetId: string;
  aborted: boolean;
}

export interface ApifyWorld {
  token: string;
  actors: typeof APIFY_DEFAULT_ACTORS & { tiktokFollowers: string };
  /** by lowercase handle */
  tiktok: Record<string, FakeTikTokAccount>;
  instagram: Record<string, FakeInstagramAccount>;
  /** comment items by TikTok video id, as the comments scraper gives them */
  tiktokComments: Record<string, Json[]>;
  /** comment items by Instagram shortcode */
  instagramComments: Record<string, Json[]>;
  /** follower items by TikTok handle, as the followers scraper gives them */
  tiktokFollowers: Record<string, Json[]>;
  /** the sound scraper's items by music id (whole video items, `authorMeta` and `musicMeta` included), in its order */
  tiktokSounds: Record<string, Json[]>;
  fault: ApifyFaultRule | null;
  /** every run started, in order */
  runs: FakeRun[];
  datasets: Map<string, Json[]>;
  /** how long a poll of a RUNNING run is held (the real API holds it up to `waitForFinish` seconds) */
  pollDelayMs: number;
}

export const APIFY_TEST_TOKEN = 'apify_api_TESTtoken0123456789abcdefSECRET';
export const WORLD_TIKTOK_HANDLE = 'chef.lina';
export const WORLD_INSTAGRAM_HANDLE = 'studio.nara';
export const WORLD_TIKTOK_VIDEOS = 120;
export const WORLD_INSTAGRAM_POSTS = 80;

const clone = <T>(value: T): T => structuredClone(value);
const without = (item: Json, ...keys: string[]): Json => {
  const copy = clone(item);
  for (const key of keys) delete copy[key];
  return copy;
};

/** A TikTok `authorMeta` like the scraper's, with overrides. */
export function tiktokAuthor(overrides: Json = {}): Json {
  return { ...clone(tiktokVideoFixture.authorMeta), ...overrides };
}

/** A TikTok video item (without `authorMeta`) like the scraper's; `videoMeta` overrides merge into its own. */
export function tiktokVideo(overrides: Json = {}): Json {
  const base = without(tiktokVideoFixture, 'authorMeta', 'input', 'fromProfileSection');
  return { ...base, ...overrides, videoMeta: { ...base.videoMeta, ...overrides.videoMeta } };
}

/** A sound scraper item (a video using the sound) like the fixture; `authorMeta` overrides merge into its own. */
export function tiktokSoundVideo(overrides: Json = {}): Json {
  const base = clone(tiktokSoundFixture) as Json;
  return { ...base, ...overrides, authorMeta: { ...base.authorMeta, ...overrides.authorMeta } };
}

export function tiktokComment(overrides: Json = {}): Json {
  return { ...clone(tiktokCommentFixture), ...overrides };
}

export function tiktokFollower(overrides: Json = {}): Json {
  const base = clone(tiktokFollowerFixture);
  return { ...base, ...overrides, authorMeta: { ...base.authorMeta, ...overrides.authorMeta } };
}

/** An Instagram profile item (without `latestPosts`) like the profile scraper's. */
export function instagramProfile(overrides: Json = {}): Json {
  return { ...without(instagramProfileFixture, 'latestPosts'), ...overrides };
}

export function instagramPost(overrides: Json = {}): Json {
  return { ...clone(instagramPostFixture), ...overrides };
}

export function instagramComment(overrides: Json = {}): Json {
  return { ...clone(instagramCommentFixture), ...overrides };
}

/** A world with nobody in it. */
export function emptyApifyWorld(): ApifyWorld {
  return {
    token: APIFY_TEST_TOKEN,
    actors: { ...APIFY_DEFAULT_ACTORS, tiktokFollowers: 'clockworks~tiktok-followers-scraper' },
    tiktok: {},
    instagram: {},
    tiktokComments: {},
    instagramComments: {},
    tiktokFollowers: {},
    tiktokSounds: {},
    fault: null,
    runs: [],
    datasets: new Map(),
    pollDelayMs: 20,
  };
}

const COMMENTERS = [
  'mara_eats', 'kiln.and.co', 'sam.bakes', 'joao.cozinha', 'lea.mange', 'tom_grills', 'yuki.bento', 'ana.sabores',
  'felix.kocht', 'giulia.cucina', 'dewi.masak', 'nina.vegan', 'omar.spice', 'priya.tiffin', 'lucas.pao', 'emma.bakes',
]; // prettier-ignore
const TIKTOK_TAGS = ['cooking', 'recipe', 'dinner', 'easyrecipes', 'foodtok', 'fyp'];
const INSTAGRAM_TAGS = ['ceramics', 'pottery', 'handmade', 'kyoto', 'studio'];

/**
 * One TikTok creator (`WORLD_TIKTOK_HANDLE`, 120 videos, comments on each, 60 followers) and one Instagram creator
 * (`WORLD_INSTAGRAM_HANDLE`, 80 posts: every third a photo, every tenth with likes hidden; comments on each). Numbers
 * follow from the index (0 = newest); read them back from `world.tiktok[handle].videos[i]` and
 * `world.instagram[handle].posts[i]`, e.g. `playCount`, `diggCount`, `videoPlayCount`, `likesCount`.
 */
export function apifyWorld(): ApifyWorld {
  const world = emptyApifyWorld();
  const newest = Date.parse('2026-06-10T18:00:00.000Z');

  const videos: Json[] = [];
  for (let i = 0; i < WORLD_TIKTOK_VIDEOS; i++) {
    const id = (7_500_000_000_000_000_000n - BigInt(i) * 1_000_003_000n).toString();
    const plays = 1_523_000 - i * 9_000;
    const created = newest - i * 1.5 * DAY;
    const tags = [TIKTOK_TAGS[i % 2]!, TIKTOK_TAGS[2 + (i % 4)]!];
    videos.push(
      tiktokVideo({
        id,
        text: `Recipe ${WORLD_TIKTOK_VIDEOS - i} ${tags.map((t) => `#${t}`).join(' ')}`,
        createTime: Math.floor(created / 1000),
        createTimeISO: new Date(created).toISOString(),
        webVideoUrl: `https://www.tiktok.com/@${WORLD_TIKTOK_HANDLE}/video/${id}`,
        videoMeta: {
          duration: 10 + ((i * 7) % 50),
          coverUrl: `https://p16-sign-va.tiktokcdn.com/obj/tos-maliva-p-0068/cover-${id}.jpeg`,
          originalCoverUrl: `https://p16-sign-va.tiktokcdn.com/obj/tos-maliva-p-0068/origin-${id}.jpeg`,
        },
        playCount: plays,
        diggCount: Math.floor(plays / 16),
        commentCount: Math.floor(plays / 1160),
        shareCount: Math.floor(plays / 712),
        collectCount: Math.floor(plays / 175),
        hashtags: tags.map((name, n) => ({ id: String(7000 + n), name, title: '', cover: '' })),
        isPinned: false,
      }),
    );
    world.tiktokComments[id] = Array.from({ length: 5 + (i % 7) * 5 }, (_, c) =>
      tiktokComment({
        cid: `${id.slice(0, 12)}${String(c).padStart(7, '0')}`,
        createTime: Math.floor((created + (c + 1) * 600_000) / 1000),
        createTimeISO: new Date(created + (c + 1) * 600_000).toISOString(),
        text: `Comment ${c + 1} on recipe ${WORLD_TIKTOK_VIDEOS - i}`,
        diggCount: (c * 13 + i) % 200,
        uniqueId: COMMENTERS[(i + c) % COMMENTERS.length],
        uid: String(6_900_000_000_000_000_000n + BigInt((i + c) % COMMENTERS.length)),
        replyCommentTotal: c % 3,
        videoWebUrl: `https://www.tiktok.com/@${WORLD_TIKTOK_HANDLE}/video/${id}`,
      }),
    );
  }
  world.tiktok[WORLD_TIKTOK_HANDLE] = {
    authorMeta: tiktokAuthor({
      name: WORLD_TIKTOK_HANDLE,
      profileUrl: `https://www.tiktok.com/@${WORLD_TIKTOK_HANDLE}`,
      video: videos.length,
      heart: videos.reduce((sum, v) => sum + (v.diggCount as number), 0),
    }),
    videos,
  };
  world.tiktokFollowers[WORLD_TIKTOK_HANDLE] = Array.from({ length: 60 }, (_, f) =>
    tiktokFollower({
      authorMeta: {
        id: String(7_100_000_000_000_000_000n + BigInt(f)),
        name: `follower.${f}`,
        nickName: `Follower ${f}`,
        signature: f % 2 === 0 ? `home cook #${f}` : '',
      },
      connectionDescription: `follower.${f} follows ${WORLD_TIKTOK_HANDLE}`,
    }),
  );

  const posts: Json[] = [];
  for (let i = 0; i < WORLD_INSTAGRAM_POSTS; i++) {
    const shortCode = `C${(2_000_000 + i).toString(36).toUpperCase()}nara${i % 10}`;
    const photo = i % 3 === 2;
    const likes = i % 10 === 9 ? -1 : 4_120 - i * 30;
    const taken = newest - i * 2 * DAY;
    const tags = [INSTAGRAM_TAGS[i % 5]!, INSTAGRAM_TAGS[(i + 2) % 5]!];
    const post = instagramPost({
      id: String(3_421_098_765_432_109_876n - BigInt(i) * 7_919n),
      type: photo ? 'Image' : 'Video',
      shortCode,
      caption: `Studio day ${WORLD_INSTAGRAM_POSTS - i} ${tags.map((t) => `#${t}`).join(' ')}`,
      hashtags: tags,
      url: `https://www.instagram.com/p/${shortCode}/`,
      commentsCount: 3 + (i % 6),
      displayUrl: `https://scontent.cdninstagram.com/v/t51.29350-15/${shortCode}.jpg`,
      likesCount: likes,
      timestamp: new Date(taken).toISOString(),
      ownerUsername: WORLD_INSTAGRAM_HANDLE,
      inputUrl: `https://www.instagram.com/${WORLD_INSTAGRAM_HANDLE}`,
    });
    if (photo) {
      for (const key of ['videoUrl', 'videoViewCount', 'videoPlayCount', 'videoDuration', 'productType', 'musicInfo']) {
        delete post[key];
      }
    } else {
      post.videoViewCount = 51_230 - i * 400;
      post.videoPlayCount = 98_400 - i * 700;
      post.videoDuration = 12.5 + (i % 9) * 3.1;
    }
    posts.push(post);
    world.instagramComments[shortCode] = Array.from({ length: 3 + (i % 6) }, (_, c) =>
      instagramComment({
        id: String(18_034_567_890_000_000n + BigInt(i * 100 + c)),
        postId: post.id,
        postUrl: post.url,
        text: `Lovely piece ${c + 1}`,
        ownerUsername: COMMENTERS[(i * 3 + c) % COMMENTERS.length],
        timestamp: new Date(taken + (c + 1) * 900_000).toISOString(),
        likesCount: (i + c * 5) % 40,
      }),
    );
  }
  world.instagram[WORLD_INSTAGRAM_HANDLE] = {
    profile: instagramProfile({
      username: WORLD_INSTAGRAM_HANDLE,
      inputUrl: `https://www.instagram.com/${WORLD_INSTAGRAM_HANDLE}`,
      url: `https://www.instagram.com/${WORLD_INSTAGRAM_HANDLE}`,
      postsCount: posts.length,
    }),
    posts,
  };
  return world;
}

const handleOf = (value: unknown): string =>
  String(value)
    .trim()
    .replace(/^https?:\/\/(www\.)?(tiktok|instagram)\.com\//i, '')
    .replace(/^@/, '')
    .replace(/\/.*$/, '')
    .toLowerCase();
const tiktokVideoIdOf = (url: unknown): string | null => /\/video\/(\d+)/.exec(String(url))?.[1] ?? null;
const shortCodeOf = (url: unknown): string | null => /\/(?:p|reel|reels|tv)\/([\w-]+)/.exec(String(url))?.[1] ?? null;
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const limitOf = (value: unknown, fallback: number): number =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : fallback;

/** The dataset items a run of `actorId` with `input` produces in `world`. */
export function actorItems(world: ApifyWorld, actorId: string, input: Json): Json[] {
  const { actors } = world;
  const out: Json[] = [];
  if (actorId === actors.tiktok) {
    const perProfile = limitOf(input.resultsPerPage, 1);
    for (const profile of list(input.profiles)) {
      const handle = handleOf(profile);
      const account = world.tiktok[handle];
      if (!account) continue;
      if (account.raw) out.push(...clone(account.raw));
      else if (account.authorMeta.privateAccount === true)
        out.push({ authorMeta: clone(account.authorMeta), input: handle });
      else {
        for (const video of account.videos.slice(0, perProfile)) {
          out.push({
            ...clone(video),
            authorMeta: clone(account.authorMeta),
            input: handle,
            fromProfileSection: 'videos',
          });
        }
      }
    }
    for (const url of list(input.postURLs)) {
      const id = tiktokVideoIdOf(url);
      for (const account of Object.values(world.tiktok)) {
        const video = account.authorMeta.privateAccount === true ? undefined : account.videos.find((v) => v.id === id);
        if (video) out.push({ ...clone(video), authorMeta: clone(account.authorMeta), submittedVideoUrl: url });
      }
    }
  } else if (actorId === actors.tiktokSound) {
    // a music page URL ends with the sound's id, whatever name precedes it
    const perSound = limitOf(input.resultsPerPage, 1);
    for (const url of list(input.musics)) {
      const id = /(\d+)\/?(?:\?.*)?$/.exec(String(url))?.[1] ?? '';
      out.push(...clone((world.tiktokSounds[id] ?? []).slice(0, perSound)));
    }
  } else if (actorId === actors.tiktokComments) {
    const perPost = limitOf(input.commentsPerPost, 100);
    for (const url of list(input.postURLs)) {
      const comments = world.tiktokComments[tiktokVideoIdOf(url) ?? ''] ?? [];
      for (const comment of comments.slice(0, perPost)) {
        out.push({ ...clone(comment), submittedVideoUrl: url, input: url });
      }
    }
  } else if (actorId === actors.tiktokFollowers) {
    const perProfile = limitOf(input.maxFollowersPerProfile, 50);
    for (const profile of list(input.profiles)) {
      out.push(...clone((world.tiktokFollowers[handleOf(profile)] ?? []).slice(0, perProfile)));
    }
  } else if (actorId === actors.instagramProfile) {
    for (const username of list(input.usernames)) {
      const handle = handleOf(username);
      const account = world.instagram[handle];
      const inputUrl = `https://www.instagram.com/${handle}`;
      if (!account) out.push({ ...clone(instagramErrorItems.notFound), inputUrl });
      else if (account.raw) out.push(...clone(account.raw));
      else {
        const latest =
          account.profile.private === true
            ? []
            : account.posts.slice(0, 12).map((p) => without(p, 'inputUrl', 'latestComments', 'videoPlayCount'));
        out.push({ ...clone(account.profile), latestPosts: latest });
      }
    }
  } else if (actorId === actors.instagramPosts) {
    const perProfile = limitOf(input.resultsLimit, 24);
    for (const entry of list(input.username)) {
      const code = shortCodeOf(entry);
      if (code !== null) {
        const post = Object.values(world.instagram)
          .filter((a) => a.profile.private !== true)
          .flatMap((a) => a.posts)
          .find((p) => p.shortCode === code);
        out.push(
          post
            ? { ...clone(post), inputUrl: entry }
            : { inputUrl: entry, error: 'not_found', errorDescription: 'Post does not exist' },
        );
        continue;
      }
      const handle = handleOf(entry);
      const account = world.instagram[handle];
      const inputUrl = `https://www.instagram.com/${handle}`;
      if (!account) out.push({ ...clone(instagramErrorItems.notFound), inputUrl });
      else if (account.profile.private === true || account.posts.length === 0) {
        out.push({ ...clone(instagramErrorItems.noItems), inputUrl });
      } else out.push(...account.posts.slice(0, perProfile).map((p) => ({ ...clone(p), inputUrl })));
    }
  } else if (actorId === actors.instagramComments) {
    const perPost = limitOf(input.resultsLimit, 15);
    for (const url of list(input.directUrls)) {
      const code = shortCodeOf(url) ?? '';
      const comments = world.instagramComments[code];
      if (comments === undefined) {
        out.push({ inputUrl: url, error: 'not_found', errorDescription: 'Post does not exist' });
        continue;
      }
      // each item names the post it was scraped from (a test's item may carry the fixture's post)
      for (const comment of comments.slice(0, perPost)) {
        const postUrl =
          shortCodeOf(comment.postUrl) === code ? comment.postUrl : `https://www.instagram.com/p/${code}/`;
        out.push({ ...clone(comment), postUrl });
      }
    }
  }
  return out;
}

function apiError(status: number, type?: string, message?: string, headers?: Record<string, string>): UpstreamReply {
  const known = (apiErrors as Record<string, { error: { type: string; message: string } }>)[String(status)];
  return {
    status,
    json: {
      error: { type: type ?? known?.error.type ?? 'error', message: message ?? known?.error.message ?? 'Error' },
    },
    headers,
  };
}

function runObject(run: FakeRun): Json {
  const finished = run.status !== 'RUNNING' && run.status !== 'READY';
  return {
    ...clone(runFixture.data),
    id: run.id,
    actId: run.actorId,
    status: run.status,
    statusMessage: run.statusMessage,
    isStatusMessageTerminal: finished,
    finishedAt: finished ? runFixture.data.finishedAt : null,
    exitCode: run.status === 'SUCCEEDED' ? 0 : finished ? 1 : null,
    options: {
      ...runFixture.data.options,
      timeoutSecs: Number(run.query.timeout ?? runFixture.data.options.timeoutSecs),
    },
    defaultDatasetId: run.datasetId,
  };
}

const fakeId = (prefix: string, n: number): string => `${prefix}${String(n).padStart(17 - prefix.length, '0')}`;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The handler for a `FakeUpstream` standing in for api.apify.com; `world` may change between calls. */
export function fakeApify(world: ApifyWorld): UpstreamHandler {
  const faultFor = (stage: ApifyStage, actorId?: string): ApifyFault | null => {
    const rule = world.fault;
    if (!rule || (rule.on ?? 'start') !== stage) return null;
    if (rule.actor !== undefined && rule.actor !== actorId) return null;
    if (rule.times !== undefined) {
      rule.times -= 1;
      if (rule.times <= 0) world.fault = null;
    }
    return rule.fault;
  };
  const replyFor = (fault: ApifyFault): UpstreamReply | null => {
    switch (fault.kind) {
      case 'http':
        return apiError(
          fault.status,
          fault.errorType,
          fault.message,
          fault.retryAfter ? { 'retry-after': fault.retryAfter } : undefined,
        );
      case 'malformed':
        return { status: 200, text: '{"data": {"id": "HG7ML7M8', headers: { 'content-type': 'application/json' } };
      case 'hang':
        return { hang: true };
      default:
        return null;
    }
  };

  return async (req: UpstreamRequest): Promise<UpstreamReply> => {
    if (req.headers.authorization !== `Bearer ${world.token}`) return apiError(401);
    const path = req.url.pathname
      .split('/')
      .filter((s) => s !== '')
      .map(decodeURIComponent);
    const [v2, resource, id, action] = path;
    if (v2 !== 'v2') return apiError(404, 'page-not-found', 'Page not found');

    if ((resource === 'actors' || resource === 'acts') && action === 'runs' && req.method === 'POST' && id) {
      const actorId = id.replace('/', '~');
      const fault = faultFor('start', actorId);
      const reply = fault ? replyFor(fault) : null;
      if (reply) return reply;
      if (!Object.values(world.actors).includes(actorId))
        return apiError(404, 'record-not-found', 'Actor was not found');
      const input = (req.json ?? {}) as Json;
      const n = world.runs.length + 1;
      const status =
        fault?.kind === 'run-status' ? fault.status : fault?.kind === 'still-running' ? 'RUNNING' : 'SUCCEEDED';
      const run: FakeRun = {
        id: fakeId('run', n),
        actorId,
        input,
        query: Object.fromEntries(req.url.searchParams),
        status,
        statusMessage:
          fault?.kind === 'run-status' ? (fault.statusMessage ?? null) : status === 'SUCCEEDED' ? 'Finished!' : null,
        datasetId: fakeId('ds', n),
        aborted: false,
      };
      world.runs.push(run);
      world.datasets.set(run.datasetId, status === 'SUCCEEDED' ? actorItems(world, actorId, input) : []);
      return { status: 201, json: { data: runObject(run) } };
    }

    if (resource === 'actor-runs' && id) {
      const stage: ApifyStage = action === 'abort' ? 'abort' : 'poll';
      const run = world.runs.find((r) => r.id === id);
      const fault = faultFor(stage, run?.actorId);
      const reply = fault ? replyFor(fault) : null;
      if (reply) return reply;
      if (!run) return apiError(404, 'record-not-found', 'Actor run was not found');
      if (stage === 'abort' && req.method === 'POST') {
        if (run.status === 'RUNNING' || run.status === 'READY') {
          run.status = 'ABORTED';
          run.aborted = true;
        }
        return { status: 200, json: { data: runObject(run) } };
      }
      const wait = Number(req.url.searchParams.get('waitForFinish') ?? 0);
      if (run.status === 'RUNNING' && wait > 0) await sleep(Math.min(wait * 1000, world.pollDelayMs));
      return { status: 200, json: { data: runObject(run) } };
    }

    if (resource === 'datasets' && action === 'items' && req.method === 'GET' && id) {
      const fault = faultFor('dataset');
      const reply = fault ? replyFor(fault) : null;
      if (reply) return reply;
      const items = world.datasets.get(id);
      if (!items) return apiError(404, 'record-not-found', 'Dataset was not found');
      const offset = Math.max(0, Number(req.url.searchParams.get('offset') ?? 0) || 0);
      const limitParam = req.url.searchParams.get('limit');
      const limit = limitParam === null ? items.length : Math.max(0, Number(limitParam) || 0);
      const page = items.slice(offset, offset + limit);
      return {
        status: 200,
        json: page,
        headers: {
          'x-apify-pagination-offset': String(offset),
          'x-apify-pagination-limit': String(limit),
          'x-apify-pagination-count': String(page.length),
          'x-apify-pagination-total': String(items.length),
        },
      };
    }
    return apiError(404, 'page-not-found', 'Page not found');
  };
}
