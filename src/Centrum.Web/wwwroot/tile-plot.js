// A dashboard tile's chart (bar, pie, heat map, event and state timelines, map) drawn by plotly.js
// (https://plotly.com/javascript/plotlyjs-function-reference/): the server hands a whole figure (data and layout as
// JSON) and Plotly.react redraws only what changed, so a tile follows its data without flicker. plotly.js is loaded once
// per page by plotly-loader.js from the URL the server gives; nothing comes from a CDN, and a map's base tiles come only
// from the tile URL the operator configured (none by default).
import { loadPlotly as load } from './plotly-loader.js';

export async function draw(element, plotlyUrl, figure) {
  const Plotly = await load(plotlyUrl);
  if (!element) {
    return;
  }
  const { data, layout } = JSON.parse(figure);
  const base = {
    margin: { l: 48, r: 16, t: 8, b: 32 },
    paper_bgcolor: 'rgba(0,0,0,0)', plot_bgcolor: 'rgba(0,0,0,0)',
    font: { family: 'Roboto, Helvetica, Arial, sans-serif', size: 11, color: '#616161' },
  };
  try {
    await Plotly.react(element, data, Object.assign(base, layout), { responsive: true, displayModeBar: false });
  } catch (error) {
    // A map's base layer failing (the tile server down, a tile it cannot decode) rejects the draw after the traces
    // are drawn; the positions stay on the page, so the page says so in the console rather than failing the tile.
    console.warn('tile plot:', error);
  }
}

export function purge(element) {
  if (window.Plotly && element) {
    window.Plotly.purge(element);
  }
}
