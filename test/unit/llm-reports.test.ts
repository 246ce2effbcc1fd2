import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Registry } from 'prom-client';
import {
  generateCreatorReport,
  type CreatorAnalysis,
  type CreatorReportInput,
  type CreatorReportProfile,
} from '../../domain/creator-report';
import { ProviderError, SourceConfigError, type Comment, type Post } from '../../domain/platform';
import { postingCadence } from '../../domain/posting-cadence';
import { creatorAnalysisSchema, strictJsonSchema, videoAnalysisSchema } from '../../domain/report-schemas';
import { DAY_MS as DAY } from '../../domain/time';
import { generateVideoReport, type VideoAnalysis, type VideoReportInput } from '../../domain/video-report';
import {
  llmCreatorReportGenerator,
  llmSoundTrendGenerator,
  llmVideoReportGenerator,
  type LlmReportOptions,
} from '../../providers/llm-reports';
import type { SoundLookupVideo } from '../../domain/sound-lookup';
import { assembleTrends, type SoundTrendInput } from '../../domain/sound-trends';
import { Upstream, type UpstreamCall } from '../../providers/upstream';
import { FAKE_MODEL, fakeOpenAi, type FakeOpenAiStep } from '../helpers/fake-openai';
import { fakeUpstreamForSuite } from '../helpers/fake-upstream';
import { z } from 'zod';

const fixture = (name: string): any =>
  JSON.parse(readFileSync(path.join(__dirname, '..', 'fixtures', 'openai', `${name}.json`), 'utf8'));

const SECRET_KEY = 'sk-test-0123456789abcdefSECRET';
// unique text that only the prompt carries, to prove errors never echo it
const PROMPT_MARKER = 'zzpromptmarker';

const NOW = new Date('2026-03-23T14:00:00.000Z');
const daysAgo = (d: number) => new Date(NOW.getTime() - d * DAY);

const profile: CreatorReportProfile = {
  platform: 'tiktok',
  handle: `cook.${PROMPT_MARKER}`,
  display_name: 'Ana Cooks',
  followers: 250_000,
  subscribers: null,
  category: 'food',
};

function post(id: string, views: number | null, ageDays: number, extra: Partial<Post> = {}): Post {
  return {
    platform: 'tiktok',
    platform_video_id: id,
    url: `https://www.tiktok.com/@cook/video/${id}`,
    title: `Video ${id}`,
    description: null,
    thumbnail_url: null,
    published_at: daysAgo(ageDays).toISOString(),
    duration_seconds: 30,
    views,
    likes: null,
    comments: null,
    shares: null,
    bookmarks: null,
    hashtags: ['recipe'],
    is_duet: false,
    is_stitch: false,
    ...extra,
  };
}

// twelve posts around 100K and one at 2M: one outlier above 3× the median
const posts: Post[] = [
  post('big', 2_000_000, 2),
  ...Array.from({ length: 12 }, (_, i) => post(`p${i}`, 90_000 + i * 2_000, 3 + i * 2)),
];
const comments: Comment[] = [
  { id: 'c1', platform_video_id: 'big', author_handle: 'a', text: 'Best pasta ever!', likes: 900, published_at: '' },
  {
    id: 'c2',
    platform_video_id: 'p1',
    author_handle: 'b',
    text: 'Where is the pan from?',
    likes: 40,
    published_at: '',
  },
];
const snapshots = [10, 5, 0].map((d, i) => ({
  followers: 240_000 + i * 5_000,
  following: 80,
  total_videos: 100 + i,
  total_views: null,
  total_likes: 5_000_000 + i * 50_000,
  collected_post_count: 13,
  subscribers: null,
  snapshot_at: daysAgo(d),
}));
const priorAnalysis: CreatorAnalysis = generateCreatorReport({ profile, snapshots, posts, comments, now: daysAgo(7) });
const creatorInput: CreatorReportInput = {
  profile,
  // newest first on purpose: the prompt must put them oldest first
  snapshots: [...snapshots].reverse(),
  posts,
  comments,
  prior: { analysis: priorAnalysis, created_at: daysAgo(7).toISOString() },
  now: NOW,
};

const videoInput: VideoReportInput = {
  video: {
    platform: 'tiktok',
    title: 'One-pan lemon pasta',
    published_at: daysAgo(3).toISOString(),
    duration_seconds: 38,
    views: 1_200_000,
    likes: 98_000,
    comments: 1_400,
    shares: 7_500,
    bookmarks: null,
  },
  snapshots: [
    { snapshot_at: daysAgo(2), views: 300_000 },
    { snapshot_at: daysAgo(1), views: 600_000 },
    { snapshot_at: daysAgo(0), views: 1_200_000 },
  ],
  comments: [{ text: 'What is the lemon to pasta ratio?', likes: 2_100 }],
  creatorMedianViews: 41_000,
  now: NOW,
};

