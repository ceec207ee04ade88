namespace Centrum.IotHub;

/// <summary>
/// A message's property bag from the end of a telemetry topic (IoT Hub docs "Communicate with an IoT hub using the MQTT protocol", "Sending device-to-cloud messages"): everything after
/// <c>…/messages/events/</c>, one leading <c>?</c> and trailing <c>/</c> stripped, items split on <c>&amp;</c> and at
/// the first <c>=</c>, percent-decoded. Keys starting <c>$.</c> are system properties; a repeated key: last wins.
/// </summary>
internal sealed class PropertyBag
{
    private PropertyBag(Dictionary<string, string?> system, List<KeyValuePair<string, string?>> application)
    {
        System = system;
        Application = application;
    }

    public IReadOnlyDictionary<string, string?> System { get; }

    public List<KeyValuePair<string, string?>> Application { get; }

    /// <summary>Bytes the properties count toward the 256 KB message limit: system values, application names and values.</summary>
    /// <remarks>Loops, not <c>Sum</c>: over these collection types it boxed an enumerator per call, two a message.</remarks>
    public int Size
    {
        get
        {
            var size = 0;
            foreach (var value in System.Values)
            {
                size += value?.Length ?? 0;
            }

            foreach (var (key, value) in Application)
            {
                size += key.Length + (value?.Length ?? 0);
            }

            return size;
        }
    }

    public string? Get(string systemKey) => System.TryGetValue(systemKey, out var value) ? value : null;

    public static PropertyBag Parse(ReadOnlySpan<char> bag)
    {
        if (bag.StartsWith("?"))
        {
            bag = bag[1..];
        }

        bag = bag.TrimEnd('/');
        var system = new Dictionary<string, string?>(StringComparer.Ordinal);
        var application = new List<KeyValuePair<string, string?>>();
        var keys = new ApplicationKeys();
        foreach (var range in bag.Split('&'))
        {
            var item = bag[range];
            if (item.IsEmpty)
            {
                continue;
            }

            var eq = item.IndexOf('=');
            var key = PercentEncoding.Decode(eq < 0 ? item : item[..eq]);
            var value = eq < 0 ? null : PercentEncoding.Decode(item[(eq + 1)..]);
            if (key.StartsWith("$.", StringComparison.Ordinal))
            {
                system[key] = value;
            }
            else
            {
                keys.Add(application, key, value);
            }
        }

        keys.Compact(application);
        return new PropertyBag(system, application);
    }

    /// <summary>
    /// Where each application key sits, so that a repeat (last wins, moved to the end) costs the same whatever the bag's
    /// length. A topic can carry about 30,000 items; a scan per item made a hostile bag quadratic. Small bags, the usual
    /// case, scan and allocate nothing more; past <see cref="ScanLimit"/> items a dictionary takes over.
    /// </summary>
    private struct ApplicationKeys
    {
        private const int ScanLimit = 16;

        private Dictionary<string, int>? _positions;
        private bool _repeated;

        public void Add(List<KeyValuePair<string, string?>> application, string key, string? value)
        {
            var existing = IndexOf(application, key);
            if (existing >= 0)
            {
                // A tombstone keeps the other positions valid; Compact drops it.
                application[existing] = default;
                _repeated = true;
            }

            _positions?[key] = application.Count;
            application.Add(new KeyValuePair<string, string?>(key, value));
            if (_positions is null && application.Count > ScanLimit)
            {
                _positions = new Dictionary<string, int>(StringComparer.Ordinal);
                for (var i = 0; i < application.Count; i++)
                {
                    if (application[i].Key is { } k)
                    {
                        _positions[k] = i;
                    }
                }
            }
        }

        public readonly void Compact(List<KeyValuePair<string, string?>> application)
        {
            if (_repeated)
            {
                application.RemoveAll(static p => p.Key is null);
            }
        }

        /// <summary>A loop, not <c>FindIndex</c> with a lambda: that closure over the key was an allocation per property.</summary>
        private readonly int IndexOf(List<KeyValuePair<string, string?>> application, string key)
        {
            if (_positions is not null)
            {
                return _positions.TryGetValue(key, out var position) ? position : -1;
            }

            for (var i = 0; i < application.Count; i++)
            {
                if (application[i].Key == key)
                {
                    return i;
                }
            }

            return -1;
        }
    }
}
