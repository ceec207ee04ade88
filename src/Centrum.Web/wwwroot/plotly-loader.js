// plotly.js (https://plotly.com/javascript/plotlyjs-function-reference/) loaded once per page, on the first chart that
// asks, from the URL the server gives (the application serves it; no CDN). Shared by every chart module of the pages.
let plotly;

export function loadPlotly(url) {
  if (!plotly) {
    plotly = new Promise((resolve, reject) => {
      if (window.Plotly) {
        resolve(window.Plotly);
        return;
      }
      const script = document.createElement('script');
      script.src = url;
      script.async = true;
      script.onload = () => resolve(window.Plotly);
      script.onerror = () => { plotly = undefined; reject(new Error('plotly.js did not load from ' + url)); };
      document.head.appendChild(script);
    });
  }
  return plotly;
}
