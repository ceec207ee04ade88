using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Centrum.Hosting;
using Microsoft.Extensions.Options;

namespace Centrum.Export.Destinations;

/// <summary>
/// Where export destinations may connect, decided at connect time on every address the socket would use: a name that
/// resolves to a refused address later (DNS rebinding) is caught at the connection, not only when the destination was
/// saved. By default a destination may not reach the server's own management port, loopback, unspecified or link-local
/// addresses (169.254.0.0/16 and fe80::/10, where cloud instance metadata services answer); private ranges are allowed,
/// since on-premises receivers are normal, unless <see cref="ExportOptions.RefusePrivateDestinations"/> is set.
/// </summary>
internal sealed class DestinationReach
{
    private readonly bool _allowLocal;
    private readonly bool _refusePrivate;
    private readonly IPEndPoint? _management;

    public DestinationReach(IOptions<ExportOptions> options, IOptions<NetworkOptions> network)
        : this(options.Value.AllowLocalDestinations, options.Value.RefusePrivateDestinations, ManagementEndpoint(network.Value))
    {
    }

    internal DestinationReach(bool allowLocal, bool refusePrivate, IPEndPoint? management)
    {
        _allowLocal = allowLocal;
        _refusePrivate = refusePrivate;
        _management = management;
    }

    /// <summary>Why a connection to <paramref name="address"/>:<paramref name="port"/> is refused, or null when it is allowed.</summary>
    public string? Refusal(IPAddress address, int port)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        var local = IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any);
        if (_management is not null && port == _management.Port && (local || address.Equals(_management.Address) || (IsUnspecified(_management.Address) && IsOwn(address))))
        {
            return "the server's own management port";
        }

        if (!_allowLocal && local)
        {
            return "a loopback or unspecified address";
        }

        if (!_allowLocal && IsLinkLocal(address))
        {
            return "a link-local address (169.254.0.0/16, fe80::/10)";
        }

        return _refusePrivate && IsPrivate(address) ? "a private address" : null;
    }

    /// <summary>
    /// Resolves <paramref name="host"/> and connects to the first of its addresses that is allowed; throws
    /// <see cref="DestinationRefusedException"/> when every address is refused.
    /// </summary>
    public async Task<Socket> ConnectAsync(string host, int port, CancellationToken cancellationToken)
    {
        var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellationToken);
        var refused = new List<string>();
        Exception? lastFailure = null;
        foreach (var address in addresses)
        {
            if (Refusal(address, port) is { } reason)
            {
                refused.Add($"{address} ({reason})");
                continue;
            }

            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, port), cancellationToken);
                return socket;
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException)
            {
                socket.Dispose();
                lastFailure = ex;
                if (ex is OperationCanceledException)
                {
                    throw;
                }
            }
        }

        if (lastFailure is not null)
        {
            throw lastFailure;
        }

        throw new DestinationRefusedException(refused.Count == 0
            ? $"{host} resolves to no address."
            : $"Export destinations may not connect to {host}:{port}: {string.Join(", ", refused)}. Centrum:Export:AllowLocalDestinations allows local receivers.");
    }

    /// <summary>
    /// For clients that open their own sockets (the AMQP transport of the Azure messaging SDKs): throws
    /// <see cref="DestinationRefusedException"/> when any address <paramref name="host"/> resolves to now is refused,
    /// since such a client may connect to any of them. The client resolves the name again itself, so a name that is
    /// rebound between the check and its connection is not caught; checking before every connection narrows that.
    /// </summary>
    public async Task CheckAsync(string host, int port, CancellationToken cancellationToken)
    {
        var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellationToken);
        var refused = addresses.Select(a => (Address: a, Reason: Refusal(a, port))).Where(r => r.Reason is not null).ToList();
        if (refused.Count > 0)
        {
            throw new DestinationRefusedException(
                $"Export destinations may not connect to {host}:{port}: {string.Join(", ", refused.Select(r => $"{r.Address} ({r.Reason})"))}. Centrum:Export:AllowLocalDestinations allows local receivers.");
        }
    }

    private static bool IsUnspecified(IPAddress address) => address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any);

    private static bool IsLinkLocal(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetwork
            ? address.GetAddressBytes() is [169, 254, _, _]
            : address.IsIPv6LinkLocal;

    private static bool IsPrivate(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetwork
            ? address.GetAddressBytes() switch
            {
                [10, _, _, _] => true,
                [172, var b, _, _] when b is >= 16 and <= 31 => true,
                [192, 168, _, _] => true,
                [100, var b, _, _] when b is >= 64 and <= 127 => true, // RFC 6598 shared address space
                _ => false,
            }
            : address.IsIPv6UniqueLocal || address.IsIPv6SiteLocal;

    /// <summary>The server's own addresses, for a management port that listens on all of them.</summary>
    private static bool IsOwn(IPAddress address) =>
        NetworkInterface.GetAllNetworkInterfaces().SelectMany(i => i.GetIPProperties().UnicastAddresses).Any(u => u.Address.Equals(address));

    private static IPEndPoint? ManagementEndpoint(NetworkOptions network) =>
        Uri.TryCreate(network.ManagementUrl, UriKind.Absolute, out var uri) && IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address)
            ? new IPEndPoint(address, uri.Port)
            : null;
}

/// <summary>A destination's connection refused by <see cref="DestinationReach"/>: a setting, not an outage, so not retried as one.</summary>
internal sealed class DestinationRefusedException(string message) : Exception(message);
