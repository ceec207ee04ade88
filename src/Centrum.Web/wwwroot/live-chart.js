// A live line chart drawn by plotly.js (https://plotly.com/javascript/plotlyjs-function-reference/): newPlot once,
// extendTraces as values arrive (keeping the newest `max` points), purge when the page lets go of it. plotly.js itself is
// loaded once per page by plotly-loader.js, on the first chart, from the URL the server gives.
import { loadPlotly as load } from './plotly-loader.js';

export async function create(element, plotlyUrl, title) {
  const Plotly = await load(plotlyUrl);
  // The application's primary color (MudBlazor's default palette) on a transparent plot, so the chart sits in its card.
  const trace = { x: [], y: [], name: title, type: 'scatter', mode: 'lines+markers', line: { color: '#594ae2', width: 2 }, marker: { size: 4 } };
  const layout = {
    height: 220, margin: { l: 48, r: 16, t: 8, b: 32 }, showlegend: false,
    paper_bgcolor: 'rgba(0,0,0,0)', plot_bgcolor: 'rgba(0,0,0,0)',
    font: { family: 'Roboto, Helvetica, Arial, sans-serif', size: 11, color: '#616161' },
    xaxis: { gridcolor: '#eeeeee' }, yaxis: { gridcolor: '#eeeeee', zeroline: false },
  };
  await Plotly.newPlot(element, [trace], layout, { responsive: true, displayModeBar: false });
}

export function extend(element, times, values, max) {
  if (window.Plotly && element && element.data) {
    window.Plotly.extendTraces(element, { x: [times], y: [values] }, [0], max);
  }
}

export function purge(element) {
  if (window.Plotly && element) {
    window.Plotly.purge(element);
  }
}
