using System.Text.Json.Nodes;
using Centrum.Outcomes;
using Centrum.Telemetry.Query;

namespace Centrum.Templates.Query;

/// <summary>
/// The one way in to telemetry queries (IoT Central's query language, "How to use the IoT Central REST API to query
/// devices"), for REST's <c>POST /query</c> and the data explorer alike: it owns the rules a query text must meet (it
/// parses, its template exists, every field it names is telemetry the template declares) and runs it over the devices
/// the caller hands it, answering with IoT Central's error codes. Which devices a query covers is the caller's to
/// decide through the devices area (the template's devices within the caller's reach), so a query never reaches a
/// device the caller could not list.
/// </summary>
public sealed class TemplateQueryService(QueryService queries, DeviceTemplateService templates, TimeProvider time)
{
    /// <summary>IoT Central's error code for a query text it cannot run.</summary>
    public const string InvalidQuery = "InvalidQuery";

    /// <summary>Parses <paramref name="text"/> and checks it against its template; the problem points at the offending token.</summary>
    public async Task<Outcome<TelemetryQuery>> PrepareAsync(string applicationId, string text, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(text);
        TelemetryQuery query;
        try
        {
            query = QueryParser.Parse(text);
        }
        catch (QueryException ex)
        {
            return Invalid(ex.Message);
        }

        var template = await templates.GetAsync(applicationId, query.Template, cancellationToken);
        if (template is null)
        {
            return Invalid($"Device template '{query.Template}' does not exist.");
        }

        if (Undeclared(query, template) is { } unknown)
        {
            var kind = DeviceModels.Property(template.Model, unknown.Component, unknown.Name) is null ? "telemetry of the template" : "telemetry (property queries are not supported)";
            return Invalid(new QueryException($"'{unknown.Text}' is not {kind}", unknown.Position, unknown.Text).Message);
        }

        return query;
    }

    /// <summary>
    /// Runs a prepared query over <paramref name="deviceIds"/>, within the row, window, time and memory limits of
    /// <see cref="QueryOptions"/>; a query past a limit is refused with the limit's own code.
    /// </summary>
    public async Task<Outcome<IReadOnlyList<JsonObject>>> RunAsync(
        string applicationId, TelemetryQuery query, IReadOnlyCollection<string> deviceIds, CancellationToken cancellationToken)
    {
        try
        {
            return new Outcome<IReadOnlyList<JsonObject>>(await queries.ExecuteAsync(applicationId, query, deviceIds, time.GetUtcNow(), cancellationToken));
        }
        catch (QueryException ex)
        {
            return Invalid(ex.Message);
        }
        catch (QueryLimitException ex)
        {
            return new Problem(ProblemKind.Invalid, ex.Code, ex.Message);
        }
    }

    private static Problem Invalid(string message) => new(ProblemKind.Invalid, InvalidQuery, message);

    private static QueryField? Undeclared(TelemetryQuery query, DeviceTemplate template)
    {
        IEnumerable<QueryField> Fields(Condition? c) => c switch
        {
            AndCondition a => Fields(a.Left).Concat(Fields(a.Right)),
            OrCondition o => Fields(o.Left).Concat(Fields(o.Right)),
            CompareCondition compare => [compare.Field],
            InCondition @in => [@in.Field],
            _ => [],
        };

        return query.Items.Select(i => i.Field).Concat(Fields(query.Where)).Concat(query.OrderBy is null ? [] : [query.OrderBy.Field])
            .FirstOrDefault(f => !f.IsId && !f.IsTimestamp && DeviceModels.Telemetry(template.Model, f.Component, f.Name) is null);
    }
}
