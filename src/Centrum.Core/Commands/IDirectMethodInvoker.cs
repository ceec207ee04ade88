using System.Text.Json.Nodes;

namespace Centrum.Commands;

public enum DirectMethodStatus
{
    /// <summary>The device answered; see the status code and payload.</summary>
    Answered,

    /// <summary>The device was not connected (and subscribed to methods) within the connection timeout.</summary>
    NotConnected,

    /// <summary>The device did not answer within the response timeout.</summary>
    Timeout,
}

public readonly record struct DirectMethodResult(DirectMethodStatus Status, int ResponseCode = 0, JsonNode? Payload = null);

/// <summary>
/// Calls a direct method on a device's own connection. On one node the gateway implements it; on several, the call
/// will travel to the node that holds the connection.
/// </summary>
public interface IDirectMethodInvoker
{
    Task<DirectMethodResult> InvokeAsync(
        string applicationId, string deviceId, string? moduleId, string methodName, JsonNode? payload,
        TimeSpan connectTimeout, TimeSpan responseTimeout, CancellationToken cancellationToken);
}
