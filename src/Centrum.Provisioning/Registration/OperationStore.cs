using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace Centrum.Provisioning.Registration;

/// <summary>
/// Finished registrations, kept for polling by operation id. In memory: a registration is repeated by the device if its
/// operation is lost, so this state needs no durability. (Several nodes will keep it in the shared store.)
/// </summary>
internal sealed class OperationStore(TimeProvider time)
{
    private readonly ConcurrentDictionary<(string Application, string OperationId), (string RegistrationId, JsonObject Result, DateTimeOffset Expiry)> _operations = new();

    public void Add(string applicationId, string operationId, string registrationId, JsonObject result, TimeSpan lifetime)
    {
        var now = time.GetUtcNow();
        foreach (var (key, value) in _operations)
        {
            if (value.Expiry < now)
            {
                _operations.TryRemove(key, out _);
            }
        }

        _operations[(applicationId, operationId)] = (registrationId, result, now + lifetime);
    }

    public JsonObject? Find(string applicationId, string registrationId, string operationId) =>
        _operations.TryGetValue((applicationId, operationId), out var entry)
        && string.Equals(entry.RegistrationId, registrationId, StringComparison.OrdinalIgnoreCase)
        && entry.Expiry >= time.GetUtcNow()
            ? entry.Result
            : null;
}
