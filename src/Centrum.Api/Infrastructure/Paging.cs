using System.Buffers.Text;
using System.Text;
using Centrum.Listing;
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

    /// <summary>
    /// IoT Central's list options (2022-10-31-preview, Devices_List and DeviceTemplates_List: <c>filter</c>,
    /// <c>orderby</c>) as the caller wrote them, for the area's service to evaluate; <paramref name="after"/> is the
    /// decoded skip token.
    /// </summary>
    public static ListRequest ListRequest(HttpContext context, string? after) =>
        new(context.Request.Query["filter"].FirstOrDefault(), context.Request.Query["orderby"].FirstOrDefault(), after);

    /// <summary>An option the service could not evaluate, as IoT Central's 400 naming the query parameter.</summary>
    public static IResult Refuse(ListQueryException error) => ApiError.BadRequest($"The query parameter '{error.Parameter}' is not valid: {error.Message}");

    /// <summary>The request's own address with every query parameter kept but the skip token, which is replaced.</summary>
    public static string NextLink(HttpContext context, string skipToken)
    {
        var request = context.Request;
        var query = QueryString.Create(request.Query.Where(q => q.Key is not ("$skiptoken" or "skiptoken")).Append(new("$skiptoken", skipToken)));
        return $"{request.Scheme}://{request.Host}{request.PathBase}{request.Path}{query}";
    }

    public static IResult Page<T>(HttpContext context, IReadOnlyList<T> value, string? continueAfter)
    {
        if (continueAfter is null)
        {
            return Results.Json(new { value });
        }

        return Results.Json(new { value, nextLink = NextLink(context, Base64Url.EncodeToString(Encoding.UTF8.GetBytes(continueAfter))) });
    }
}
