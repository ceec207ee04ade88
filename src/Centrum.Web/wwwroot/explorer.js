// The data explorer's chart and CSV download. The chart is drawn by plotly.js
// (https://plotly.com/javascript/plotlyjs-function-reference/): newPlot on every result, one line per series, purge when
// the page lets go of it. plotly.js is loaded once per page by plotly-loader.js, from the URL the server gives.
import { loadPlotly as load } from './plotly-loader.js';

export async function draw(element, plotlyUrl, series) {
  const Plotly = await load(plotlyUrl);
  const traces = series.map(s => ({
    x: s.times.map(t => t === '' ? null : t), y: s.values, name: s.name, type: 'scatter', mode: 'lines+markers', marker: { size: 4 },
  }));
  const layout = {
    height: 360, margin: { l: 56, r: 16, t: 8, b: 40 }, showlegend: true, legend: { orientation: 'h' },
    paper_bgcolor: 'rgba(0,0,0,0)', plot_bgcolor: 'rgba(0,0,0,0)',
    font: { family: 'Roboto, Helvetica, Arial, sans-serif', size: 11, color: '#616161' },
    xaxis: { gridcolor: '#eeeeee' }, yaxis: { gridcolor: '#eeeeee', zeroline: false },
  };
  await Plotly.react(element, traces, layout, { responsive: true, displayModeBar: false });
}

export function purge(element) {
  if (window.Plotly && element) {
    window.Plotly.purge(element);
  }
}

// Saves text as a file through a blob URL: the browser's own download, nothing sent back to the server.
export function download(name, text) {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
