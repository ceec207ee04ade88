using Centrum.Identity.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Centrum.Api.Identity;

/// <summary>The REST side of the grant rule: the caller's holdings, handed to the identity services that apply it.</summary>
internal static class Grants
{
    public static Task<CallerHoldings> HoldingsAsync(this HttpContext context) =>
        context.RequestServices.GetRequiredService<AccessScope>().HoldingsAsync(context.User, context.RequestAborted);
}
