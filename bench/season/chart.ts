import * as echarts from 'echarts';
import type { DayStat } from './run';

/** The season per day as one SVG (ECharts' server-side renderer, as the console draws its charts). */
export function seasonChartSvg(days: DayStat[]): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: 1100, height: 420 });
  const series = (name: string, key: keyof DayStat, type: 'bar' | 'line' = 'line') => ({ name, type, data: days.map((d) => d[key]), showSymbol: false });
  chart.setOption({
    animation: false,
    textStyle: { fontFamily: 'Noto Sans JP, sans-serif', fontSize: 12, color: '#333333' },
    legend: { top: 4 },
    grid: { left: 60, right: 24, top: 40, bottom: 60 },
    xAxis: { type: 'category', data: days.map((d) => d.day.slice(5)), axisLabel: { rotate: 60, color: '#333333' } },
    yAxis: { type: 'value', name: '件', axisLabel: { color: '#333333' } },
    series: [
      series('寄附 (registered)', 'donations', 'bar'),
      series('入金 (transfers)', 'payments'),
      series('封筒 (printed)', 'envelopes'),
      series('発注 (ordered)', 'ordered'),
      series('配達 (delivered)', 'delivered'),
      series('ワンストップ (applications)', 'applications'),
    ],
  });
  const svg = chart.renderToSVGString();
  chart.dispose();
  return svg;
}
