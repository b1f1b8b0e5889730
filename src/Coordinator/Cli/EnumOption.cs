using System.CommandLine;

namespace ModernBert.Coordinator.Cli;

/// <summary>
/// An option whose value names a member of <typeparamref name="T"/> as <see cref="EnumNames"/> spells it, listed so in
/// --help. It has no default of its own (the description says what applies when it is not given), so that --help shows
/// no member name of the code's and a command can fall back on its configuration.
/// </summary>
internal static class EnumOption
{
    public static Option<T?> Create<T>(string name, string description) where T : struct, Enum => new(name)
    {
        Description = description,
        HelpName = string.Join('|', EnumNames.Names<T>()),
        CustomParser = result =>
        {
            if (EnumNames.TryParse(result.Tokens[0].Value, out T value))
                return value;
            result.AddError($"{name} must be {EnumNames.Listed<T>()}, not '{result.Tokens[0].Value}'.");
            return null;
        },
    };
}
