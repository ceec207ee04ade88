using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;

namespace Centrum.Web.Pages.Dashboards;

/// <summary>
/// Drag to move and resize tiles while editing (wwwroot/dashboard-drag.js, pointer events): a drop reports whole cells,
/// applied as the move and size buttons apply theirs (the buttons stay for keyboard users), and saved with the rest of
/// the edit through the etag-guarded save.
/// </summary>
public sealed partial class DashboardPage
{
    private ElementReference _grid;
    private IJSObjectReference? _dragModule;
    private IJSObjectReference? _dragging;
    private DotNetObjectReference<DashboardPage>? _self;
    private bool _dragAttached;

    [Inject]
    private IJSRuntime JS { get; set; } = null!;

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        // Set before the first await: the refresh renders the page again while the module loads, and a second attach
        // would report every drop twice.
        if (_editing == _dragAttached || _closed.IsCancellationRequested)
        {
            return;
        }

        _dragAttached = _editing;
        try
        {
            if (_editing)
            {
                _dragModule ??= await JS.InvokeAsync<IJSObjectReference>("import", _closed.Token, "./" + Assets["_content/Centrum.Web/dashboard-drag.js"]);
                _self ??= DotNetObjectReference.Create(this);
                _dragging = await _dragModule.InvokeAsync<IJSObjectReference>("attach", _closed.Token, _grid, _self);
                if (!_dragAttached)
                {
                    // Editing ended while the module loaded.
                    await DetachDragAsync();
                }
            }
            else
            {
                await DetachDragAsync();
            }
        }
        catch (Exception e) when (e is JSDisconnectedException or OperationCanceledException)
        {
            // The page went away meanwhile.
        }
    }

    /// <summary>A tile dropped <paramref name="columns"/> and <paramref name="rows"/> cells away from where the drag began.</summary>
    [JSInvokable]
    public Task TileDragged(string tileId, string mode, int columns, int rows)
    {
        if (!_editing)
        {
            return Task.CompletedTask;
        }

        if (mode == "resize")
        {
            Change(tileId, t => t with
            {
                Width = Math.Clamp(t.Width + columns, Centrum.Dashboards.TileRules.MinSize, Centrum.Dashboards.TileRules.MaxSize),
                Height = Math.Clamp(t.Height + rows, Centrum.Dashboards.TileRules.MinSize, Centrum.Dashboards.TileRules.MaxSize),
            });
        }
        else
        {
            Change(tileId, t => t with
            {
                X = Math.Clamp(t.X + columns, 0, Centrum.Dashboards.TileRules.MaxPosition), Y = Math.Clamp(t.Y + rows, 0, Centrum.Dashboards.TileRules.MaxPosition),
            });
        }

        return InvokeAsync(StateHasChanged);
    }

    private async Task DetachDragAsync()
    {
        if (_dragging is { } dragging)
        {
            _dragging = null;
            try
            {
                await dragging.InvokeVoidAsync("detach");
                await dragging.DisposeAsync();
            }
            catch (Exception e) when (e is JSDisconnectedException or OperationCanceledException or JSException)
            {
                // The browser's page is gone (or going): its listeners go with it.
            }
        }
    }

    private async Task DisposeDragAsync()
    {
        await DetachDragAsync();
        if (_dragModule is { } module)
        {
            try
            {
                await module.DisposeAsync();
            }
            catch (JSDisconnectedException)
            {
                // The page is gone.
            }
        }

        _self?.Dispose();
    }
}
