using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;

namespace Centrum.Web.Pages.Dashboards.Tiles;

/// <summary>
/// A tile drawn by plotly.js through wwwroot/tile-plot.js: each read builds the whole figure (data and layout) and
/// plotly's <c>react</c> redraws what changed. The figure is built here, on the server, so what a tile shows is decided
/// in one place and the browser only draws it.
/// </summary>
public abstract class PlotTileBase<TData> : TileBase<TData>
    where TData : class
{
    /// <summary>How long letting go of the plot waits for the browser: a page that is gone never answers.</summary>
    private static readonly TimeSpan DisposeWait = TimeSpan.FromSeconds(2);

    private IJSObjectReference? _module;

    [Inject]
    private IJSRuntime JS { get; set; } = null!;

    /// <summary>The plot's element; plotly keeps the drawn data on it, which the browser tests read.</summary>
    protected ElementReference Plot { get; set; }

    /// <summary>The element id of the plot.</summary>
    protected string PlotId => "plot-" + Tile.Id;

    /// <summary>The figure for the data read: <c>{"data": [...], "layout": {...}}</c>.</summary>
    protected abstract JsonObject Figure(TData data);

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        await base.OnAfterRenderAsync(firstRender);
        if (Status != TileStatus.Shown || Data is null || !_pending)
        {
            // A tile that left the shown state lost its plot's element: the next shown state draws afresh.
            _drawn = Status == TileStatus.Shown ? _drawn : null;
            return;
        }

        var firstDraw = _drawn is null;

        _pending = false;
        var figure = Figure(Data).ToJsonString();
        if (figure == _drawn && !firstDraw)
        {
            // Nothing new arrived: the browser keeps what it drew, and the circuit sends nothing.
            return;
        }

        try
        {
            _module ??= await JS.InvokeAsync<IJSObjectReference>("import", Closed, "./" + Assets["_content/Centrum.Web/tile-plot.js"]);
            await _module.InvokeVoidAsync("draw", Closed, Plot, Assets["_content/Plotly.Blazor/plotly-3.7.0.min.js"], figure);
            _drawn = figure;
        }
        catch (Exception e) when (e is JSDisconnectedException or OperationCanceledException)
        {
            // The page went away while the chart was being drawn: nothing is left to draw on.
        }
    }

    private bool _pending;
    private string? _drawn;

    protected override Task ShownAsync(TData data)
    {
        // Drawn after the render that puts the plot's element on the page (it is absent in the reading and empty states).
        _pending = true;
        return Task.CompletedTask;
    }

    protected override async ValueTask DisposeTileAsync()
    {
        if (_module is { } module)
        {
            using var wait = new CancellationTokenSource(DisposeWait);
            try
            {
                await module.InvokeVoidAsync("purge", wait.Token, Plot);
                await module.DisposeAsync();
            }
            catch (Exception e) when (e is JSDisconnectedException or OperationCanceledException or JSException)
            {
                // The browser's page is gone (or going): it frees the plot with itself.
            }
        }
    }
}
