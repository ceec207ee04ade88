namespace Centrum.Outcomes;

/// <summary>
/// What kind of refusal a <see cref="Problem"/> is. Each protocol head translates it into its own wire form: REST into
/// an HTTP status with IoT Central's error body, MQTT into IoT Hub's status codes, a job into a device's failure reason.
/// </summary>
public enum ProblemKind
{
    /// <summary>The request breaks a rule of the area (a name, a range, a schema). REST: 400.</summary>
    Invalid,

    /// <summary>What the request names does not exist, or the caller may not reach it. REST: 404.</summary>
    NotFound,

    /// <summary>The request contradicts the current state (in use, already exists). REST: 409.</summary>
    Conflict,

    /// <summary>The caller's precondition (an ETag) no longer holds. REST: 412.</summary>
    PreconditionFailed,

    /// <summary>A body or payload is larger than the area accepts. REST: 413.</summary>
    TooLarge,

    /// <summary>A quota the request would exceed (a full queue). REST: 403, as IoT Hub answers quota errors.</summary>
    LimitReached,

    /// <summary>A device or destination did not answer in time. REST: 504.</summary>
    Timeout,

    /// <summary>
    /// The caller may see the resource but not do this to it: for example place a device in an organization outside its
    /// reach, or grant a role it does not hold. REST: 403.
    /// </summary>
    Forbidden,

    /// <summary>The caller did not prove who it is (a wrong password or code, no sign-in to continue). REST: 401.</summary>
    Unauthorized,

    /// <summary>
    /// The caller spent its allowance of attempts (sign-in throttling); <see cref="Problem.RetryAfter"/> says when it may
    /// try again. REST: 429 with Retry-After (RFC 6585 §4).
    /// </summary>
    TooManyRequests,
}

/// <summary>
/// A refusal an area's service returns instead of throwing: expected outcomes of outside requests are values, as
/// MQTTnet's reason codes and Garnet's status values are. <see cref="Code"/> is IoT Central's error code
/// (<c>BadRequest</c>, <c>NotFound</c>, <c>DeviceNotOnline</c>, …), <see cref="Message"/> says what to change.
/// </summary>
public sealed record Problem(ProblemKind Kind, string Code, string Message)
{
    /// <summary>
    /// Where in the request each fault lies, when there are several (a capability model's DTDL errors): the error's
    /// <c>details</c> array of the Azure REST API guidelines' error shape. Empty for a refusal with one cause.
    /// </summary>
    public IReadOnlyList<ProblemDetail> Details { get; init; } = [];

    /// <summary>For <see cref="ProblemKind.TooManyRequests"/>: how long until the caller may try again.</summary>
    public TimeSpan? RetryAfter { get; init; }

    public static Problem Invalid(string message) => new(ProblemKind.Invalid, "BadRequest", message);

    public static Problem NotFound(string message) => new(ProblemKind.NotFound, "NotFound", message);

    public static Problem Conflict(string message) => new(ProblemKind.Conflict, "Conflict", message);

    public static Problem PreconditionFailed(string message) => new(ProblemKind.PreconditionFailed, "PreconditionFailed", message);

    public static Problem TooLarge(string message) => new(ProblemKind.TooLarge, "PayloadTooLarge", message);

    public static Problem Forbidden(string message) => new(ProblemKind.Forbidden, "Forbidden", message);
}
