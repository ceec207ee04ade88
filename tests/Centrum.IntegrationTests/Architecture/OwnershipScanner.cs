using Mono.Cecil;
using Mono.Cecil.Cil;

namespace Centrum.IntegrationTests.Architecture;

/// <summary>Whether an area writes an entity or only reads (mentions) it.</summary>
public enum Access
{
    Reads,
    Writes,
}

/// <summary>One use of an entity by an area, found in the area's IL.</summary>
/// <param name="Through">The area whose member's signature names the entity, when that is the only mention: a call of
/// the owner's own service that takes or returns its entity is a use of the service, not of the table.</param>
public sealed record EntityUse(string Area, string Entity, string Method, Access Access, string? Through = null)
{
    public override string ToString() => $"{Area} → {OwnershipScanner.ShortName(Entity)} ({Method}) {Access.ToString().ToLowerInvariant()}";
}

/// <summary>
/// Reads the IL of the areas (Mono.Cecil, no code is loaded or run) and reports where each uses an entity of the
/// metadata store: <see cref="Access.Writes"/> for <c>newobj</c> of the entity, a call of one of its property setters, a
/// store to one of its fields, or an EF Core write (<see cref="WriteMethods"/>) instantiated with it;
/// <see cref="Access.Reads"/> for any other mention (a <c>CentrumDbContext</c> property, <c>Set&lt;T&gt;</c>, a getter, a
/// LINQ operator or expression tree over it, a signature or local of its type). Compiler-generated types (lambdas,
/// closures, async state machines and iterators) are read as part of the method they were generated from. Entity
/// configurations, the context itself and the generated model and migrations describe the schema and are not uses.
/// </summary>
public sealed class OwnershipScanner
{
    /// <summary>The EF Core members that change rows: on <c>DbSet&lt;T&gt;</c> and <c>DbContext</c>, and the bulk operators.</summary>
    public static readonly IReadOnlySet<string> WriteMethods = new HashSet<string>(StringComparer.Ordinal)
    {
        "Add", "AddAsync", "AddRange", "AddRangeAsync", "Update", "UpdateRange", "Remove", "RemoveRange", "Attach", "AttachRange", "Entry",
        "ExecuteUpdate", "ExecuteUpdateAsync", "ExecuteDelete", "ExecuteDeleteAsync",
    };

    private const string ConfigurationInterface = "Microsoft.EntityFrameworkCore.IEntityTypeConfiguration`1";
    /// <summary>What a write is reported against when its entity is a type parameter or an <c>object</c>: no area owns it.</summary>
    public const string Unnamed = "(an entity the IL does not name)";

    private const string ContextType = "Centrum.Storage.CentrumDbContext";

    /// <summary>
    /// Storage's copy between stores (the command line's <c>storage copy</c>) writes every table through one generic
    /// method, as the migrations create every table: schema tooling, not an area's use.
    /// </summary>
    private const string StoreCopyType = "Centrum.Storage.MetadataStoreCopy";
    private static readonly string[] SchemaNamespaces = ["Centrum.Storage.CompiledModel", "Centrum.Storage.Migrations", "Centrum.Storage.PostgreSql.Migrations"];

    private readonly HashSet<string> _entities;

    /// <param name="entities">The entity types of the model, named as <see cref="NameOf(Type)"/> names them.</param>
    public OwnershipScanner(IEnumerable<string> entities) => _entities = entities.ToHashSet(StringComparer.Ordinal);

    /// <summary>A CLR type named as Cecil names it (<c>Ns.Type`1&lt;Ns.Arg&gt;</c>).</summary>
    public static string NameOf(Type type) => type.IsGenericType
        ? $"{type.GetGenericTypeDefinition().FullName}<{string.Join(",", type.GetGenericArguments().Select(NameOf))}>"
        : type.FullName!.Replace('+', '/');

    /// <summary>Short form for messages: the entity's name without namespace, generic arguments kept.</summary>
    public static string ShortName(string entity)
    {
        var generic = entity.IndexOf('<', StringComparison.Ordinal);
        var head = generic < 0 ? entity : entity[..generic];
        return head[(head.LastIndexOf('.') + 1)..] + (generic < 0 ? "" : entity[generic..].Replace("System.", "", StringComparison.Ordinal));
    }

