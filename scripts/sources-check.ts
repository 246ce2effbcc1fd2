/**
 * Calls the real data sources with the configured keys and prints what the service would store, and what each call
 * cost: `npm run sources:check -- --platform youtube --handle @somechannel` (or tiktok, instagram, llm). Not part of
 * `npm test`: it spends real quota.
 */
import { parseArgs } from 'node:util';
import { ConfigError, parseSourceConfig } from '../domain/config';
import { PLATFORMS, type Platform } from '../domain/platform';
import { describeSources } from '../domain/sources';
import { normalizeHandle } from '../domain/urls';
import { SimulatedProvider } from '../providers/simulated';
import { createSources } from '../providers/sources';
import type { UpstreamCall } from '../providers/upstream';

const USAGE = `usage: npm run sources:check -- --platform <tiktok|youtube|instagram|llm> [--handle <handle>] [--posts <n>]

  tiktok, youtube, instagram   read the profile and the newest posts of --handle through the configured source
  llm                          write a creator report with the configured model (from simulated data for --handle)`;

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { platform: { type: 'string' }, handle: { type: 'string' }, posts: { type: 'string', default: '5' } },
  });
  const target = values.platform;
  if (target !== 'llm' && !(PLATFORMS as readonly string[]).includes(target ?? '')) throw new Error(USAGE);
  const config = parseSourceConfig(process.env);
  const sources = createSources(config);
  console.log(`sources: ${describeSources(sources.plan)}`);
  const calls: UpstreamCall[] = [];
  for (const upstream of sources.upstreams) upstream.onCall((call) => calls.push(call));
  try {
    if (target === 'llm') {
      if (sources.plan.reports.generator === 'heuristic') {
        throw new Error('no model is configured: set OPENAI_API_KEY and/or OPENAI_BASE_URL (and OPENAI_MODEL)');
      }
      await checkModel(sources, values.handle ?? 'demo.creator');
    } else {
      const platform = target as Platform;
      if (sources.plan.platforms[platform] === 'simulated') {
        throw new Error(`${platform} is simulated: set ${platform === 'youtube' ? 'YOUTUBE_API_KEY' : 'APIFY_TOKEN'}`);
      }
      if (!values.handle) throw new Error(USAGE);
      await checkPlatform(sources.provider, platform, normalizeHandle(platform, values.handle), Number(values.posts));
    }
  } finally {
    printCalls(calls);
    await Promise.all(sources.upstreams.map((u) => u.stop()));
  }
}

async function checkPlatform(
  provider: ReturnType<typeof createSources>['provider'],
  platform: Platform,
  handle: string,
  posts: number,
): Promise<void> {
  const profile = await provider.getProfile(platform, handle);
  console.log('\nprofile:', JSON.stringify(profile, null, 2));
  const page = await provider.listPosts(platform, handle, { limit: posts });
  console.log(`\n${page.posts.length} newest posts (more: ${page.next_cursor !== null}):`);
  for (const post of page.posts) {
    console.log(
      `  ${post.published_at}  ${post.url}\n    views ${post.views} · likes ${post.likes} · comments ${post.comments}` +
        ` · shares ${post.shares} · ${post.duration_seconds ?? '?'} s`,
    );
  }
}

async function checkModel(sources: ReturnType<typeof createSources>, handle: string): Promise<void> {
  // the model is what is checked here, so its input comes from the offline simulated source
  const simulated = new SimulatedProvider();
  const profile = await simulated.getProfile('tiktok', handle);
  const page = await simulated.listPosts('tiktok', handle, { limit: 30 });
  const report = await sources.creatorReports.generate({
    profile,
    snapshots: [{ ...profile, collected_post_count: null, snapshot_at: new Date() }],
    posts: page.posts,
    comments: [],
    now: new Date(),
  });
  console.log(`\nmodel_used: ${report.modelUsed}`);
  console.log(
    `tokens: ${report.tokens ? `${report.tokens.prompt} prompt + ${report.tokens.completion} completion` : '—'}`,
  );
  console.log(JSON.stringify(report.analysis, null, 2));
}

function printCalls(calls: readonly UpstreamCall[]): void {
  if (calls.length === 0) return;
  console.log('\ncalls:');
  for (const call of calls) {
    console.log(`  ${call.source} ${call.operation}: ${call.outcome}, ${call.units} units, ${call.durationMs} ms`);
  }
  const totals = new Map<string, number>();
  for (const call of calls) totals.set(call.source, (totals.get(call.source) ?? 0) + call.units);
  console.log(`total: ${[...totals].map(([source, units]) => `${source} ${units} units`).join(', ')}`);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(err instanceof ConfigError ? err.message : (err as Error).message);
  process.exit(1);
});
