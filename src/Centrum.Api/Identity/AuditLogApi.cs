using System.Globalization;
using System.Text.Json.Nodes;
using Centrum.Api.Infrastructure;
using Centrum.Identity.Audit;
using Centrum.Identity.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Centrum.Api.Identity;

/// <summary>
/// Centrum's own: the application's audit log, newest first, paged like IoT Central's collections. IoT Central shows
/// its audit log in the UI and exports it; it has no REST operation for it.
/// </summary>
public static class AuditLogApi
{
    public static RouteGroupBuilder MapAuditLogApi(this RouteGroupBuilder api)
    {
        api.MapGet("/auditLogs", ListAsync).RequirePermission(Permission.AuditLogRead);
        return api;
    }

    private static async Task<IResult> ListAsync(HttpContext context, AuditLog audit, int? maxpagesize)
    {
        if (Paging.Read(context, maxpagesize, AuditLog.MaxPageSize, out var pageSize, out var after) is { } error)
        {
            return error;
        }

        long? before = null;
        if (after is not null)
        {
            if (!long.TryParse(after, NumberStyles.None, CultureInfo.InvariantCulture, out var position))
            {
                return ApiError.BadRequest("The $skiptoken is not valid.");
            }

            before = position;
        }

        var (page, next) = await audit.ListAsync(context.Application().Id, before, pageSize, context.RequestAborted);
        var value = page.Select(r =>
        {
            var json = new JsonObject { ["id"] = r.Position, ["time"] = IotCentralTime.ToText(r.Time) };
            foreach (var (name, item) in r.Entry)
            {
                json[name] = item?.DeepClone();
            }

            return json;
        }).ToList();
        return Paging.Page(context, value, next?.ToString(CultureInfo.InvariantCulture));
    }
}
