namespace Centrum.Gateway.IotHub;

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
                RemoveKey(application, key);

                application.Add(new KeyValuePair<string, string?>(key, value));
            }
        }

        return new PropertyBag(system, application);
    }

    /// <summary>A loop, not <c>FindIndex</c> with a lambda: that closure over the key was an allocation per property.</summary>
    private static void RemoveKey(List<KeyValuePair<string, string?>> application, string key)
    {
        for (var i = 0; i < application.Count; i++)
        {
            if (application[i].Key == key)
            {
                application.RemoveAt(i);
                return;
            }
        }
    }
}
