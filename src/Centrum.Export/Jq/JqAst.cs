using System.Text.Json.Nodes;

namespace Centrum.Export.Jq;

/// <summary>A jq expression tree. Evaluation yields zero or more outputs per input, as jq does.</summary>
internal abstract record JqNode;

internal sealed record Identity : JqNode;

internal sealed record RecurseAll : JqNode;

internal sealed record Literal(JsonNode? Value) : JqNode;

internal sealed record StringTemplate(IReadOnlyList<object> Parts) : JqNode;

internal sealed record Field(JqNode Target, string Name, bool Optional) : JqNode;

internal sealed record Index(JqNode Target, JqNode Key, bool Optional) : JqNode;

internal sealed record Slice(JqNode Target, JqNode? From, JqNode? To) : JqNode;

internal sealed record Iterate(JqNode Target, bool Optional) : JqNode;

internal sealed record Pipe(JqNode Left, JqNode Right) : JqNode;

internal sealed record Comma(JqNode Left, JqNode Right) : JqNode;

internal sealed record Binary(string Operator, JqNode Left, JqNode Right) : JqNode;

internal sealed record Negate(JqNode Operand) : JqNode;

internal sealed record ArrayConstruction(JqNode? Body) : JqNode;

internal sealed record ObjectConstruction(IReadOnlyList<(JqNode Key, JqNode? Value)> Entries) : JqNode;

internal sealed record IfThenElse(JqNode Condition, JqNode Then, JqNode? Else) : JqNode;

internal sealed record Call(string Name, IReadOnlyList<JqNode> Arguments) : JqNode;

internal sealed record Variable(string Name) : JqNode;

internal sealed record Bind(JqNode Source, string Name, JqNode Body) : JqNode;

internal sealed record Reduce(JqNode Source, string Name, JqNode Init, JqNode Update) : JqNode;

internal sealed record TryCatch(JqNode Body, JqNode? Catch) : JqNode;
