using System.Collections;
using System.Reflection;

namespace ModernBert.Tests.Deploy;

/// <summary>
/// The configuration keys the apps read, found by reflection over their options types: every class named *Options
/// that declares a string constant SectionName or *Section (such as ResilienceOptions.BrokerSection) contributes
/// "{section}:{property}" for each settable property, nested classes adding their own level
/// (Storage:Azure:ConnectionString). String constants named *Variable in those types (such as
/// AzureStorageOptions.ConnectionStringVariable) name environment variables the apps read directly.
/// </summary>
public sealed class AppConfigurationKeys
{
    private readonly HashSet<string> _keys = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _collectionKeys = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _variables = new(StringComparer.Ordinal);

    private AppConfigurationKeys()
    {
    }

    /// <summary>Leaf keys such as Broker:Host, in configuration form (colon separated).</summary>
    public IReadOnlySet<string> Keys => _keys;

    /// <summary>Environment variables read outside configuration sections, such as AZURE_STORAGE_CONNECTION_STRING.</summary>
    public IReadOnlySet<string> Variables => _variables;

    /// <summary>The keys of the ModernBert.Shared, modernbert-worker and modernbert assemblies.</summary>
    public static AppConfigurationKeys OfTheApps() => FromAssemblies(
        typeof(ModernBert.Storage.StorageOptions).Assembly, Assembly.Load("modernbert-worker"), Assembly.Load("modernbert"));

    public static AppConfigurationKeys FromAssemblies(params IEnumerable<Assembly> assemblies)
    {
        var keys = new AppConfigurationKeys();
        foreach (Type type in assemblies.SelectMany(assembly => assembly.GetTypes()).Where(IsOptionsType))
        {
            foreach (FieldInfo constant in StringConstants(type))
            {
                string value = (string)constant.GetRawConstantValue()!;
                if (constant.Name == "SectionName" || constant.Name.EndsWith("Section", StringComparison.Ordinal))
                    keys.AddProperties(type, value, depth: 0);
                else if (constant.Name.EndsWith("Variable", StringComparison.Ordinal))
                    keys._variables.Add(value);
            }
        }
        return keys;
    }

    /// <summary>
    /// Whether the apps read an environment variable of this name: one of <see cref="Variables"/>, or a key in
    /// environment form (Section__Key), or an element of a collection key (Section__List__0).
    /// </summary>
    public bool ReadsEnvironmentVariable(string name)
    {
        if (_variables.Contains(name))
            return true;
        string key = name.Replace("__", ":", StringComparison.Ordinal);
        if (_keys.Contains(key))
            return true;
        int last = key.LastIndexOf(':');
        return last > 0 && _collectionKeys.Contains(key[..last]);
    }

    private static bool IsOptionsType(Type type) => type.IsClass && type.Name.EndsWith("Options", StringComparison.Ordinal);

    private static IEnumerable<FieldInfo> StringConstants(Type type) =>
        type.GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.DeclaredOnly)
            .Where(field => field.IsLiteral && field.FieldType == typeof(string));

    private void AddProperties(Type type, string prefix, int depth)
    {
        if (depth > 8)
            throw new InvalidOperationException($"Options nesting deeper than 8 levels at {prefix} ({type}); is there a cycle?");
        foreach (PropertyInfo property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.SetMethod is not { IsPublic: true } || property.GetIndexParameters().Length > 0)
                continue;
            string key = $"{prefix}:{property.Name}";
            Type valueType = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            if (IsLeaf(valueType))
                _keys.Add(key);
            else if (typeof(IEnumerable).IsAssignableFrom(valueType))
                _collectionKeys.Add(key);
            else
                AddProperties(valueType, key, depth + 1);
        }
    }

    private static bool IsLeaf(Type type) =>
        type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(TimeSpan)
        || type == typeof(DateTime) || type == typeof(DateTimeOffset) || type == typeof(Guid) || type == typeof(Uri);
}
