using System.Text.Json;
using System.Text.Json.Nodes;

namespace Centrum.Templates.Dtdl;

/// <summary>
/// Parses and validates DTDL v2 and v3 models strictly: unknown or misspelled terms, invalid DTMIs, duplicate names,
/// unresolved or cyclic references, wrong schemas and exceeded limits are errors with the JSON path where they occur.
/// Several documents (or one array) form one model; references resolve across them.
/// </summary>
public static class DtdlParser
{
    /// <summary>
    /// A model nests Interfaces, contents, complex schemas (at most 5 deep) and their members: 128 levels is ample
    /// and bounds the reader. A member named twice is a JSON error (RFC 8259 §4: names should be unique), where the
    /// tree would otherwise throw when the member is first read.
    /// </summary>
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 128, AllowDuplicateProperties = false };

    /// <summary>IoT Central's co-type for a Relationship that is an IoT Edge module (IoT Central docs, "IoT Edge devices and IoT Central").</summary>
    private const string EdgeModule = "EdgeModule";

    public static DtdlParseResult Parse(params string[] documents) => Parse((IReadOnlyList<string>)documents);

    public static DtdlParseResult Parse(IReadOnlyList<string> documents)
    {
        var session = new Session();
        for (var i = 0; i < documents.Count; i++)
        {
            var root = documents.Count == 1 ? "$" : $"$[{i}]";
            JsonNode? node;
            try
            {
                node = JsonNode.Parse(documents[i], documentOptions: DocumentOptions);
            }
            catch (Exception ex) when (ex is JsonException or ArgumentException)
            {
                // ArgumentException: text that is not valid UTF-16 (a lone surrogate) cannot be read as JSON.
                session.Error(root, $"The document is not valid JSON: {ex.Message}");
                continue;
            }

            switch (node)
            {
                case JsonObject top:
                    session.ReadTopLevel(top, root);
                    break;
                case JsonArray array:
                    for (var j = 0; j < array.Count; j++)
                    {
                        if (array[j] is JsonObject element)
                        {
                            session.ReadTopLevel(element, $"{root}[{j}]");
                        }
                        else
                        {
                            session.Error($"{root}[{j}]", "A top-level element must be an Interface object.");
                        }
                    }

                    break;
                default:
                    session.Error(root, "A DTDL document must be an Interface object or an array of them.");
                    break;
            }
        }

        session.Resolve();
        return session.Result();
    }

    private sealed class Session
    {
        private readonly List<DtdlError> _errors = [];
        private readonly Dictionary<string, DtdlInterface> _interfaces = new(StringComparer.Ordinal);
        private readonly Dictionary<string, string> _ids = new(StringComparer.Ordinal);
        private readonly List<(DtdlInterface Owner, DtdlSchemaReference Reference)> _references = [];

        public void Error(string path, string message) => _errors.Add(new DtdlError(path, message));

        public DtdlParseResult Result() => _errors.Count == 0
            ? new DtdlParseResult(_interfaces, [])
            : new DtdlParseResult(new Dictionary<string, DtdlInterface>(), _errors);

        public void ReadTopLevel(JsonObject element, string path)
        {
            if (!TryContext(element, path, null, out var context))
            {
                return;
            }

            ReadInterface(element, path, context!);
        }

        /// <summary>Reads <c>@context</c>: the DTDL context first (IoT Central's v2 context may precede it), known extensions after.</summary>
        private bool TryContext(JsonObject element, string path, Context? inherited, out Context? context)
        {
            context = inherited;
            if (element["@context"] is not { } node)
            {
                if (inherited is null)
                {
                    Error(path, "A top-level Interface needs an @context naming the DTDL version (dtmi:dtdl:context;2 or dtmi:dtdl:context;3).");
                    return false;
                }

                return true;
            }

            var values = node is JsonArray array ? array.ToList() : [node];
            var strings = new List<string>();
            foreach (var value in values)
            {
                if (value is not JsonValue v || v.GetValueKind() != JsonValueKind.String)
                {
                    Error($"{path}['@context']", "Every @context value must be a string.");
                    return false;
                }

                strings.Add(v.GetValue<string>());
            }

            var dtdl = strings.FindIndex(s => s.StartsWith("dtmi:dtdl:context;", StringComparison.Ordinal));
            if (dtdl < 0)
            {
                if (inherited is null)
                {
                    Error($"{path}['@context']", "The @context must include dtmi:dtdl:context;2 or dtmi:dtdl:context;3.");
                    return false;
                }
            }

            var version = dtdl < 0 ? inherited!.Version : strings[dtdl] switch
            {
                DtdlLanguage.ContextV2 => 2,
                DtdlLanguage.ContextV3 => 3,
                _ => 0,
            };
            if (version == 0)
            {
                Error($"{path}['@context']", $"Unsupported DTDL context '{strings[dtdl]}': use dtmi:dtdl:context;2 or dtmi:dtdl:context;3.");
                return false;
            }

            var extensions = new HashSet<string>(inherited?.Extensions ?? (IEnumerable<string>)[], StringComparer.Ordinal);
            for (var i = 0; i < strings.Count; i++)
            {
                var value = strings[i];
                if (i == dtdl)
                {
                    continue;
                }

                if (version == 2 && value == DtdlLanguage.IotCentralContext)
                {
                    extensions.Add(value);
                    continue;
                }

                if (i < dtdl)
                {
                    Error($"{path}['@context'][{i}]", "The DTDL context must come before every extension context.");
                    return false;
                }

                if (version == 3 && DtdlLanguage.V3Extensions.Contains(value))
                {
                    extensions.Add(value);
                    continue;
                }

                Error($"{path}['@context'][{i}]", version == 2 && DtdlLanguage.V3Extensions.Contains(value)
                    ? $"The extension '{value}' is a DTDL v3 extension; it cannot be used with dtmi:dtdl:context;2."
                    : version == 3 && value == DtdlLanguage.IotCentralContext
                        ? "IoT Central's context (dtmi:iotcentral:context;2) belongs to DTDL v2; it cannot be used with dtmi:dtdl:context;3."
                        : $"Unknown or unsupported context '{value}'.");
                return false;
            }

            context = new Context(version, extensions);
            return true;
        }

        private DtdlInterface? ReadInterface(JsonObject element, string path, Context context)
        {
            var types = Types(element, path, context);
            if (types is null || !types.Contains("Interface"))
            {
                Error(path, "A top-level element, an extends value and a Component schema must have @type \"Interface\".");
                return null;
            }

            CheckMembers(element, path, context, types, "Interface", ["contents", "extends", "schemas"]);
            var id = Id(element, path, context, required: true, maxLength: DtdlLanguage.MaxInterfaceIdLength);
            if (id is null)
            {
                return null;
            }

            var result = new DtdlInterface
            {
                Id = id,
                DtdlVersion = context.Version,
                Path = path,
                DisplayName = Localized(element, "displayName", path, DtdlLanguage.MaxDisplayNameLength(context.Version)),
                Description = Localized(element, "description", path, DtdlLanguage.MaxDescriptionLength),
            };
            Comment(element, path);
            if (_interfaces.ContainsKey(id))
            {
                Error($"{path}['@id']", $"The Interface '{id}' is defined more than once.");
                return null;
            }

            _interfaces[id] = result;

            foreach (var (extends, at) in Set(element, "extends", path))
            {
                switch (extends)
                {
                    case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                        var target = v.GetValue<string>();
                        if (!DtdlLanguage.IsDtmi(target, context.Version))
                        {
                            Error(at, $"'{target}' is not a valid DTMI.");
                        }
                        else
                        {
                            result.Extends.Add(target);
                        }

                        break;
                    case JsonObject inline:
                        if (TryContext(inline, at, context, out var inner) && ReadInterface(inline, at, inner!) is { } parent)
                        {
                            result.Extends.Add(parent.Id);
                        }

                        break;
                    default:
                        Error(at, "An extends value must be an Interface DTMI or an inline Interface.");
                        break;
                }
            }

            if (context.Version == 2 && Set(element, "extends", path).Count > DtdlLanguage.V2MaxDirectExtends)
            {
                Error($"{path}.extends", $"DTDL v2 allows at most {DtdlLanguage.V2MaxDirectExtends} extends values.");
            }

            foreach (var (schema, at) in Set(element, "schemas", path))
            {
                if (schema is not JsonObject definition)
                {
                    Error(at, "A schemas value must be an Array, Enum, Map or Object definition.");
                    continue;
                }

                if (definition["@id"] is null)
                {
                    Error(at, "A schema in 'schemas' must have an @id.");
                }

                if (ReadSchema(definition, at, context, result, 1) is { } parsed)
                {
                    result.Schemas.Add(parsed);
                }
            }

            var contents = Set(element, "contents", path);
            foreach (var (content, at) in contents)
            {
                if (content is not JsonObject obj)
                {
                    Error(at, "A contents value must be a Telemetry, Property, Command, Relationship or Component object.");
                    continue;
                }

                if (ReadContent(obj, at, context, result) is { } parsed)
                {
                    result.Contents.Add(parsed);
                }
            }

            return result;
        }

        private DtdlContent? ReadContent(JsonObject element, string path, Context context, DtdlInterface owner)
        {
            if (!TryContext(element, path, context, out var local))
            {
                return null;
            }

            context = local!;
            var types = Types(element, path, context);
            if (types is null)
            {
                return null;
            }

            var classes = types.Where(DtdlLanguage.ContentClasses.Contains).ToList();
            if (classes.Count != 1)
            {
                Error($"{path}['@type']", classes.Count == 0
                    ? $"Unknown content type '{string.Join(", ", types)}': expected Telemetry, Property, Command, Relationship or Component."
                    : "A content element has exactly one of the types Telemetry, Property, Command, Relationship and Component.");
                return null;
            }

            var kind = classes[0];
            var elementId = Id(element, path, context, required: false, DtdlLanguage.MaxIdLength);
            var name = Name(element, path, context);
            var displayName = Localized(element, "displayName", path, DtdlLanguage.MaxDisplayNameLength(context.Version));
            var description = Localized(element, "description", path, DtdlLanguage.MaxDescriptionLength);
            Comment(element, path);
            var coTypes = types.Where(t => t != kind).ToList();
            switch (kind)
            {
                case "Telemetry":
                case "Property":
                {
                    CheckMembers(element, path, context, types, kind, kind == "Property" ? ["name", "schema", "unit", "writable"] : ["name", "schema", "unit"]);
                    var schema = RequiredSchema(element, "schema", path, context, owner);
                    var unit = SemanticTypes(element, path, context, types, kind, schema);
                    if (name is null || schema is null)
                    {
                        return null;
                    }

                    if (kind == "Telemetry")
                    {
                        return new DtdlTelemetry { Name = name, Path = path, Schema = schema, Unit = unit, CoTypes = coTypes, DisplayName = displayName, Description = description };
                    }

                    if (context.Version == 2)
                    {
                        ForbidArraysAndGeospatial(schema, $"{path}.schema");
                    }

                    return new DtdlProperty { Name = name, Path = path, Schema = schema, Unit = unit, Writable = Bool(element, "writable", path) ?? false, CoTypes = coTypes, DisplayName = displayName, Description = description };
                }

                case "Command":
                {
                    CheckMembers(element, path, context, types, kind, context.Version == 2 ? ["name", "request", "response", "commandType"] : ["name", "request", "response", "commandType"]);
                    ForbidCoTypes(types, kind, path, context);
                    if (element["commandType"] is { } commandType
                        && (commandType is not JsonValue ct || ct.GetValueKind() != JsonValueKind.String || ct.GetValue<string>() is not ("synchronous" or "asynchronous")))
                    {
                        Error($"{path}.commandType", "commandType must be \"synchronous\" or \"asynchronous\".");
                    }

                    var request = Payload(element, "request", path, context, owner);
                    var response = Payload(element, "response", path, context, owner);
                    return name is null ? null : new DtdlCommand { Name = name, Path = path, Request = request, Response = response, DisplayName = displayName, Description = description };
                }

                case "Relationship":
                {
                    CheckMembers(element, path, context, types, kind, ["name", "minMultiplicity", "maxMultiplicity", "target", "properties", "writable"]);
                    ForbidCoTypes(types, kind, path, context);
                    if (element["minMultiplicity"] is { } min && (min is not JsonValue mv || !mv.TryGetValue(out int minimum) || minimum != 0))
                    {
                        Error($"{path}.minMultiplicity", "minMultiplicity must be 0.");
                    }

                    int? max = null;
                    if (element["maxMultiplicity"] is { } maxNode)
                    {
                        if (maxNode is not JsonValue xv || !xv.TryGetValue(out int maximum) || maximum < 1 || (context.Version == 2 && maximum > DtdlLanguage.V2MaxMultiplicity))
                        {
                            Error($"{path}.maxMultiplicity", context.Version == 2 ? "maxMultiplicity must be an integer from 1 to 500." : "maxMultiplicity must be an integer of at least 1.");
                        }
                        else
                        {
                            max = maximum;
                        }
                    }

                    string? target = null;
                    if (element["target"] is JsonArray modules && types.Contains(EdgeModule))
                    {
                        target = EdgeModuleTargets(modules, $"{path}.target", context);
                    }
                    else if (element["target"] is { } targetNode)
                    {
                        if (targetNode is not JsonValue tv || tv.GetValueKind() != JsonValueKind.String || !DtdlLanguage.IsDtmi(tv.GetValue<string>(), context.Version))
                        {
                            Error($"{path}.target", "target must be an Interface DTMI.");
                        }
                        else
                        {
                            target = tv.GetValue<string>();
                        }
                    }

                    var relationship = new DtdlRelationship { Name = name ?? "", Path = path, Id = elementId, Target = target, MaxMultiplicity = max, Writable = Bool(element, "writable", path) ?? false, CoTypes = coTypes, DisplayName = displayName, Description = description };
                    var properties = Set(element, "properties", path);
                    if (context.Version == 2 && properties.Count > DtdlLanguage.V2MaxRelationshipProperties)
                    {
                        Error($"{path}.properties", $"DTDL v2 allows at most {DtdlLanguage.V2MaxRelationshipProperties} Relationship properties.");
                    }

                    foreach (var (property, at) in properties)
                    {
                        if (property is JsonObject p && ReadContent(p, at, context, owner) is DtdlProperty parsed)
                        {
                            relationship.Properties.Add(parsed);
                        }
                        else if (property is not JsonObject || Types(property.AsObject(), at, context)?.Contains("Property") != true)
                        {
                            Error(at, "A Relationship's properties must be Property elements.");
                        }
                    }

                    Duplicates(relationship.Properties.Select(p => (p.Name, p.Path)), "Property");
                    return name is null ? null : relationship;
                }

                default:
                {
                    CheckMembers(element, path, context, types, kind, ["name", "schema"]);
                    ForbidCoTypes(types, kind, path, context);
                    string? schemaId = null;
                    switch (element["schema"])
                    {
                        case JsonValue v when v.GetValueKind() == JsonValueKind.String && DtdlLanguage.IsDtmi(v.GetValue<string>(), context.Version):
                            schemaId = v.GetValue<string>();
                            break;
                        case JsonObject inline:
                            if (TryContext(inline, $"{path}.schema", context, out var inner) && ReadInterface(inline, $"{path}.schema", inner!) is { } component)
                            {
                                schemaId = component.Id;
                            }

                            break;
                        case null:
                            Error(path, "A Component needs a 'schema': the Interface it holds.");
                            break;
                        default:
                            Error($"{path}.schema", "A Component's schema must be an Interface DTMI or an inline Interface.");
                            break;
                    }

                    return name is null || schemaId is null ? null : new DtdlComponent { Name = name, Path = path, Id = elementId, SchemaId = schemaId, CoTypes = coTypes, DisplayName = displayName, Description = description };
                }
            }
        }

        /// <summary>
        /// IoT Central models an IoT Edge device's modules as Relationships co-typed <c>EdgeModule</c> whose
        /// <c>target</c> lists the module's capability model, inline (IoT Central REST API 2022-10-31-preview,
        /// DeviceTemplates_Create example). Each entry is an Interface DTMI or an inline Interface, parsed as part of
        /// the model; the Relationship's target is the first.
        /// </summary>
        private string? EdgeModuleTargets(JsonArray modules, string path, Context context)
        {
            string? first = null;
            for (var i = 0; i < modules.Count; i++)
            {
                var at = $"{path}[{i}]";
                string? id = null;
                switch (modules[i])
                {
                    case JsonValue v when v.GetValueKind() == JsonValueKind.String && DtdlLanguage.IsDtmi(v.GetValue<string>(), context.Version):
                        id = v.GetValue<string>();
                        break;
                    case JsonObject inline:
                        if (TryContext(inline, at, context, out var inner) && ReadInterface(inline, at, inner!) is { } module)
                        {
                            id = module.Id;
                        }

                        break;
                    default:
                        Error(at, "An EdgeModule target must be an Interface DTMI or an inline Interface.");
                        break;
                }

                first ??= id;
            }

            if (modules.Count == 0)
            {
                Error(path, "An EdgeModule target lists at least one Interface.");
            }

            return first;
        }

        private DtdlPayload? Payload(JsonObject parent, string member, string path, Context context, DtdlInterface owner)
        {
            if (parent[member] is not { } node)
            {
                return null;
            }

            var at = $"{path}.{member}";
            if (node is not JsonObject element)
            {
                Error(at, $"A Command's {member} must be an object with a name and a schema.");
                return null;
            }

            var expected = context.Version == 2 ? "CommandPayload" : member == "request" ? "CommandRequest" : "CommandResponse";
            var types = element["@type"] is null ? [expected] : Types(element, at, context);
            if (types is null)
            {
                return null;
            }

            if (!types.Contains(expected))
            {
                Error($"{at}['@type']", context.Version == 2
                    ? $"A v2 Command {member} has @type CommandPayload."
                    : $"A v3 Command {member} has @type {expected} (CommandPayload is DTDL v2).");
                return null;
            }

            CheckMembers(element, at, context, types, expected, context.Version == 2 ? ["name", "schema"] : ["name", "schema", "unit"]);
            Id(element, at, context, required: false, DtdlLanguage.MaxIdLength);
            Localized(element, "displayName", at, DtdlLanguage.MaxDisplayNameLength(context.Version));
            Localized(element, "description", at, DtdlLanguage.MaxDescriptionLength);
            var name = Name(element, at, context);
            var schema = RequiredSchema(element, "schema", at, context, owner);
            if (context.Version == 3)
            {
                SemanticTypes(element, at, context, types, expected, schema);
            }
            else
            {
                ForbidCoTypes(types, expected, at, context);
            }

            return name is null || schema is null ? null : new DtdlPayload { Name = name, Schema = schema };
        }

        private DtdlSchema? RequiredSchema(JsonObject element, string member, string path, Context context, DtdlInterface owner, int depth = 0)
        {
            if (element[member] is not { } node)
            {
                Error(path, $"'{member}' is required.");
                return null;
            }

            if (node is JsonArray single && single.Count == 1)
            {
                node = single[0]!;
            }

            var at = $"{path}.{member}";
            switch (node)
            {
                case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                    var term = value.GetValue<string>();
                    if (DtdlLanguage.Primitives.Contains(term) || DtdlLanguage.Geospatial.Contains(term)
                        || (DtdlLanguage.IotCentralSchemas.Contains(term) && context.Extensions.Contains(DtdlLanguage.IotCentralContext)))
                    {
                        return new DtdlPrimitiveSchema { Name = term, Path = at };
                    }

                    if (term.StartsWith("dtmi:", StringComparison.Ordinal) && DtdlLanguage.IsDtmi(term, context.Version))
                    {
                        var reference = new DtdlSchemaReference { Reference = term, Path = at };
                        _references.Add((owner, reference));
                        return reference;
                    }

                    Error(at, DtdlLanguage.IotCentralSchemas.Contains(term)
                        ? $"The schema '{term}' needs IoT Central's context (dtmi:iotcentral:context;2)."
                        : $"Unknown schema '{term}'.");
                    return null;
                case JsonObject obj:
                    return ReadSchema(obj, at, context, owner, depth + 1);
                default:
                    Error(at, "A schema is a schema term, a DTMI, or an Array, Enum, Map or Object definition.");
                    return null;
            }
        }

        private DtdlSchema? ReadSchema(JsonObject element, string path, Context context, DtdlInterface owner, int depth)
        {
            if (depth > DtdlLanguage.MaxComplexSchemaDepth)
            {
                Error(path, $"Complex schemas nest at most {DtdlLanguage.MaxComplexSchemaDepth} deep.");
                return null;
            }

            if (!TryContext(element, path, context, out var local))
            {
                return null;
            }

            context = local!;
            var types = Types(element, path, context);
            var kind = types?.FirstOrDefault(DtdlLanguage.ComplexSchemaClasses.Contains);
            if (kind is null)
            {
                Error($"{path}['@type']", "A complex schema has @type Array, Enum, Map or Object.");
                return null;
            }

            ForbidCoTypes(types!, kind, path, context);
            var id = Id(element, path, context, required: false, DtdlLanguage.MaxIdLength);
            Localized(element, "displayName", path, DtdlLanguage.MaxDisplayNameLength(context.Version));
            Localized(element, "description", path, DtdlLanguage.MaxDescriptionLength);
            Comment(element, path);
            switch (kind)
            {
                case "Array":
                {
                    CheckMembers(element, path, context, types!, kind, ["elementSchema"]);
                    var elementSchema = RequiredSchema(element, "elementSchema", path, context, owner, depth);
                    return elementSchema is null ? null : new DtdlArraySchema { Id = id, Path = path, ElementSchema = elementSchema };
                }

                case "Object":
                {
                    CheckMembers(element, path, context, types!, kind, ["fields"]);
                    var result = new DtdlObjectSchema { Id = id, Path = path };
                    var fields = Set(element, "fields", path);
                    if (context.Version == 2 && (fields.Count < 1 || fields.Count > DtdlLanguage.V2MaxFields))
                    {
                        Error($"{path}.fields", $"A DTDL v2 Object has 1 to {DtdlLanguage.V2MaxFields} fields.");
                    }

                    foreach (var (field, at) in fields)
                    {
                        if (field is not JsonObject f)
                        {
                            Error(at, "A field is an object with a name and a schema.");
                            continue;
                        }

                        var fieldTypes = f["@type"] is null ? ["Field"] : Types(f, at, context);
                        if (fieldTypes is null || !fieldTypes.Contains("Field"))
                        {
                            Error($"{at}['@type']", "A field's @type, when given, includes Field.");
                            continue;
                        }

                        CheckMembers(f, at, context, fieldTypes, "Field", context.Version == 2 ? ["name", "schema"] : ["name", "schema", "unit"]);
                        Id(f, at, context, required: false, DtdlLanguage.MaxIdLength);
                        Localized(f, "displayName", at, DtdlLanguage.MaxDisplayNameLength(context.Version));
                        Localized(f, "description", at, DtdlLanguage.MaxDescriptionLength);
                        var name = Name(f, at, context);
                        var schema = RequiredSchema(f, "schema", at, context, owner, depth);
                        if (context.Version == 3)
                        {
                            SemanticTypes(f, at, context, fieldTypes, "Field", schema);
                        }
                        else
                        {
                            ForbidCoTypes(fieldTypes, "Field", at, context);
                        }

                        if (name is not null && schema is not null)
                        {
                            result.Fields.Add((name, schema));
                        }
                    }

                    Duplicates(result.Fields.Select((f, i) => (f.Name, $"{path}.fields[{i}]")), "field");
                    return result;
                }

                case "Map":
                {
                    CheckMembers(element, path, context, types!, kind, ["mapKey", "mapValue"]);
                    if (element["mapKey"] is not JsonObject key || element["mapValue"] is not JsonObject value)
                    {
                        Error(path, "A Map needs a 'mapKey' and a 'mapValue' object.");
                        return null;
                    }

                    CheckMembers(key, $"{path}.mapKey", context, ["MapKey"], "MapKey", ["name", "schema"]);
                    CheckMembers(value, $"{path}.mapValue", context, ["MapValue"], "MapValue", context.Version == 2 ? ["name", "schema"] : ["name", "schema", "unit"]);
                    var keyName = Name(key, $"{path}.mapKey", context);
                    if (key["schema"] is not JsonValue ks || ks.GetValueKind() != JsonValueKind.String || ks.GetValue<string>() != "string")
                    {
                        Error($"{path}.mapKey.schema", "A map key's schema must be \"string\".");
                    }

                    var valueName = Name(value, $"{path}.mapValue", context);
                    var valueSchema = RequiredSchema(value, "schema", $"{path}.mapValue", context, owner, depth);
                    return keyName is null || valueName is null || valueSchema is null
                        ? null
                        : new DtdlMapSchema { Id = id, Path = path, KeyName = keyName, ValueName = valueName, ValueSchema = valueSchema };
                }

                default:
                {
                    CheckMembers(element, path, context, types!, kind, ["valueSchema", "enumValues"]);
                    var valueSchema = element["valueSchema"] is JsonValue vs && vs.GetValueKind() == JsonValueKind.String ? vs.GetValue<string>() : null;
                    if (valueSchema is not ("integer" or "string"))
                    {
                        Error($"{path}.valueSchema", "An Enum's valueSchema must be \"integer\" or \"string\".");
                        return null;
                    }

                    var result = new DtdlEnumSchema { Id = id, Path = path, ValueSchema = valueSchema };
                    var values = Set(element, "enumValues", path);
                    if (context.Version == 2 && (values.Count < 1 || values.Count > DtdlLanguage.V2MaxEnumValues))
                    {
                        Error($"{path}.enumValues", $"A DTDL v2 Enum has 1 to {DtdlLanguage.V2MaxEnumValues} values.");
                    }

                    foreach (var (entry, at) in values)
                    {
                        if (entry is not JsonObject e)
                        {
                            Error(at, "An enum value is an object with a name and an enumValue.");
                            continue;
                        }

                        CheckMembers(e, at, context, e["@type"] is null ? ["EnumValue"] : Types(e, at, context) ?? ["EnumValue"], "EnumValue", ["name", "enumValue"]);
                        var name = Name(e, at, context);
                        var display = Localized(e, "displayName", at, DtdlLanguage.MaxDisplayNameLength(context.Version));
                        var literal = e["enumValue"] as JsonValue;
                        var ok = literal is not null && (valueSchema == "integer" ? literal.TryGetValue(out int _) : literal.GetValueKind() == JsonValueKind.String);
                        if (!ok)
                        {
                            Error($"{at}.enumValue", $"enumValue must be {(valueSchema == "integer" ? "an integer" : "a string")}, as the valueSchema says.");
                        }
                        else if (name is not null)
                        {
                            result.Values.Add((name, (JsonValue)literal!.DeepClone(), display));
                        }
                    }

                    Duplicates(result.Values.Select((v, i) => (v.Name, $"{path}.enumValues[{i}]")), "enum value");
                    Duplicates(result.Values.Select((v, i) => (v.Value.ToJsonString(), $"{path}.enumValues[{i}].enumValue")), "enumValue");
                    return result;
                }
            }
        }

        /// <summary>Checks a Telemetry's or Property's (or, in v3, a field's or payload's) semantic type and unit; returns the unit.</summary>
        private string? SemanticTypes(JsonObject element, string path, Context context, IReadOnlyList<string> types, string kind, DtdlSchema? schema)
        {
            var semantic = new List<(string Name, DtdlLanguage.SemanticType Type)>();
            foreach (var type in types.Where(t => t != kind))
            {
                if (context.Version == 2 && DtdlLanguage.V2SemanticTypes.TryGetValue(type, out var v2) && kind is "Telemetry" or "Property")
                {
                    semantic.Add((type, v2));
                }
                else if (context.Version == 2 && context.Extensions.Contains(DtdlLanguage.IotCentralContext) && DtdlLanguage.IotCentralTypes.TryGetValue(type, out var iotc) && kind is "Telemetry" or "Property")
                {
                    semantic.Add((type, iotc));
                }
                else if (context.Version == 3 && context.Extensions.Contains(DtdlLanguage.QuantitativeTypesContext) && DtdlLanguage.V3SemanticTypes.TryGetValue(type, out var v3))
                {
                    semantic.Add((type, v3));
                }
                else if (context.Version == 3 && type == "Historized" && kind is "Telemetry" or "Property" && context.Extensions.Any(e => e.StartsWith("dtmi:dtdl:extension:historization;", StringComparison.Ordinal)))
                {
                    continue;
                }
                else if (!InformalCoType(type, context))
                {
                    Error($"{path}['@type']", context.Version == 3 && DtdlLanguage.V3SemanticTypes.ContainsKey(type)
                        ? $"The semantic type '{type}' needs the QuantitativeTypes extension context ({DtdlLanguage.QuantitativeTypesContext}) in DTDL v3."
                        : $"'{type}' is not a semantic type a {kind} can have.");
                }
            }

            var unitNode = element["unit"];
            if (semantic.Count == 0)
            {
                if (unitNode is not null && !types.Any(t => InformalCoType(t, context)))
                {
                    Error($"{path}.unit", "'unit' is allowed only with a semantic type.");
                }

                return null;
            }

            if (semantic.Count > 1)
            {
                Error($"{path}['@type']", "An element has at most one semantic type.");
                return null;
            }

            var (name, definition) = semantic[0];
            var unit = unitNode is JsonValue u && u.GetValueKind() == JsonValueKind.String ? u.GetValue<string>() : null;
            if (unitNode is not null && unit is null)
            {
                Error($"{path}.unit", "'unit' must be a string.");
            }
            // DTDL v2 lists 'unit' as optional on Telemetry and Property even with a semantic type (DTDL.v2.md,
            // "Telemetry" and "Property" tables), and IoT Central accepts a Humidity telemetry without one (IoT
            // Central REST API 2022-07-31, DeviceTemplates_Create example). A unit that is given must still fit.
            else if (unit is null && definition.UnitRequired && context.Version != 2)
            {
                Error(path, $"The semantic type '{name}' needs a 'unit' ({definition.UnitType}).");
            }
            else if (unit is not null && !definition.Units.Contains(unit))
            {
                Error($"{path}.unit", definition.Units.Count == 0
                    ? $"The semantic type '{name}' takes no unit."
                    : $"'{unit}' is not a unit of '{name}' ({definition.UnitType}).");
            }

            var underlying = schema is DtdlSchemaReference ? null : schema;
            if (definition.Schemas is not null)
            {
                if (underlying is not DtdlPrimitiveSchema primitive || !definition.Schemas.Contains(primitive.Name))
                {
                    Error($"{path}.schema", $"An element of semantic type '{name}' must have one of these schemas: {string.Join(", ", definition.Schemas)}.");
                }
            }
            else if (definition.EnumSchema)
            {
                if (schema is not (DtdlEnumSchema or DtdlSchemaReference))
                {
                    Error($"{path}.schema", $"An element of semantic type '{name}' must have an Enum schema.");
                }
            }
            else if (underlying is not DtdlPrimitiveSchema { IsNumeric: true } && schema is not null)
            {
                Error($"{path}.schema", $"An element of semantic type '{name}' must have a numeric schema (double, float, integer or long).");
            }

            return unit;
        }

        /// <summary>DTDL v2's open world: an undefined term (no colon, not reserved) may co-type an element.</summary>
        private static bool InformalCoType(string type, Context context) =>
            context.Version == 2 && !type.Contains(':', StringComparison.Ordinal) && !DtdlLanguage.V2Reserved.Contains(type)
            && !DtdlLanguage.IotCentralTypes.ContainsKey(type);

        private void ForbidCoTypes(IReadOnlyList<string> types, string kind, string path, Context context)
        {
            foreach (var type in types.Where(t => t != kind))
            {
                if (!InformalCoType(type, context))
                {
                    Error($"{path}['@type']", $"A {kind} cannot be co-typed '{type}'.");
                }
            }
        }

        /// <summary>Refuses members the element type does not define, unless a v2 informal co-type opens the element.</summary>
        private void CheckMembers(JsonObject element, string path, Context context, IReadOnlyList<string> types, string kind, string[] allowed)
        {
            var open = types.Any(t => t != kind && InformalCoType(t, context));
            foreach (var (member, _) in element)
            {
                if (DtdlLanguage.CommonMembers.Contains(member) || allowed.Contains(member))
                {
                    continue;
                }

                if (member == "annotates" && context.Version == 3 && types.Contains("ValueAnnotation"))
                {
                    continue;
                }

                if (open && !member.Contains(':', StringComparison.Ordinal) && !member.StartsWith('@'))
                {
                    continue;
                }

                Error($"{path}.{member}", member.StartsWith('@')
                    ? $"'{member}' is not allowed here."
                    : $"'{member}' is not a property of {kind}{(member == "commandType" ? "" : Hint(member, allowed))}.");
            }
        }

        private static string Hint(string member, string[] allowed)
        {
            var close = allowed.Concat(DtdlLanguage.CommonMembers).FirstOrDefault(a => Distance(a, member) <= 2);
            return close is null ? "" : $" (did you mean '{close}'?)";
        }

        private static int Distance(string a, string b)
        {
            var d = new int[a.Length + 1, b.Length + 1];
            for (var i = 0; i <= a.Length; i++)
            {
                d[i, 0] = i;
            }

            for (var j = 0; j <= b.Length; j++)
            {
                d[0, j] = j;
            }

            for (var i = 1; i <= a.Length; i++)
            {
                for (var j = 1; j <= b.Length; j++)
                {
                    d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (char.ToLowerInvariant(a[i - 1]) == char.ToLowerInvariant(b[j - 1]) ? 0 : 1));
                }
            }

            return d[a.Length, b.Length];
        }

        private List<string>? Types(JsonObject element, string path, Context context)
        {
            var node = element["@type"];
            if (node is null)
            {
                Error(path, "'@type' is required.");
                return null;
            }

            var values = node is JsonArray array ? array.ToList() : [node];
            var types = new List<string>();
            foreach (var value in values)
            {
                if (value is not JsonValue v || v.GetValueKind() != JsonValueKind.String)
                {
                    Error($"{path}['@type']", "@type values must be strings.");
                    return null;
                }

                var type = v.GetValue<string>();
                if (context.Version == 3 && type.Contains(':', StringComparison.Ordinal) && !type.StartsWith("dtmi:", StringComparison.Ordinal))
                {
                    Error($"{path}['@type']", $"'{type}' is not allowed as a type in DTDL v3.");
                    return null;
                }

                if (context.Version == 2 && type is "CommandRequest" or "CommandResponse")
                {
                    Error($"{path}['@type']", $"'{type}' is DTDL v3; DTDL v2 uses CommandPayload.");
                    return null;
                }

                types.Add(type);
            }

            return types;
        }

        private string? Id(JsonObject element, string path, Context context, bool required, int maxLength)
        {
            if (element["@id"] is not { } node)
            {
                if (required)
                {
                    Error(path, "'@id' is required.");
                }

                return null;
            }

            if (node is not JsonValue v || v.GetValueKind() != JsonValueKind.String)
            {
                Error($"{path}['@id']", "@id must be a string DTMI.");
                return null;
            }

            var id = v.GetValue<string>();
            if (!DtdlLanguage.IsDtmi(id, context.Version))
            {
                Error($"{path}['@id']", $"'{id}' is not a valid DTDL v{context.Version} DTMI (dtmi:segment:segment;version).");
                return null;
            }

            if (id.Length > maxLength)
            {
                Error($"{path}['@id']", $"The DTMI is longer than {maxLength} characters.");
                return null;
            }

            if (DtdlLanguage.IsReservedId(id))
            {
                Error($"{path}['@id']", $"'{id}' uses a reserved prefix (dtmi:dtdl:, dtmi:standard:, dtmi:iotcentral:).");
                return null;
            }

            if (!_ids.TryAdd(id, path))
            {
                Error($"{path}['@id']", $"The @id '{id}' is already used at {_ids[id]}.");
                return null;
            }

            return id;
        }

        private string? Name(JsonObject element, string path, Context context)
        {
            var node = element["name"];
            if (node is JsonArray single && single.Count == 1)
            {
                node = single[0];
            }

            if (node is not JsonValue v || v.GetValueKind() != JsonValueKind.String)
            {
                Error(path, "'name' is required and must be a string.");
                return null;
            }

            var name = v.GetValue<string>();
            if (!DtdlLanguage.IsName(name, context.Version))
            {
                Error($"{path}.name", $"'{name}' is not a valid name: a letter, then letters, digits or '_', not ending in '_', at most {DtdlLanguage.MaxNameLength(context.Version)} characters.");
                return null;
            }

            return name;
        }

        private LocalizedText? Localized(JsonObject element, string member, string path, int maxLength)
        {
            switch (element[member])
            {
                case null:
                    return null;
                case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                    var text = v.GetValue<string>();
                    if (text.Length > maxLength)
                    {
                        Error($"{path}.{member}", $"'{member}' is longer than {maxLength} characters.");
                    }

                    return new LocalizedText(new Dictionary<string, string> { [""] = text });
                case JsonObject map:
                    var values = new Dictionary<string, string>(StringComparer.Ordinal);
                    foreach (var (language, value) in map)
                    {
                        if (!DtdlLanguage.IsLanguageTag(language))
                        {
                            Error($"{path}.{member}.{language}", $"'{language}' is not a language code.");
                        }
                        else if (value is not JsonValue lv || lv.GetValueKind() != JsonValueKind.String)
                        {
                            Error($"{path}.{member}.{language}", "Localized values must be strings.");
                        }
                        else if (lv.GetValue<string>().Length > maxLength)
                        {
                            Error($"{path}.{member}.{language}", $"'{member}' is longer than {maxLength} characters.");
                        }
                        else
                        {
                            values[language] = lv.GetValue<string>();
                        }
                    }

                    return new LocalizedText(values);
                default:
                    Error($"{path}.{member}", $"'{member}' must be a string or an object of language codes to strings.");
                    return null;
            }
        }

        private void Comment(JsonObject element, string path)
        {
            if (element["comment"] is { } node && (node is not JsonValue v || v.GetValueKind() != JsonValueKind.String || v.GetValue<string>().Length > DtdlLanguage.MaxCommentLength))
            {
                Error($"{path}.comment", $"'comment' must be a string of at most {DtdlLanguage.MaxCommentLength} characters.");
            }
        }

        private bool? Bool(JsonObject element, string member, string path)
        {
            if (element[member] is not { } node)
            {
                return null;
            }

            if (node is JsonValue v && v.GetValueKind() is JsonValueKind.True or JsonValueKind.False)
            {
                return v.GetValue<bool>();
            }

            Error($"{path}.{member}", $"'{member}' must be true or false.");
            return null;
        }

        private static List<(JsonNode? Node, string Path)> Set(JsonObject element, string member, string path) => element[member] switch
        {
            null => [],
            JsonArray array => array.Select((n, i) => (n, $"{path}.{member}[{i}]")).ToList(),
            var single => [(single, $"{path}.{member}")],
        };

        private void Duplicates(IEnumerable<(string Name, string Path)> names, string what)
        {
            var seen = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (name, path) in names)
            {
                if (!seen.TryAdd(name, path))
                {
                    Error(path, $"The {what} name '{name}' is already used at {seen[name]}.");
                }
            }
        }

        private void ForbidArraysAndGeospatial(DtdlSchema schema, string path)
        {
            switch (schema)
            {
                case DtdlArraySchema:
                    Error(path, "A DTDL v2 Property cannot have an Array schema at any depth.");
                    break;
                case DtdlPrimitiveSchema primitive when DtdlLanguage.Geospatial.Contains(primitive.Name):
                    Error(path, "A DTDL v2 Property cannot have a geospatial schema.");
                    break;
                case DtdlObjectSchema obj:
                    foreach (var (name, field) in obj.Fields)
                    {
                        ForbidArraysAndGeospatial(field, $"{path}.fields({name})");
                    }

                    break;
                case DtdlMapSchema map:
                    ForbidArraysAndGeospatial(map.ValueSchema, $"{path}.mapValue.schema");
                    break;
            }
        }

        /// <summary>Resolves references, then checks what needs the whole model: cycles, inherited names, nesting and limits.</summary>
        public void Resolve()
        {
            foreach (var (owner, reference) in _references)
            {
                reference.Target = owner.Schemas.FirstOrDefault(s => s.Id == reference.Reference);
                if (reference.Target is null)
                {
                    Error(reference.Path, _interfaces.ContainsKey(reference.Reference)
                        ? $"'{reference.Reference}' is an Interface, not a schema."
                        : $"The schema '{reference.Reference}' is not defined in this Interface's schemas.");
                }
            }

            foreach (var item in _interfaces.Values)
            {
                foreach (var parent in item.Extends.Where(p => !_interfaces.ContainsKey(p)))
                {
                    Error($"{item.Path}.extends", $"The Interface '{parent}' it extends is not part of the model.");
                }

                foreach (var component in item.Contents.OfType<DtdlComponent>())
                {
                    component.Schema = _interfaces.GetValueOrDefault(component.SchemaId);
                    if (component.Schema is null)
                    {
                        Error($"{component.Path}.schema", $"The Interface '{component.SchemaId}' of this Component is not part of the model.");
                    }
                }
            }

            foreach (var item in _interfaces.Values)
            {
                if (Ancestors(item, [], 0) is { } problem)
                {
                    Error($"{item.Path}.extends", problem);
                    continue;
                }

                item.AllContents = Inherited(item);
                Duplicates(item.AllContents.Select(c => (c.Name, c.Path)), "content");
                if (item.DtdlVersion == 2 && item.AllContents.Count > DtdlLanguage.V2MaxContents)
                {
                    Error($"{item.Path}.contents", $"A DTDL v2 Interface has at most {DtdlLanguage.V2MaxContents} contents, inherited ones included ({item.AllContents.Count}).");
                }
            }

            foreach (var item in _interfaces.Values)
            {
                foreach (var component in item.AllContents.OfType<DtdlComponent>().Where(c => c.Schema is not null))
                {
                    if (component.Schema!.AllContents.OfType<DtdlComponent>().FirstOrDefault() is { } nested)
                    {
                        Error($"{component.Path}.schema", $"A Component's Interface cannot hold Components itself ('{nested.Name}').");
                    }
                }
            }
        }

        private string? Ancestors(DtdlInterface item, HashSet<string> chain, int depth)
        {
            if (depth > DtdlLanguage.MaxExtendsDepth)
            {
                return $"The extends chain is deeper than {DtdlLanguage.MaxExtendsDepth}.";
            }

            if (!chain.Add(item.Id))
            {
                return $"'{item.Id}' extends itself through a cycle.";
            }

            foreach (var parent in item.Extends)
            {
                if (_interfaces.TryGetValue(parent, out var p) && Ancestors(p, chain, depth + 1) is { } problem)
                {
                    return problem;
                }
            }

            chain.Remove(item.Id);
            return null;
        }

        private List<DtdlContent> Inherited(DtdlInterface item)
        {
            var seen = new HashSet<DtdlContent>(ReferenceEqualityComparer.Instance);
            var result = new List<DtdlContent>();
            void Visit(DtdlInterface i)
            {
                foreach (var content in i.Contents.Where(seen.Add))
                {
                    result.Add(content);
                }

                foreach (var parent in i.Extends)
                {
                    if (_interfaces.TryGetValue(parent, out var p))
                    {
                        Visit(p);
                    }
                }
            }

            Visit(item);
            return result;
        }
    }

    private sealed record Context(int Version, IReadOnlySet<string> Extensions);
}
