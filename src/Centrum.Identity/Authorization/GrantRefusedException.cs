namespace Centrum.Identity.Authorization;

/// <summary>A grant beyond the caller's own permissions or reach (see <see cref="CallerHoldings"/>); nothing was changed.</summary>
public sealed class GrantRefusedException(string message) : Exception(message);
