import { get, type Page } from './api';
import { lineChart } from './charts';
import { pointLabel } from './creator';
import { statusBadge } from './creators';
import { empty, h, num, section, when, tableOrEmpty } from './dom';

interface VideoSummary {
  id: string;
  platform: string;
  title: string | null;
  url: string;
  author_handle: string | null;
  status: string;
  latest_views: number | null;
  next_scrape_at: string | null;
}

interface VideoDetail extends VideoSummary {
  trajectory: {
    true_vpd: number | null;
    accel: number | null;
    breakout: boolean;
    accelerating: boolean;
    peaking: boolean;
  };
  cycles_completed: number;
}

interface Trajectory {
  snapshots: { captured_at: string; views: number | null; views_per_day: number | null }[];
  metrics: { n: number; true_vpd: number | null; accel: number | null; peaking: boolean; lifetime_vpd: number | null };
}

export function videosPage(root: HTMLElement): void {
  root.replaceChildren(
    h('h1', {}, 'Videos'),
    section('Tracked videos', 'videos', async (body) => {
      const page = await get<Page<VideoSummary>>('/v1/tracking/videos?limit=100');
      body.replaceChildren(
        tableOrEmpty(
          'videos',
          page.data,
          'No videos tracked yet (POST /v1/tracking/videos).',
          ['Platform', 'Video', 'Author', 'Views', 'Status', 'Next run'],
          (v) => [
            v.platform,
            h('a', { href: `/dashboard/videos/${v.id}` }, v.title || v.url),
            v.author_handle ? `@${v.author_handle}` : '—',
            num(v.latest_views),
            statusBadge(v.status),
            v.status === 'active' ? when(v.next_scrape_at) : '—',
          ],
        ),
      );
    }),
  );
}

export async function videoPage(root: HTMLElement, id: string): Promise<void> {
  const base = `/v1/tracking/videos/${encodeURIComponent(id)}`;
  const { data: v } = await get<{ data: VideoDetail }>(base);
  const flags = (['breakout', 'accelerating', 'peaking'] as const).filter((flag) => v.trajectory[flag]);
  root.replaceChildren(
    h('p', {}, h('a', { href: '/dashboard/videos' }, '← Videos')),
    h('h1', {}, v.title || v.url, ' ', statusBadge(v.status)),
    h(
      'p',
      { class: 'muted' },
      `${v.platform}`,
      v.author_handle ? ` · @${v.author_handle}` : null,
      ` · ${num(v.latest_views)} views · ${v.cycles_completed} cycles`,
    ),
    h(
      'p',
      { 'data-flags': flags.join(' ') },
      ...(flags.length
        ? flags.map((flag) => h('span', { class: `badge flag-${flag}` }, flag))
        : [h('span', { class: 'muted' }, 'No breakout, acceleration or peak detected.')]),
    ),
    section('Trajectory', 'trajectory', async (body) => {
      const { data } = await get<{ data: Trajectory }>(`${base}/trajectory`);
      if (data.snapshots.length === 0) {
        body.replaceChildren(empty('No snapshots yet.'));
        return;
      }
      // the flags describe the video now: mark the latest point
      const marked = data.snapshots.map((_, i) => (flags.length && i === data.snapshots.length - 1 ? 8 : 3));
      body.replaceChildren(
        lineChart(
          'trajectory',
          data.snapshots.map((s) => pointLabel(s.captured_at)),
          [
            { label: 'Views', data: data.snapshots.map((s) => s.views), pointRadius: marked },
            {
              label: 'Views/day',
              data: data.snapshots.map((s) => s.views_per_day),
              axis: 'right',
              pointRadius: marked,
            },
          ],
        ),
        h(
          'p',
          { class: 'muted' },
          `True views/day ${num(data.metrics.true_vpd)}, acceleration ${num(data.metrics.accel)}, lifetime views/day ${num(data.metrics.lifetime_vpd)}`,
          flags.length ? `; the large point marks ${flags.join(', ')} now.` : '.',
        ),
      );
    }),
  );
}