const creatorFixture = fixture('creator-report');
const videoFixture = fixture('video-report');
const invalidFixture = fixture('invalid-report');
const servedCreator: CreatorAnalysis = JSON.parse(creatorFixture.choices[0].message.content);
const servedVideo: VideoAnalysis = JSON.parse(videoFixture.choices[0].message.content);

const { server } = fakeUpstreamForSuite(fakeOpenAi({ kind: 'hang' }));
let upstream: Upstream;
const calls: UpstreamCall[] = [];

beforeEach(() => {
  upstream = new Upstream('llm', { concurrency: 2, perMinute: 6000, timeoutMs: 2000 }, new Registry());
  calls.length = 0;
  upstream.onCall((c) => calls.push(c));
});
afterEach(async () => {
  await upstream.stop();
});

function serve(script: FakeOpenAiStep | FakeOpenAiStep[]) {
  const model = fakeOpenAi(script);
  server.handler = model;
  return model;
}

const options = (extra: Partial<LlmReportOptions> = {}): LlmReportOptions => ({
  apiKey: SECRET_KEY,
  baseUrl: `${server.url}/v1`,
  model: 'gpt-4o-mini',
  timeoutMs: 2000,
  upstream,
  ...extra,
});

const userData = (request: any): any => JSON.parse(request.messages[1].content);

describe('llm report generators: valid structured output', () => {
  it('returns the creator analysis the model served, its model name and token usage', async () => {
    const model = serve({ kind: 'completion', body: creatorFixture });
    const report = await llmCreatorReportGenerator(options()).generate(creatorInput);
    expect(report).toEqual({
      analysis: servedCreator,
      modelUsed: FAKE_MODEL,
      tokens: { prompt: 3412, completion: 689 },
    });
    expect(model.requests).toHaveLength(1);
    expect(model.served[0]!.analysis).toEqual(report.analysis);
    expect(model.requests[0].model).toBe('gpt-4o-mini');
    expect(server.requests.at(-1)!.headers.authorization).toBe(`Bearer ${SECRET_KEY}`);
    // the Upstream meters the call in tokens
    expect(calls).toEqual([expect.objectContaining({ operation: 'chat.completions', outcome: 'ok', units: 4101 })]);
  });

  it('returns the video analysis the model served', async () => {
    const model = serve({ kind: 'completion', body: videoFixture });
    const report = await llmVideoReportGenerator(options()).generate(videoInput);
    expect(report).toEqual({ analysis: servedVideo, modelUsed: FAKE_MODEL, tokens: { prompt: 1187, completion: 241 } });
    expect(model.requests[0].response_format.json_schema.name).toBe('video_report');
  });

  it('falls back to the configured model name and null tokens when the server omits them', async () => {
    serve({ kind: 'report', analysis: servedVideo, model: '', usage: null });
    const report = await llmVideoReportGenerator(options({ apiKey: undefined })).generate(videoInput);
    expect(report).toEqual({ analysis: servedVideo, modelUsed: 'gpt-4o-mini', tokens: null });
    expect(server.requests.at(-1)!.headers.authorization).toBe('Bearer not-needed');
  });
});