    /// <summary>Area name of an assembly: <c>Centrum.Devices</c> is Devices; the server host (assembly <c>centrum</c>) is Server.</summary>
    public static string AreaOf(AssemblyDefinition assembly) => AreaOf(assembly.Name.Name);

    private static string AreaOf(string assemblyName) => assemblyName switch
    {
        "centrum" => "Server",
        var name when name.StartsWith("Centrum.", StringComparison.Ordinal) => name["Centrum.".Length..],
        var name => name,
    };

    /// <summary>Each entity with the areas that configure it (<c>IEntityTypeConfiguration&lt;T&gt;</c>).</summary>
    public static IEnumerable<(string Entity, string Area, string Configuration)> Configurations(AssemblyDefinition assembly) =>
        from type in assembly.MainModule.GetTypes()
        from i in type.Interfaces
        where i.InterfaceType is GenericInstanceType g && g.ElementType.FullName == ConfigurationInterface
        select (((GenericInstanceType)i.InterfaceType).GenericArguments[0].FullName, AreaOf(assembly), type.FullName);

    /// <summary>Every use of an entity in <paramref name="assembly"/>'s types that <paramref name="include"/> accepts.</summary>
    public IEnumerable<EntityUse> Scan(AssemblyDefinition assembly, Func<TypeDefinition, bool>? include = null)
    {
        var area = AreaOf(assembly);
        foreach (var type in assembly.MainModule.GetTypes())
        {
            if (IsSchema(type) || (include is not null && !include(Outermost(type))))
            {
                continue;
            }

            foreach (var field in type.Fields)
            {
                foreach (var entity in Mentioned(field.FieldType))
                {
                    yield return new EntityUse(area, entity, $"{Describe(type)}.{(type.Name.StartsWith('<') ? SourceName(type.Name) : field.Name)}", Access.Reads);
                }
            }

            foreach (var method in type.Methods)
            {
                foreach (var use in ScanMethod(area, method))
                {
                    yield return use;
                }
            }
        }
    }

    private IEnumerable<EntityUse> ScanMethod(string area, MethodDefinition method)
    {
        var where = $"{Describe(method.DeclaringType)}.{SourceName(method)}";
        var signature = method.Parameters.Select(p => p.ParameterType).Append(method.ReturnType);
        if (method.HasBody)
        {
            signature = signature.Concat(method.Body.Variables.Select(v => v.VariableType));
        }

        foreach (var entity in signature.SelectMany(Mentioned))
        {
            yield return new EntityUse(area, entity, where, Access.Reads);
        }

        if (!method.HasBody)
        {
            yield break;
        }

        foreach (var instruction in method.Body.Instructions)
        {
            var uses = instruction.Operand switch
            {
                MethodReference called => Classify(instruction.OpCode, called),
                FieldReference field => Mentioned(field.DeclaringType).Select(e => (e, instruction.OpCode.Code is Code.Stfld or Code.Stsfld ? Access.Writes : Access.Reads, (string?)null))
                    .Concat(Mentioned(field.FieldType).Select(e => (e, Access.Reads, (string?)null))),
                TypeReference type => Mentioned(type).Select(e => (e, Access.Reads, (string?)null)),
                _ => [],
            };
            foreach (var (entity, access, through) in uses)
            {
                yield return new EntityUse(area, entity, where, access, through);
            }
        }
    }

