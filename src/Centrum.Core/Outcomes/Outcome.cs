using System.Diagnostics.CodeAnalysis;

namespace Centrum.Outcomes;

/// <summary>
/// The one result type of the areas' public services: a value, or the <see cref="Problem"/> that refused the request.
/// REST, web pages and jobs call the same service and translate the problem; none of them re-checks a rule.
/// A class, not a struct, so there is no <c>default</c> that would claim success without a value.
/// </summary>
public sealed class Outcome<T>
{
    public Outcome(T value)
    {
        ArgumentNullException.ThrowIfNull(value);
        Value = value;
    }

    public Outcome(Problem problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        Problem = problem;
    }

    public T? Value { get; }

    public Problem? Problem { get; }

    [MemberNotNullWhen(true, nameof(Value))]
    [MemberNotNullWhen(false, nameof(Problem))]
    public bool Succeeded => Problem is null;

    public static implicit operator Outcome<T>(T value) => new(value);

    public static implicit operator Outcome<T>(Problem problem) => new(problem);
}