describe('llm report generators: the request', () => {
  it('asks for strict structured output with the zod-derived schema', async () => {
    const model = serve({ kind: 'report', analysis: servedCreator });
    await llmCreatorReportGenerator(options({ temperature: 0.2 })).generate(creatorInput);
    const request = model.requests[0];
    expect(request.response_format).toEqual({
      type: 'json_schema',
      json_schema: { name: 'creator_report', strict: true, schema: strictJsonSchema(creatorAnalysisSchema) },
    });
    expect(request.temperature).toBe(0.2);
    expect(request.messages.map((m: any) => m.role)).toEqual(['system', 'user']);
    expect(request.messages[0].content).toMatch(/Every claim must cite the data given/);
  });

  it('leaves temperature out unless configured', async () => {
    const model = serve({ kind: 'report', analysis: servedCreator });
    await llmCreatorReportGenerator(options()).generate(creatorInput);
    expect(model.requests[0]).not.toHaveProperty('temperature');
  });

  it('carries the profile, snapshot series, top and outlier posts, cadence, comments and prior report', async () => {
    const model = serve({ kind: 'report', analysis: servedCreator });
    await llmCreatorReportGenerator(options()).generate(creatorInput);
    const data = userData(model.requests[0]);
    expect(data.now).toBe(NOW.toISOString());
    expect(data.profile).toEqual(profile);
    expect(data.snapshots.map((s: any) => s.date)).toEqual(snapshots.map((s) => s.snapshot_at.toISOString()));
    expect(data.snapshots[2]).toMatchObject({ followers: 250_000, total_videos: 102, total_likes: 5_100_000 });
    expect(data.top_posts).toHaveLength(10);
    expect(data.top_posts[0]).toMatchObject({ platform_video_id: 'big', views: 2_000_000, title: 'Video big' });
    expect(data.top_posts[1].platform_video_id).toBe('p11');
    expect(data.median_views).toBe(102_000);
    expect(data.outlier_posts).toEqual([
      { platform_video_id: 'big', title: 'Video big', views: 2_000_000, times_median: 19.61 },
    ]);
    expect(data.posting_cadence).toEqual(postingCadence(posts.map((p) => new Date(p.published_at))));
    expect(data.top_comments).toEqual([
      { platform_video_id: 'big', likes: 900, text: 'Best pasta ever!' },
      { platform_video_id: 'p1', likes: 40, text: 'Where is the pan from?' },
    ]);
    expect(data.previous_report).toEqual({
      created_at: daysAgo(7).toISOString(),
      analysis: expect.objectContaining({ overview: priorAnalysis.overview }),
    });
  });

  it('says there is no previous report when there is none', async () => {
    const model = serve({ kind: 'report', analysis: servedCreator });
    await llmCreatorReportGenerator(options()).generate({ ...creatorInput, prior: undefined });
    expect(userData(model.requests[0]).previous_report).toBeNull();
  });

  it('carries the video metrics, snapshot series, trajectory, comments and creator median', async () => {
    const model = serve({ kind: 'report', analysis: servedVideo });
    await llmVideoReportGenerator(options()).generate(videoInput);
    const data = userData(model.requests[0]);
    expect(data.video).toMatchObject({ title: 'One-pan lemon pasta', views: 1_200_000, bookmarks: null });
    expect(data.snapshots.map((s: any) => s.views)).toEqual([300_000, 600_000, 1_200_000]);
    expect(data.trajectory).toMatchObject({ n: 3, true_vpd: 600_000, accel: 300_000, accelerating: true });
    expect(data.creator_median_views).toBe(41_000);
    expect(data.top_comments).toEqual([{ likes: 2_100, text: 'What is the lemon to pasta ratio?' }]);
  });

  it('keeps the prompt bounded however large the input', async () => {
    const long = 'word '.repeat(5_000);
    const many: Post[] = Array.from({ length: 2_000 }, (_, i) =>
      post(`v${i}`, i * 10, i % 300, { title: long, hashtags: Array.from({ length: 50 }, (_, k) => `tag${k}`) }),
    );
    const manySnapshots = Array.from({ length: 500 }, (_, i) => ({ ...snapshots[0]!, snapshot_at: daysAgo(500 - i) }));
    const manyComments = Array.from({ length: 1_000 }, (_, i) => ({ ...comments[0]!, id: `c${i}`, text: long }));
    const model = serve({ kind: 'report', analysis: servedCreator });
    await llmCreatorReportGenerator(options()).generate({
      ...creatorInput,
      posts: many,
      snapshots: manySnapshots,
      comments: manyComments,
      prior: {
        analysis: { ...priorAnalysis, overview: { ...priorAnalysis.overview, headline: long } },
        created_at: '',
      },
    });
    const content: string = model.requests[0].messages[1].content;
    expect(content.length).toBeLessThan(32_000);
    const data = JSON.parse(content);
    expect(data.snapshots).toHaveLength(60);
    expect(data.snapshots.at(-1).date).toBe(daysAgo(1).toISOString());
    expect(data.top_posts).toHaveLength(10);
    expect(data.top_comments).toHaveLength(8);
    expect(data.posting_cadence.total_posts).toBe(2_000);
  });
});

