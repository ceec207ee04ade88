using Centrum.Api.Infrastructure;
using Centrum.Identity.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Centrum.Api.Identity;

/// <summary>The REST side of the grant rule: the caller's holdings for the identity services, and their refusals as 403.</summary>
internal static class Grants
{
    public static Task<CallerHoldings> HoldingsAsync(this HttpContext context) =>
        context.RequestServices.GetRequiredService<AccessScope>().HoldingsAsync(context.User, context.RequestAborted);

    /// <summary>IoT Central answers an operation beyond the caller's roles with 403; the message names what is missing.</summary>
    public static IResult Refused(string message) => ApiError.Result(StatusCodes.Status403Forbidden, "Forbidden", message);
}
