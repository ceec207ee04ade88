using System.Diagnostics;

namespace Centrum.Templates;

/// <summary>The templates area's traces: saving a template parses and checks its whole model, the area's one costly step.</summary>
public static class TemplatesTracing
{
    public const string SourceName = "Centrum.Templates";

    internal static readonly ActivitySource Source = new(SourceName);
}