describe('llm report generators: unusable answers', () => {
  it('asks once more after an invalid answer and uses the second', async () => {
    const model = serve([
      { kind: 'completion', body: invalidFixture },
      { kind: 'report', analysis: servedCreator, usage: { prompt_tokens: 3500, completion_tokens: 700 } },
    ]);
    const report = await llmCreatorReportGenerator(options()).generate(creatorInput);
    expect(model.requests).toHaveLength(2);
    expect(report).toEqual({
      analysis: servedCreator,
      modelUsed: FAKE_MODEL,
      // both calls were billed
      tokens: { prompt: 3412 + 3500, completion: 64 + 700 },
    });
    const retry = model.requests[1].messages;
    expect(retry).toHaveLength(3);
    expect(retry.slice(0, 2)).toEqual(model.requests[0].messages);
    expect(retry[2]).toEqual({ role: 'user', content: expect.stringMatching(/not valid JSON/) });
  });

  it('falls back to the heuristic report after two invalid answers, naming the model and summing tokens', async () => {
    const model = serve({
      kind: 'content',
      content: '{"overview": ',
      usage: { prompt_tokens: 1000, completion_tokens: 5 },
    });
    const report = await llmCreatorReportGenerator(options()).generate(creatorInput);
    expect(model.requests).toHaveLength(2);
    expect(report).toEqual({
      analysis: generateCreatorReport(creatorInput),
      modelUsed: 'heuristic-analyst-v1 (fallback: gpt-4o-mini answered invalid JSON twice)',
      tokens: { prompt: 2000, completion: 10 },
    });
  });

  it.each<[string, FakeOpenAiStep, FakeOpenAiStep, string]>([
    [
      'a wrong shape, then a refusal',
      { kind: 'content', content: JSON.stringify({ performance: 'fine', sentiment: 7, recommendations: [] }) },
      { kind: 'content', content: null, refusal: "I can't help with that." },
      'answered JSON that does not match the schema, then refused',
    ],
    [
      'an empty answer, then one cut off at the token limit',
      { kind: 'content', content: '' },
      { kind: 'content', content: '{"performance": "Views', finish_reason: 'length' },
      'answered nothing, then ran out of tokens',
    ],
  ])('names the reasons: %s', async (_, first, second, reason) => {
    const model = serve([first, second]);
    const report = await llmVideoReportGenerator(options()).generate(videoInput);
    expect(report.analysis).toEqual(generateVideoReport(videoInput));
    expect(report.modelUsed).toBe(`heuristic-analyst-v1 (fallback: gpt-4o-mini ${reason})`);
    expect(report.tokens).toEqual({
      prompt: model.served[0]!.usage!.prompt_tokens + model.served[1]!.usage!.prompt_tokens,
      completion: model.served[0]!.usage!.completion_tokens + model.served[1]!.usage!.completion_tokens,
    });
  });

  it('tells the model where its answer missed the schema', async () => {
    const model = serve([
      { kind: 'content', content: JSON.stringify({ performance: 'fine', sentiment: 7, recommendations: ['x'] }) },
      { kind: 'report', analysis: servedVideo },
    ]);
    await llmVideoReportGenerator(options()).generate(videoInput);
    expect(model.requests[1].messages[2].content).toMatch(/did not match the schema at sentiment/);
  });

  it('accepts an answer wrapped in a Markdown fence (servers without constrained decoding)', async () => {
    serve({ kind: 'content', content: '```json\n' + JSON.stringify(servedVideo) + '\n```' });
    const report = await llmVideoReportGenerator(options()).generate(videoInput);
    expect(report.analysis).toEqual(servedVideo);
  });

  it('falls back at once when the endpoint does not know the model (a misconfiguration, not a transient fault)', async () => {
    const model = serve({ kind: 'error', status: 404, code: 'model_not_found', message: 'The model does not exist' });
    const report = await llmCreatorReportGenerator(options({ model: 'gpt-9' })).generate(creatorInput);
    expect(model.requests).toHaveLength(1);
    expect(report).toEqual({
      analysis: generateCreatorReport(creatorInput),
      modelUsed: 'heuristic-analyst-v1 (fallback: gpt-9 was refused with HTTP 404 (model_not_found))',
      tokens: null,
    });
  });

  it('falls back on a 400 (e.g. a server without json_schema support)', async () => {
    serve({ kind: 'error', status: 400, message: 'response_format json_schema is not supported' });
    const report = await llmVideoReportGenerator(options()).generate(videoInput);
    expect(report.modelUsed).toBe('heuristic-analyst-v1 (fallback: gpt-4o-mini was refused with HTTP 400)');
  });
});

