using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Centrum.Api.Infrastructure;

/// <summary>
/// Parameters the framework binds (<c>maxpagesize=abc</c>, a missing required value) are refused in IoT Central's error
/// shape naming the parameter, instead of the bare 400 minimal APIs write. The one place for it: the route handlers
/// throw (<see cref="Microsoft.AspNetCore.Routing.RouteHandlerOptions.ThrowOnBadRequest"/>, set by
/// <see cref="ApiEndpoints.AddCentrumApi"/>) and this middleware answers before the caller sees anything.
/// </summary>
public static partial class BindingErrors
{
    public static IApplicationBuilder UseCentrumBindingErrors(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        try
        {
            await next(context);
        }
        catch (BadHttpRequestException ex) when (!context.Response.HasStarted)
        {
            if (!context.Request.Path.StartsWithSegments("/api"))
            {
                // Other heads (DPS over HTTPS) have their own error shapes; they keep the framework's bare status.
                context.Response.StatusCode = ex.StatusCode;
                return;
            }

            var code = ex.StatusCode == StatusCodes.Status413PayloadTooLarge ? "PayloadTooLarge" : "BadRequest";
            await ApiError.WriteAsync(context, ex.StatusCode, code, Describe(ex.Message));
        }
    });

    /// <summary>The framework's message names the parameter with its C# type; callers know it by name and value.</summary>
    internal static string Describe(string message) =>
        FailedToBind().Match(message) is { Success: true } failed
            ? $"The value '{failed.Groups["value"].Value}' of parameter '{failed.Groups["name"].Value}' is not valid."
            : Required().Match(message) is { Success: true } required
                ? $"The parameter '{required.Groups["name"].Value}' is required."
                : message;

    // Microsoft.AspNetCore.Http.RequestDelegateFactory: "Failed to bind parameter \"int? maxpagesize\" from \"abc\"."
    [GeneratedRegex("""^Failed to bind parameter "[^"]* (?<name>[^" ]+)" from "(?<value>.*)"\.$""", RegexOptions.Singleline, matchTimeoutMilliseconds: 100)]
    private static partial Regex FailedToBind();

    // Microsoft.AspNetCore.Http.RequestDelegateFactory: "Required parameter \"string name\" was not provided from query string."
    [GeneratedRegex("""^Required parameter "[^"]* (?<name>[^" ]+)" was not provided""", RegexOptions.Singleline, matchTimeoutMilliseconds: 100)]
    private static partial Regex Required();
}
