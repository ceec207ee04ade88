using System.Diagnostics.CodeAnalysis;

namespace Centrum.Outcomes;

/// <summary>
/// The one result type of the areas' public services: a value, or the <see cref="Problem"/> that refused the request.
/// REST, web pages and jobs call the same service and translate the problem; none of them re-checks a rule.
/// </summary>
public readonly record struct Outcome<T>
{
    public Outcome(T value) => Value = value;

    public Outcome(Problem problem) => Problem = problem;

    public T? Value { get; }

    public Problem? Problem { get; }

    [MemberNotNullWhen(true, nameof(Value))]
    [MemberNotNullWhen(false, nameof(Problem))]
    public bool Succeeded => Problem is null;

    public static implicit operator Outcome<T>(T value) => new(value);

    public static implicit operator Outcome<T>(Problem problem) => new(problem);
}