describe('llm report generators: transport failures', () => {
  /** the error a call fails with, checked to carry neither the key nor the prompt */
  const thrown = async (p: Promise<unknown>): Promise<Error> => {
    const err = await p.then(
      () => {
        throw new Error('expected a failure');
      },
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(Error);
    const message = (err as Error).message;
    expect(message).not.toContain(SECRET_KEY);
    expect(message).not.toContain(PROMPT_MARKER);
    expect(message).not.toContain('Best pasta');
    return err as Error;
  };
  const failure = async (p: Promise<unknown>): Promise<ProviderError> => {
    const err = await thrown(p);
    expect(err).toBeInstanceOf(ProviderError);
    return err as ProviderError;
  };
  // error bodies that echo the key and the prompt, as some servers do
  const echo = `Incorrect API key provided: ${SECRET_KEY}; prompt: cook.${PROMPT_MARKER} Best pasta ever!`;

  it('times out at the SDK deadline', async () => {
    serve({ kind: 'hang' });
    const err = await failure(llmCreatorReportGenerator(options({ timeoutMs: 200 })).generate(creatorInput));
    expect(err.kind).toBe('timeout');
    expect(calls).toEqual([expect.objectContaining({ outcome: 'timeout', units: 0 })]);
  });

  it("times out at the Upstream's deadline", async () => {
    serve({ kind: 'hang' });
    await upstream.stop();
    upstream = new Upstream('llm', { concurrency: 2, perMinute: 6000, timeoutMs: 200 }, new Registry());
    const err = await failure(llmCreatorReportGenerator(options({ timeoutMs: 5_000 })).generate(creatorInput));
    expect(err.kind).toBe('timeout');
  });

  it('is rate_limited on 429, with the Retry-After', async () => {
    const model = serve({ kind: 'error', status: 429, code: 'rate_limit_exceeded', message: echo, retryAfter: '17' });
    const err = await failure(llmVideoReportGenerator(options()).generate(videoInput));
    expect(err.kind).toBe('rate_limited');
    expect(err.retryAfterSeconds).toBe(17);
    expect(err.message).toBe('the model endpoint answered 429 (rate_limit_exceeded)');
    // no second call: Temporal's activity retry waits the Retry-After
    expect(model.requests).toHaveLength(1);
  });

  it('is unavailable on 5xx', async () => {
    serve({ kind: 'error', status: 500, message: echo });
    const err = await failure(llmCreatorReportGenerator(options()).generate(creatorInput));
    expect(err.kind).toBe('unavailable');
    expect(err.message).toBe('the model endpoint answered 500');
  });

  it.each([401, 403])('is a SourceConfigError naming OPENAI_API_KEY when the key is refused (%i)', async (status) => {
    const model = serve({ kind: 'error', status, code: 'invalid_api_key', message: echo });
    const err = await thrown(llmCreatorReportGenerator(options()).generate(creatorInput));
    expect(err).toBeInstanceOf(SourceConfigError);
    expect(err.message).toBe('the model endpoint refused the API key (check OPENAI_API_KEY)');
    expect(model.requests).toHaveLength(1);
  });

  it('is unavailable when nothing listens', async () => {
    const err = await failure(
      llmCreatorReportGenerator(options({ baseUrl: 'http://127.0.0.1:1/v1' })).generate(creatorInput),
    );
    expect(err.kind).toBe('unavailable');
  });

  it('falls back to the heuristic report when the base URL is not an OpenAI-compatible API (404)', async () => {
    serve({ kind: 'report', analysis: servedCreator });
    const report = await llmCreatorReportGenerator(options({ baseUrl: `${server.url}/api` })).generate(creatorInput);
    // the fake 404s unknown paths, like a real server: a misconfiguration, so the heuristic report stands in
    expect(report.modelUsed).toBe(
      'heuristic-analyst-v1 (fallback: gpt-4o-mini was refused with HTTP 404 (unknown_url))',
    );
  });
});

describe('report schemas', () => {
  const walk = (node: any, visit: (node: any, at: string) => void, at = '$'): void => {
    visit(node, at);
    for (const [name, child] of Object.entries(node.properties ?? {})) walk(child, visit, `${at}.${name}`);
    if (node.items) walk(node.items, visit, `${at}[]`);
  };

  it.each([
    ['creator', creatorAnalysisSchema],
    ['video', videoAnalysisSchema],
  ] as const)('derive a JSON schema valid for strict mode (%s)', (_, schema) => {
    const json = strictJsonSchema(schema);
    expect(json).not.toHaveProperty('$schema');
    expect(json.type).toBe('object');
    let objects = 0;
    walk(json, (node, at) => {
      for (const key of Object.keys(node)) {
        expect([at, key]).toEqual([
          at,
          expect.stringMatching(/^(type|description|properties|required|additionalProperties|items)$/),
        ]);
      }
      // items of a list of strings are described by the list
      if (!at.endsWith('[]') || node.type === 'object') expect([at, typeof node.description]).toEqual([at, 'string']);
      if (node.type === 'object') {
        objects++;
        expect([at, node.additionalProperties]).toEqual([at, false]);
        expect([at, [...node.required].sort()]).toEqual([at, Object.keys(node.properties).sort()]);
      }
    });
    expect(objects).toBeGreaterThan(0);
  });

  it('fail fast on a schema strict mode would refuse', () => {
    expect(() => strictJsonSchema(z.object({ a: z.string().optional() }))).toThrow(/require every property/);
    expect(() => strictJsonSchema(z.object({ a: z.string().email() }))).toThrow(/"format"/);
  });

  it('accept what the heuristic analysts write and the recorded answers', () => {
    expect(creatorAnalysisSchema.parse(generateCreatorReport(creatorInput))).toEqual(
      generateCreatorReport(creatorInput),
    );
    expect(
      creatorAnalysisSchema.safeParse(
        generateCreatorReport({ profile, snapshots: [], posts: [], comments: [], now: NOW }),
      ).success,
    ).toBe(true);
    expect(videoAnalysisSchema.parse(generateVideoReport(videoInput))).toEqual(generateVideoReport(videoInput));
    expect(
      videoAnalysisSchema.safeParse(generateVideoReport({ ...videoInput, snapshots: [], comments: [] })).success,
    ).toBe(true);
    expect(creatorAnalysisSchema.safeParse(servedCreator).success).toBe(true);
    expect(videoAnalysisSchema.safeParse(servedVideo).success).toBe(true);
  });
});

describe('llm sound trends', () => {
  const soundVideo = (id: string, ageDays: number, views: number): SoundLookupVideo => ({
    platform_video_id: id,
    url: `https://www.tiktok.com/@u${id}/video/${id}`,
    description: `clip ${id} ${PROMPT_MARKER}`,
    views,
    likes: 10,
    comments: 1,
    shares: 1,
    collects: null,
    publish_date: daysAgo(ageDays).toISOString(),
    duration_seconds: 12,
    thumbnail_url: null,
    hashtags: ['dance'],
    author: { unique_id: `u${id}`, nickname: null, user_id: null, followers: null, is_verified: null },
    is_commerce_music: null,
  });
  const corpus = [soundVideo('101', 60, 1000), soundVideo('102', 50, 2000), soundVideo('103', 5, 9000)];
  const input: SoundTrendInput = {
    sound: { title: 'Song', author_name: 'Artist', is_original: false },
    videos: corpus,
  };
  const answer = {
    summary: 'One dance trend that came back.',
    trends: [
      {
        name: 'Mirror dance',
        description: 'Creators dance in front of a mirror.',
        tactics: ['Film in a mirror'],
        confidence: 0.8,
        evidence_video_ids: ['101', '102', '103', '999-invented'],
      },
    ],
  };

  it('asks the model for named clusters of ids and computes the rest itself, stripping invented ids', async () => {
    const model = serve({ kind: 'report', analysis: answer });
    const generated = await llmSoundTrendGenerator(options()).generate(input);
    expect(generated.modelUsed).toBe(FAKE_MODEL);
    expect(model.requests[0].response_format.json_schema.name).toBe('sound_trends');
    // the prompt carries the ids and dates, never asks for dates back
    expect(userData(model.requests[0]).videos.map((v: any) => v.platform_video_id)).toEqual(['101', '102', '103']);
    const block = assembleTrends(generated.analysis, corpus, generated);
    expect(block).toMatchObject({ status: 'ok', model_used: FAKE_MODEL, summary: answer.summary });
    expect(block.tokens_used).toEqual(expect.any(Number));
    expect(block.trends[0]).toMatchObject({
      evidence_video_ids: ['101', '102', '103'],
      video_count: 3,
      resurged: true,
      momentum: 'stronger',
    });
  });

  it('falls back to the heuristic analyst, saying so, when the model answers unusable JSON twice', async () => {
    serve({ kind: 'content', content: '{"summary": 3}' });
    const generated = await llmSoundTrendGenerator(options()).generate(input);
    expect(generated.modelUsed).toMatch(/^heuristic-sound-trends-v1 \(fallback: gpt-4o-mini answered JSON/);
    expect(generated.analysis.trends.length).toBeGreaterThan(0);
  });
});
