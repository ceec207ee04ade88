using System.ComponentModel.DataAnnotations;

namespace Centrum.Gateway;

/// <summary>Section <c>Centrum:Gateway</c>.</summary>
public sealed class GatewayOptions
{
    public const string Section = "Centrum:Gateway";

    /// <summary>
    /// A connection that has not completed its TLS handshake and sent CONNECT by then, counted from TCP accept, is
    /// closed (MQTT 3.1.1 §3.1.4 leaves the time to the server). It bounds how long junk holds a pending slot.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Tolerated clock difference when checking SAS token expiry.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Server-to-device packets that may wait for one slow device before its connection is closed; bounds the memory
    /// one device can hold.
    /// </summary>
    [Range(16, 1_000_000)]
    public int OutboundQueueCapacity { get; set; } = 10_000;

    /// <summary>
    /// Bytes of PUBLISHes (twin answers and patches, method requests, cloud-to-device messages) that may wait for one
    /// device. Answers to the device's own requests wait for room, so it is no longer read until it reads; a desired
    /// patch that does not fit closes the connection (the device reads the whole twin after reconnecting); a method
    /// request that does not fit is answered as if the device were offline. Holds several of the largest method
    /// requests (128 KB) and the cloud-to-device window (10 × 64 KB).
    /// </summary>
    [Range(64 * 1024, 1024 * 1024 * 1024)]
    public int OutboundQueueBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>
    /// Authenticated device connections accepted per second on this node; beyond it CONNECT is answered 0x03 (server
    /// unavailable), which the SDKs retry with back-off, as IoT Hub's connection throttle does (IoT Hub documentation, "IoT Hub quotas and throttling"). It keeps a fleet that
    /// reconnects at once from starving connected devices. Only CONNECTs whose credentials were verified spend it, so
    /// junk cannot lock real devices out; unauthenticated work is bounded by the pending limits below.
    /// </summary>
    [Range(1, 1_000_000)]
    public int ConnectionsPerSecond { get; set; } = 1000;

    /// <summary>
    /// Open MQTT connections (TLS and WebSocket, devices and provisioning clients, authenticated or not) this node
    /// holds; one more is closed at once. Each costs a socket, TLS buffers and a few tens of KB; raise it with the
    /// process's file-descriptor limit.
    /// </summary>
    [Range(1, 10_000_000)]
    public int MaxConnections { get; set; } = 100_000;

    /// <summary>
    /// Connections between TCP accept and an authenticated CONNECT (TLS handshake, CONNECT, credential check), on
    /// the whole node. They are the ones that cost CPU and store lookups before anyone is known; beyond the limit a
    /// new connection is closed before its TLS handshake. A reconnecting fleet passes through quickly: each stays
    /// pending for a handshake and one round trip.
    /// </summary>
    [Range(1, 1_000_000)]
    public int MaxPendingConnections { get; set; } = 2_000;

    /// <summary>
    /// Pending connections (as above) from one remote IP address: one source cannot take all of
    /// <see cref="MaxPendingConnections"/>. Raise it when many devices share one address behind NAT and reconnect
    /// at once.
    /// </summary>
    [Range(1, 1_000_000)]
    public int MaxPendingConnectionsPerAddress { get; set; } = 64;

    /// <summary>
    /// How long a provisioning connection may stay silent, whatever keep-alive it asks for: a registration polls its
    /// operation every <c>retry-after</c> seconds (at most 60), so 90 s leaves room for the slowest poll.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:29:27")]
    public TimeSpan ProvisioningIdleTimeout { get; set; } = TimeSpan.FromSeconds(90);

    /// <summary>
    /// How long a provisioning connection lives at most. A registration takes one request and a few polls (seconds);
    /// five minutes covers a throttled one, then the client reconnects if it still needs to.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan ProvisioningLifetime { get; set; } = TimeSpan.FromMinutes(5);
}
