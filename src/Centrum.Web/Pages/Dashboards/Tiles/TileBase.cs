using Centrum.Dashboards;
using Centrum.Outcomes;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Logging;

namespace Centrum.Web.Pages.Dashboards.Tiles;

/// <summary>Where a tile stands: reading for the first time, showing data, showing that it has none, or failed to read.</summary>
public enum TileStatus
{
    Reading,
    Shown,
    Empty,
    Failed,
}

/// <summary>
/// A tile that reads its data every <see cref="DashboardPage.RefreshPeriod"/>, so it follows data as it arrives. The
/// read runs on the thread pool, off the circuit's synchronization context (DuckDB runs a statement synchronously
/// inside its async calls), so a slow query never holds the page's other events; only the result is handed back to
/// the circuit to draw. A read that answers not found (the tile's group was deleted, its device left reach) or finds
/// nothing shows the empty state; a read that fails is logged once per tile and shows "could not be read".
/// </summary>
public abstract class TileBase<TData> : ComponentBase, IAsyncDisposable
    where TData : class
{
    private readonly CancellationTokenSource _closed = new();
    private Task? _refreshing;
    private bool _logged;

    [Parameter, EditorRequired]
    public Tile Tile { get; set; } = null!;

    [Parameter, EditorRequired]
    public string DashboardId { get; set; } = "";

    [Parameter, EditorRequired]
    public TileReader Reader { get; set; } = null!;

    [Inject]
    private TimeProvider Time { get; set; } = null!;

    [Inject]
    private ILogger<TileBase<TData>> Logger { get; set; } = null!;

    /// <summary>What the last successful read found, or null before it.</summary>
    protected TData? Data { get; private set; }

    protected TileStatus Status { get; private set; } = TileStatus.Reading;

    /// <summary>Closed with the tile.</summary>
    protected CancellationToken Closed => _closed.Token;

    /// <summary>Whether the tile reads again each period; a tile whose data does not change with telemetry reads once.</summary>
    protected virtual bool Live => true;

    /// <summary>Reads the tile's data; runs off the circuit, so it touches no component state.</summary>
    protected abstract Task<Outcome<TData>> ReadAsync(CancellationToken cancellationToken);

    /// <summary>Whether the data read holds nothing to show.</summary>
    protected abstract bool IsEmpty(TData data);

    /// <summary>Called on the circuit after a read changed <see cref="Data"/>, before the tile renders (for charts drawn by script).</summary>
    protected virtual Task ShownAsync(TData data) => Task.CompletedTask;

    protected override void OnAfterRender(bool firstRender)
    {
        if (firstRender)
        {
            _refreshing = RefreshLoopAsync();
        }
    }

    private async Task RefreshLoopAsync()
    {
        using var timer = new PeriodicTimer(DashboardPage.RefreshPeriod, Time);
        try
        {
            do
            {
                await RefreshAsync();
            }
            while (Live && await timer.WaitForNextTickAsync(_closed.Token));
        }
        catch (OperationCanceledException)
        {
            // The tile closed.
        }
        catch (ObjectDisposedException)
        {
            // The circuit's renderer is gone with the page.
        }
    }

    private async Task RefreshAsync()
    {
        try
        {
            var read = await Task.Run(() => ReadAsync(_closed.Token), _closed.Token);
            if (!read.Succeeded && read.Problem.Kind == ProblemKind.NotFound)
            {
                await InvokeAsync(() => Show(TileStatus.Empty, null));
            }
            else if (!read.Succeeded)
            {
                await FailAsync(read.Problem.Message);
            }
            else
            {
                await InvokeAsync(async () =>
                {
                    if (_closed.IsCancellationRequested)
                    {
                        return;
                    }

                    Data = read.Value;
                    Status = IsEmpty(read.Value) ? TileStatus.Empty : TileStatus.Shown;
                    await ShownAsync(read.Value);
                    StateHasChanged();
                });
            }
        }
        catch (Exception e) when (e is not (OperationCanceledException or ObjectDisposedException) || !_closed.IsCancellationRequested)
        {
            // Whatever failed, the tile says so and reads again next period rather than stopping.
            await FailAsync(e.Message);
        }
    }

    private async Task FailAsync(string reason)
    {
        if (!_logged)
        {
            _logged = true;
            DashboardLog.TileReadFailed(Logger, Reader.ApplicationId, DashboardId, Tile.Id, reason);
        }

        await InvokeAsync(() => Show(TileStatus.Failed, null));
    }

    private void Show(TileStatus status, TData? data)
    {
        if (_closed.IsCancellationRequested)
        {
            return;
        }

        Status = status;
        Data = data;
        StateHasChanged();
    }

    public async ValueTask DisposeAsync()
    {
        await _closed.CancelAsync();
        if (_refreshing is not null)
        {
            try
            {
                await _refreshing;
            }
            catch (OperationCanceledException)
            {
                // Closed mid-read.
            }
        }

        await DisposeTileAsync();
        _closed.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Lets go of what the tile holds in the browser.</summary>
    protected virtual ValueTask DisposeTileAsync() => ValueTask.CompletedTask;
}
