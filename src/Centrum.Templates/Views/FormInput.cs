using System.Text.Json.Nodes;
using Centrum.Outcomes;

namespace Centrum.Templates.Views;

/// <summary>
/// What a person typed into a generated form: one text per leaf field, one child per field of an object, geopoint or
/// vector. <see cref="Required"/> turns it into the value the schema declares, or refuses naming the field.
/// </summary>
public sealed class FormInput
{
    internal FormInput(FormField field)
    {
        Field = field;
        Children = [.. field.Fields.Select(f => new FormInput(f))];
    }

    public FormField Field { get; }

    /// <summary>The typed text of a leaf field (ignored for an object, a geopoint or a vector).</summary>
    public string? Text { get; set; }

    public IReadOnlyList<FormInput> Children { get; }

    /// <summary>Whether the value is entered through <see cref="Children"/> rather than <see cref="Text"/>.</summary>
    public bool IsGroup => Children.Count > 0;

    /// <summary>
    /// The value a property write or a command request sends: what was entered, checked against the declared schema,
    /// or the refusal naming the field. Nothing entered is refused too, since such a write or request carries a value.
    /// </summary>
    public Outcome<JsonNode> Required()
    {
        var (value, error) = Read();
        return error is not null ? Problem.Invalid(error)
            : value is not null ? value
            : Problem.Invalid($"'{Field.DisplayName}' needs a value.");
    }

    /// <summary>
    /// What was entered, or no value when every field is blank. A group leaves out its blank fields (DTDL object fields
    /// are optional) and is checked whole against its schema, so a geopoint needs both coordinates.
    /// </summary>
    private (JsonNode? Value, string? Error) Read()
    {
        if (!IsGroup)
        {
            return Field.Read(Text);
        }

        var value = new JsonObject();
        foreach (var child in Children)
        {
            var (entered, error) = child.Read();
            if (error is not null)
            {
                return (null, $"{Field.DisplayName}: {error}");
            }

            if (entered is not null)
            {
                value[child.Field.Name] = entered;
            }
        }

        if (value.Count == 0)
        {
            return (null, null);
        }

        return Field.Fits(value)
            ? (value, null)
            : (null, $"'{Field.DisplayName}' is incomplete: {string.Join(", ", Children.Select(c => c.Field.DisplayName))} do not fit its schema together.");
    }

    /// <summary>Fills the texts from a current value (a reported or desired property, a previous request), for editing.</summary>
    public void Fill(JsonNode? value)
    {
        if (!IsGroup)
        {
            Text = Field.TextOf(value);
            return;
        }

        var obj = value as JsonObject;
        foreach (var child in Children)
        {
            child.Fill(obj?[child.Field.Name]);
        }
    }
}
