import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartDataset,
} from 'chart.js';
import { h } from './dom';

Chart.register(
  LineController,
  LineElement,
  PointElement,
  BarController,
  BarElement,
  CategoryScale,
  LinearScale,
  Legend,
  Tooltip,
);

export interface Series {
  label: string;
  data: (number | null)[];
  /** 'right' puts the series on a second axis (views beside followers differ by orders of magnitude) */
  axis?: 'left' | 'right';
  /** per-point radius, to mark points (breakout, peaking, ...) */
  pointRadius?: number[];
}

const COLORS = ['#2563eb', '#db2777', '#16a34a', '#ea580c', '#7c3aed', '#0891b2'];

/**
 * A canvas in a sized box. What the chart drew (labels and each series, read back from the Chart.js instance) is kept
 * on the canvas as `data-labels` / `data-series`, so tests and curious users can compare it with the API.
 */
function chartBox(name: string, draw: (canvas: HTMLCanvasElement) => Chart): HTMLElement {
  const canvas = h('canvas', { 'data-chart': name, role: 'img', 'aria-label': name });
  const box = h('div', { class: 'chart' }, canvas);
  // Chart.js measures its parent, so draw once the box is in the document
  requestAnimationFrame(() => {
    const chart = draw(canvas);
    canvas.dataset.labels = JSON.stringify(chart.data.labels);
    canvas.dataset.series = JSON.stringify(chart.data.datasets.map((d) => ({ label: d.label, data: d.data })));
    canvas.dataset.rendered = 'true';
  });
  return box;
}

export function lineChart(name: string, labels: string[], series: Series[]): HTMLElement {
  const twoAxes = series.some((s) => s.axis === 'right');
  return chartBox(name, (canvas) => {
    const datasets: ChartDataset<'line'>[] = series.map((s, i) => ({
      label: s.label,
      data: s.data,
      yAxisID: s.axis === 'right' ? 'y1' : 'y',
      borderColor: COLORS[i % COLORS.length],
      backgroundColor: COLORS[i % COLORS.length],
      pointRadius: s.pointRadius ?? 3,
      spanGaps: true,
      tension: 0.2,
    }));
    return new Chart(canvas, {
      type: 'line',
      data: { labels, datasets },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        interaction: { mode: 'index', intersect: false },
        scales: {
          y: { position: 'left', beginAtZero: false },
          ...(twoAxes ? { y1: { position: 'right' as const, grid: { drawOnChartArea: false } } } : {}),
        },
      },
    });
  });
}

export function barChart(
  name: string,
  labels: string[],
  label: string,
  data: number[],
  horizontal = false,
): HTMLElement {
  return chartBox(
    name,
    (canvas) =>
      new Chart(canvas, {
        type: 'bar',
        data: { labels, datasets: [{ label, data, backgroundColor: COLORS[0] }] },
        options: {
          animation: false,
          responsive: true,
          maintainAspectRatio: false,
          indexAxis: horizontal ? 'y' : 'x',
          plugins: { legend: { display: false } },
        },
      }),
  );
}