    private IEnumerable<(string Entity, Access Access, string? Through)> Classify(OpCode opCode, MethodReference called)
    {
        var declaring = called.DeclaringType;
        var declaringElement = declaring is GenericInstanceType g ? g.ElementType.FullName : declaring.FullName;

        // A member of the entity itself: its constructor (a new row) and setters write; anything else reads.
        if (_entities.Contains(declaring.FullName))
        {
            var writes = (opCode.Code == Code.Newobj && called.Name == ".ctor") || called.Name.StartsWith("set_", StringComparison.Ordinal);
            yield return (declaring.FullName, writes ? Access.Writes : Access.Reads, null);
        }

        // The context's DbSet properties name their entity in their return type.
        if (declaringElement == ContextType)
        {
            foreach (var entity in Mentioned(called.ReturnType))
            {
                yield return (entity, Access.Reads, null);
            }
        }

        // EF Core's writes name the entity in the set's or the method's generic arguments.
        var efWrite = WriteMethods.Contains(called.Name) && declaringElement.StartsWith("Microsoft.EntityFrameworkCore.", StringComparison.Ordinal)
            || (WriteMethods.Contains(called.Name) && declaringElement == ContextType);
        var arguments = (declaring is GenericInstanceType d ? d.GenericArguments : [])
            .Concat(called is GenericInstanceMethod m ? m.GenericArguments : []).ToList();
        if (efWrite && !arguments.SelectMany(Mentioned).Any() && (arguments.Count == 0 || arguments.Any(a => a.ContainsGenericParameter)))
        {
            // DbContext.Add(object), or DbSet<T>.Add inside a generic method: the entity is decided elsewhere, so the
            // write cannot be held to its owner and is reported as nobody's.
            yield return (Unnamed, Access.Writes, null);
        }

        foreach (var argument in arguments)
        {
            foreach (var entity in Mentioned(argument))
            {
                yield return (entity, efWrite && argument.FullName == entity ? Access.Writes : Access.Reads, null);
            }
        }

        var through = declaring.Scope switch
        {
            AssemblyNameReference reference => AreaOf(reference.Name),
            ModuleDefinition module => AreaOf(module.Assembly),
            _ => null,
        };
        foreach (var entity in Mentioned(called.ReturnType).Concat(called.Parameters.SelectMany(p => Mentioned(p.ParameterType))))
        {
            yield return (entity, Access.Reads, through);
        }
    }

    /// <summary>The entities a type names: itself, its element type (arrays, by-refs) and its generic arguments, recursively.</summary>
    private IEnumerable<string> Mentioned(TypeReference type)
    {
        if (_entities.Contains(type.FullName))
        {
            yield return type.FullName;
        }

        // An open generic in the list (DbSet`1) stands for every instantiation of it.
        if (type is GenericInstanceType instance && _entities.Contains(instance.ElementType.FullName))
        {
            yield return instance.ElementType.FullName;
        }

        if (type is TypeSpecification specification and not GenericInstanceType)
        {
            foreach (var entity in Mentioned(specification.ElementType))
            {
                yield return entity;
            }
        }

        if (type is GenericInstanceType generic)
        {
            foreach (var entity in generic.GenericArguments.SelectMany(Mentioned))
            {
                yield return entity;
            }
        }
    }

    /// <summary>The schema itself: the entities, their configurations, the context, the generated model and migrations.</summary>
    private bool IsSchema(TypeDefinition type)
    {
        var outer = Outermost(type);
        return outer.FullName is ContextType or StoreCopyType
            || _entities.Contains(outer.FullName)
            || SchemaNamespaces.Any(n => outer.Namespace == n || outer.Namespace.StartsWith(n + ".", StringComparison.Ordinal))
            || outer.Interfaces.Any(i => i.InterfaceType is GenericInstanceType g && g.ElementType.FullName == ConfigurationInterface);
    }

    private static TypeDefinition Outermost(TypeDefinition type)
    {
        while (type.DeclaringType is not null)
        {
            type = type.DeclaringType;
        }

        return type;
    }

    /// <summary>The type a person wrote: a compiler-generated nested type (<c>&lt;M&gt;d__3</c>, <c>&lt;&gt;c</c>) reads as its parent.</summary>
    private static string Describe(TypeDefinition type)
    {
        while (type.DeclaringType is not null && type.Name.StartsWith('<'))
        {
            type = type.DeclaringType;
        }

        return type.Name;
    }

    /// <summary>The method a person wrote: <c>MoveNext</c> of <c>&lt;DeleteAsync&gt;d__12</c> is DeleteAsync; <c>&lt;GetAsync&gt;b__0</c> is GetAsync.</summary>
    private static string SourceName(MethodDefinition method) =>
        SourceName(method.DeclaringType.Name.StartsWith('<') && method.Name is "MoveNext" or "SetStateMachine" ? method.DeclaringType.Name : method.Name);

    private static string SourceName(string name)
    {
        if (name.StartsWith('<') && name.IndexOf('>', StringComparison.Ordinal) is > 1 and var end)
        {
            return name[1..end];
        }

        return name;
    }
}
