namespace Centrum.Outcomes;

/// <summary>One fault of a <see cref="Problem"/>: the JSON path into the request where it lies, and what is wrong there.</summary>
public sealed record ProblemDetail(string Path, string Message);
