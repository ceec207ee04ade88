namespace Centrum.Export.Filters;

/// <summary>One device template in a filter's <c>FROM</c> list, with its alias when it has one.</summary>
public sealed record FilterSource(string TemplateId, string? Alias);
