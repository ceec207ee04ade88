using System.Buffers.Text;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Centrum.Api.Infrastructure;

/// <summary>
/// IoT Central's paging: <c>maxpagesize</c> and a <c>nextLink</c> that carries an opaque <c>$skiptoken</c> (here the
/// last id of the page, so pages stay stable while items are added or removed).
/// </summary>
internal static class Paging
{
    public static IResult? Read(HttpContext context, int? maxpagesize, int limit, out int pageSize, out string? after)
    {
        pageSize = maxpagesize ?? 25;
        after = null;
        if (pageSize < 1 || pageSize > limit)
        {
            return ApiError.BadRequest($"maxpagesize must be between 1 and {limit}.");
        }

        if (context.Request.Query["$skiptoken"].FirstOrDefault() is { } token)
        {
            try
            {
                after = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token));
            }
            catch (FormatException)
            {
                return ApiError.BadRequest("The $skiptoken is not valid.");
            }
        }

        return null;
    }

    public static IResult Page<T>(HttpContext context, IReadOnlyList<T> value, string? continueAfter)
    {
        if (continueAfter is null)
        {
            return Results.Json(new { value });
        }

        var request = context.Request;
        var query = QueryString.Create(request.Query.Where(q => q.Key != "$skiptoken").Append(new("$skiptoken", Base64Url.EncodeToString(Encoding.UTF8.GetBytes(continueAfter)))));
        return Results.Json(new { value, nextLink = $"{request.Scheme}://{request.Host}{request.PathBase}{request.Path}{query}" });
    }
}
