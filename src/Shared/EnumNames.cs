using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ModernBert;

/// <summary>
/// The names enum members have outside the code (task options in run specs, jobs and manifests; command-line values):
/// the member's <see cref="JsonStringEnumMemberNameAttribute"/> where the library it mirrors spells it so
/// (sentence-transformers' <c>weightedmean</c>, <c>uint8</c>), else its name in snake_case. Read back ignoring case,
/// '_' and '-', so that <c>longest_first</c>, <c>LongestFirst</c> and the names earlier releases wrote (<c>u_int8</c>)
/// name the same member.
/// </summary>
public static class EnumNames
{
    public static string Name<T>(T value) where T : struct, Enum
    {
        foreach ((T member, string name, _) in Members<T>.All)
        {
            if (EqualityComparer<T>.Default.Equals(member, value))
                return name;
        }
        throw new ArgumentOutOfRangeException(nameof(value), value, $"{value} is not a member of {typeof(T).Name}.");
    }

    public static IReadOnlyList<string> Names<T>() where T : struct, Enum => Members<T>.Names;

    public static bool TryParse<T>(string? text, out T value) where T : struct, Enum
    {
        string key = Key(text ?? "");
        foreach ((T member, _, string memberKey) in Members<T>.All)
        {
            if (memberKey == key)
            {
                value = member;
                return true;
            }
        }
        value = default;
        return false;
    }

    /// <summary>The names as a list for a message: "a, b or c".</summary>
    public static string Listed<T>() where T : struct, Enum =>
        Names<T>().Count == 1 ? Names<T>()[0] : $"{string.Join(", ", Names<T>().SkipLast(1))} or {Names<T>()[^1]}";

    private static string Key(string name) => name.Replace("_", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal).ToLowerInvariant();

    private static class Members<T> where T : struct, Enum
    {
        public static readonly (T Value, string Name, string Key)[] All = [.. Enum.GetValues<T>().Select(value =>
        {
            string member = value.ToString();
            string name = typeof(T).GetField(member)!.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name
                ?? JsonNamingPolicy.SnakeCaseLower.ConvertName(member);
            return (value, name, Key(member));
        })];

        public static readonly IReadOnlyList<string> Names = [.. All.Select(member => member.Name)];
    }
}
