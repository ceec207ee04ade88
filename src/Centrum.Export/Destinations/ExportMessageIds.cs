using System.Globalization;

namespace Centrum.Export.Destinations;

/// <summary>
/// Message ids for destinations that drop duplicates by id (JetStream's <c>Nats-Msg-Id</c>, Service Bus duplicate
/// detection): <c>{applicationId}/{exportId}/{destinationId}/{sequence}/{index}</c>, the same each time a batch is sent
/// again, while distinct messages never share one: not two messages of one record (<c>index</c> counts them, in the
/// order a record always yields them), nor two applications' exports of the same name sending into one entity.
/// </summary>
internal static class ExportMessageIds
{
    public static string[] For(DestinationContext context, IReadOnlyList<ExportedMessage> messages)
    {
        var ids = new string[messages.Count];
        var index = 0;
        for (var i = 0; i < messages.Count; i++)
        {
            index = i > 0 && messages[i - 1].Sequence == messages[i].Sequence ? index + 1 : 0;
            ids[i] = string.Create(CultureInfo.InvariantCulture, $"{context.ApplicationId}/{context.ExportId}/{context.DestinationId}/{messages[i].Sequence}/{index}");
        }

        return ids;
    }
}
