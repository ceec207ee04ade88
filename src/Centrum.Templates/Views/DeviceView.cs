using Centrum.Templates.Dtdl;

namespace Centrum.Templates.Views;

/// <summary>How a property is shown and who writes it (IoT Central documentation, "Property" in device templates).</summary>
public enum PropertyAccess
{
    /// <summary>Reported by the device only: shown, never edited.</summary>
    ReadOnly,

    /// <summary>Writable: the cloud sets the desired value, the device acknowledges it (IoT Plug and Play conventions).</summary>
    Writable,

    /// <summary>IoT Central's cloud property: kept by the platform, never sent to the device.</summary>
    Cloud,
}

/// <summary>A declared telemetry: the chart or tile of a default view.</summary>
public sealed record TelemetryView(string? Component, string Name, string DisplayName, string? Unit, IReadOnlyList<string> SemanticTypes, FormField Value);

/// <summary>A declared property: its value, state and, for writable and cloud ones, the form that edits it.</summary>
public sealed record PropertyView(string? Component, string Name, string DisplayName, string? Unit, PropertyAccess Access, FormField Value)
{
    public bool IsEditable => Access != PropertyAccess.ReadOnly;
}

/// <summary>A declared command: the request form (none when the command takes no request) and the response's shape.</summary>
public sealed record CommandView(string? Component, string Name, string DisplayName, string? Description, FormField? Request, FormField? Response);

/// <summary>The root interface (<see cref="Name"/> null) or one component, with what it declares.</summary>
public sealed record ComponentView(
    string? Name, string DisplayName, string InterfaceId,
    IReadOnlyList<TelemetryView> Telemetry, IReadOnlyList<PropertyView> Properties, IReadOnlyList<CommandView> Commands);

/// <summary>
/// A device's default views generated from its template, as IoT Central's are: a chart or tile per telemetry, a form
/// per writable or cloud property, a form per command, grouped by component (root first, then components in declared
/// order). Built from the template alone; what a caller may see of the device is its head's to check first.
/// </summary>
public sealed record DeviceView(string TemplateId, string? TemplateDisplayName, string ModelId, IReadOnlyList<ComponentView> Components)
{
    public IEnumerable<TelemetryView> Telemetry => Components.SelectMany(c => c.Telemetry);

    public IEnumerable<PropertyView> Properties => Components.SelectMany(c => c.Properties);

    public IEnumerable<CommandView> Commands => Components.SelectMany(c => c.Commands);

    public TelemetryView? FindTelemetry(string? component, string name) => Telemetry.FirstOrDefault(t => t.Component == component && t.Name == name);

    public PropertyView? FindProperty(string? component, string name) => Properties.FirstOrDefault(p => p.Component == component && p.Name == name);

    public CommandView? FindCommand(string? component, string name) => Commands.FirstOrDefault(c => c.Component == component && c.Name == name);

    public static DeviceView From(DeviceTemplate template)
    {
        var model = template.Model;
        var components = new List<ComponentView> { Scope(null, template.DisplayName ?? model.DisplayName?.Default ?? template.Id, model) };
        foreach (var component in model.Components)
        {
            if (component.Schema is { } schema)
            {
                components.Add(Scope(component.Name, Display(component), schema));
            }
        }

        return new DeviceView(template.Id, template.DisplayName, template.ModelId, components);
    }

    private static ComponentView Scope(string? component, string displayName, DtdlInterface scope) => new(
        component,
        displayName,
        scope.Id,
        [.. scope.Telemetry.Select(t => new TelemetryView(
            component, t.Name, Display(t), t.Unit, t.CoTypes, FormField.For(t.Name, Display(t), t.Schema)))],
        [.. scope.Properties.Select(p => new PropertyView(
            component, p.Name, Display(p), p.Unit, Access(component, p), FormField.For(p.Name, Display(p), p.Schema)))],
        [.. scope.Commands.Select(c => new CommandView(
            component, c.Name, Display(c), c.Description?.Default,
            c.Request is { } request ? FormField.For(request.Name, request.Name, request.Schema) : null,
            c.Response is { } response ? FormField.For(response.Name, response.Name, response.Schema) : null))]);

    /// <summary>
    /// Cloud properties are written only at the root (<see cref="DeviceModels.CheckWrites"/> and the property service
    /// keep them at the root), so a component's property co-typed Cloud is shown as its writability says.
    /// </summary>
    private static PropertyAccess Access(string? component, DtdlProperty property) =>
        component is null && DeviceModels.IsCloud(property) ? PropertyAccess.Cloud
        : property.Writable ? PropertyAccess.Writable
        : PropertyAccess.ReadOnly;

    private static string Display(DtdlContent content) => content.DisplayName?.Default ?? content.Name;
}
