using System.IO.Pipelines;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Centrum.Gateway.Transport;
using Microsoft.Azure.Amqp;
using Microsoft.Azure.Amqp.Transport;

namespace Centrum.Gateway.Amqp;

/// <summary>
/// A Kestrel connection (TCP and TLS done by Kestrel, as for MQTT, so admission, limits and the server certificate are
/// the listener's) handed to Microsoft.Azure.Amqp as its <see cref="TransportBase"/>. The library serialises reads and
/// writes (one of each at a time); a read of 0 bytes is the peer's end of stream.
/// </summary>
internal sealed class AmqpStreamTransport : TransportBase
{
    private readonly IDuplexPipe _pipe;
    private readonly Stream _input;
    private readonly Stream _output;
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public AmqpStreamTransport(IDuplexPipe pipe, EndPoint? local, EndPoint? remote, X509Certificate2? clientCertificate, ConnectionAdmission.AdmissionTicket? admission)
        : base("tls")
    {
        _pipe = pipe;
        _input = pipe.Input.AsStream(leaveOpen: true);
        _output = pipe.Output.AsStream(leaveOpen: true);
        LocalEndPoint = local?.ToString() ?? string.Empty;
        RemoteEndPoint = remote?.ToString() ?? string.Empty;
        ClientCertificate = clientCertificate;
        Admission = admission;
    }

    public override string LocalEndPoint { get; }

    public override string RemoteEndPoint { get; }

    /// <summary>Kestrel did TLS on the listener.</summary>
    public override bool IsSecure => true;

    public X509Certificate2? ClientCertificate { get; }

    public ConnectionAdmission.AdmissionTicket? Admission { get; }

    /// <summary>Completes when the library closes or aborts the transport.</summary>
    public Task Ended => _closed.Task;

    public override void SetMonitor(ITransportMonitor usageMeter)
    {
    }

    public override bool WriteAsync(TransportAsyncCallbackArgs args)
    {
        ReadOnlyMemory<byte> buffer;
        if (args.Buffer is not null)
        {
            buffer = args.Buffer.AsMemory(args.Offset, args.Count);
        }
        else if (args.ByteBufferList.Count == 1)
        {
            var only = args.ByteBufferList[0];
            buffer = only.Buffer.AsMemory(only.Offset, only.Length);
        }
        else
        {
            var merged = new byte[args.Count];
            var at = 0;
            foreach (var part in args.ByteBufferList)
            {
                Buffer.BlockCopy(part.Buffer, part.Offset, merged, at, part.Length);
                at += part.Length;
            }

            buffer = merged.AsMemory(0, at);
        }

        var task = _output.WriteAsync(buffer);
        if (task.IsCompleted)
        {
            Complete(args, task, buffer.Length);
            return false;
        }

        _ = CompleteLaterAsync(args, task.AsTask(), buffer.Length);
        return true;
    }

    public override bool ReadAsync(TransportAsyncCallbackArgs args)
    {
        var task = _input.ReadAsync(args.Buffer.AsMemory(args.Offset, args.Count));
        if (task.IsCompleted)
        {
            CompleteRead(args, task);
            return false;
        }

        _ = CompleteReadLaterAsync(args, task.AsTask());
        return true;
    }

    protected override bool OpenInternal() => true;

    protected override bool CloseInternal()
    {
        End();
        return true;
    }

    protected override void AbortInternal() => End();

    private void End()
    {
        if (_closed.Task.IsCompleted)
        {
            return;
        }

        _pipe.Output.Complete();
        _pipe.Input.CancelPendingRead();
        _closed.TrySetResult();
    }

    private static void Complete(TransportAsyncCallbackArgs args, ValueTask task, int count)
    {
        try
        {
            task.GetAwaiter().GetResult();
            args.BytesTransfered = count;
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException or OperationCanceledException)
        {
            args.Exception = ex;
        }
    }

    private static async Task CompleteLaterAsync(TransportAsyncCallbackArgs args, Task task, int count)
    {
        try
        {
            await task.ConfigureAwait(false);
            args.BytesTransfered = count;
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException or OperationCanceledException)
        {
            args.Exception = ex;
        }

        args.CompletedCallback(args);
    }

    private static void CompleteRead(TransportAsyncCallbackArgs args, ValueTask<int> task)
    {
        try
        {
            args.BytesTransfered = task.GetAwaiter().GetResult();
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException or OperationCanceledException)
        {
            args.BytesTransfered = 0;
        }
    }

    private static async Task CompleteReadLaterAsync(TransportAsyncCallbackArgs args, Task<int> task)
    {
        try
        {
            args.BytesTransfered = await task.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException or OperationCanceledException)
        {
            // A reset or a close from our side reads as the end of the stream.
            args.BytesTransfered = 0;
        }

        args.CompletedCallback(args);
    }
}
