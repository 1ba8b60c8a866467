import * as echarts from 'echarts';

/**
 * Charts as server-rendered SVG (ECharts' SSR renderer): readable without JavaScript, no chart
 * library in the browser. The page shows the same figures as a table beside the picture.
 */
export function barChartSvg(opts: { categories: string[]; values: number[]; unit: string; width?: number; height?: number }): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: opts.width ?? 720, height: opts.height ?? 320 });
  chart.setOption({
    animation: false,
    textStyle: { fontFamily: 'Noto Sans JP, sans-serif', fontSize: 13, color: '#333333' },
    grid: { left: 90, right: 24, top: 24, bottom: 48 },
    xAxis: { type: 'category', data: opts.categories, axisLabel: { interval: 0, color: '#333333' } },
    yAxis: { type: 'value', name: opts.unit, axisLabel: { color: '#333333' } },
    series: [{ type: 'bar', data: opts.values, itemStyle: { color: '#0017c1' }, label: { show: true, position: 'top', color: '#1a1a1a' } }],
  });
  const svg = chart.renderToSVGString();
  chart.dispose();
  return svg;
}
