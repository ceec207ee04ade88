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

    /// <summary>
    /// The list options IoT Central's preview declares (2022-10-31-preview, Devices_List and DeviceTemplates_List:
    /// <c>filter</c>, <c>orderby</c>, <c>expand</c>) that Centrum does not evaluate. A script that sends one expects a
    /// filtered or ordered answer; an unfiltered one would be silently wrong, so the request is refused, naming it.
    /// </summary>
    public static IResult? RefuseUnsupported(HttpContext context, params string[] names)
    {
        foreach (var name in names)
        {
            if (context.Request.Query.ContainsKey(name))
            {
                return ApiError.BadRequest($"The query parameter '{name}' is not supported by this server; list without it.");
            }
        }

        return null;
    }

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
