using System.Globalization;
using Centrum.Outcomes;
using Microsoft.AspNetCore.Http;

namespace Centrum.Api.Infrastructure;

/// <summary>
/// IoT Central's error shape (the <c>Error</c> definition of the IoT Central data-plane OpenAPI spec, Azure/azure-rest-api-specs specification/iotcentral): <c>{"error":{"code","message","requestId","time"}}</c> with the
/// code repeated in the <c>x-ms-error-code</c> header.
/// </summary>
public static class ApiError
{
    public static IResult Result(int status, string code, string message) => new ErrorResult(status, code, message, [], null);

    public static IResult BadRequest(string message) => Result(StatusCodes.Status400BadRequest, "BadRequest", message);

    public static IResult NotFound(string message) => Result(StatusCodes.Status404NotFound, "NotFound", message);

    public static IResult Conflict(string message) => Result(StatusCodes.Status409Conflict, "Conflict", message);

    public static IResult PreconditionFailed(string message) => Result(StatusCodes.Status412PreconditionFailed, "PreconditionFailed", message);

    /// <summary>
    /// An area's refusal in IoT Central's shape: the kind chooses the status, the code and message pass through. A retry
    /// time goes to Retry-After in whole seconds (RFC 9110 §10.2.3).
    /// </summary>
    public static IResult From(Problem problem) => new ErrorResult(problem.Kind switch
    {
        ProblemKind.Invalid => StatusCodes.Status400BadRequest,
        ProblemKind.NotFound => StatusCodes.Status404NotFound,
        ProblemKind.Conflict => StatusCodes.Status409Conflict,
        ProblemKind.PreconditionFailed => StatusCodes.Status412PreconditionFailed,
        ProblemKind.TooLarge => StatusCodes.Status413PayloadTooLarge,
        ProblemKind.LimitReached => StatusCodes.Status403Forbidden,
        ProblemKind.Timeout => StatusCodes.Status504GatewayTimeout,
        ProblemKind.Forbidden => StatusCodes.Status403Forbidden,
        ProblemKind.Unauthorized => StatusCodes.Status401Unauthorized,
        ProblemKind.TooManyRequests => StatusCodes.Status429TooManyRequests,
        _ => throw new ArgumentOutOfRangeException(nameof(problem), problem.Kind, "A problem kind REST does not translate."),
    }, problem.Code, problem.Message, problem.Details, problem.RetryAfter);

    public static Task WriteAsync(HttpContext context, int status, string code, string message) =>
        new ErrorResult(status, code, message, [], null).ExecuteAsync(context);

    /// <summary>The error, with a <c>details</c> array of <c>{path, message}</c> when the problem names several faults.</summary>
    private sealed class ErrorResult(int status, string code, string message, IReadOnlyList<ProblemDetail> details, TimeSpan? retryAfter) : IResult, IStatusCodeHttpResult
    {
        public int? StatusCode => status;

        public Task ExecuteAsync(HttpContext context)
        {
            context.Response.StatusCode = status;
            context.Response.Headers["x-ms-error-code"] = code;
            if (retryAfter is { } wait)
            {
                context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            }

            var requestId = context.TraceIdentifier;
            var time = DateTimeOffset.UtcNow.ToString("r", CultureInfo.InvariantCulture);
            return details.Count == 0
                ? context.Response.WriteAsJsonAsync(new { error = new { code, message, requestId, time } })
                : context.Response.WriteAsJsonAsync(new
                {
                    error = new { code, message, requestId, time, details = details.Select(d => new { path = d.Path, message = d.Message }) },
                });
        }
    }
}
