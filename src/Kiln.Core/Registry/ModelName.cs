using System.Text.RegularExpressions;

namespace Kiln.Core.Registry;

/// <summary>Rules for the names of models, aliases and deployments: they appear in URLs and file names.</summary>
public static partial class ModelName
{
    /// <summary>The longest name accepted.</summary>
    public const int MaxLength = 128;

    /// <summary>What a valid name looks like, for error messages.</summary>
    public const string Rule = "1-128 characters: letters, digits, '.', '_' or '-', starting with a letter or digit";

    /// <summary>Whether <paramref name="name"/> is a valid name.</summary>
    public static bool IsValid(string? name) => name is { Length: > 0 and <= MaxLength } && NamePattern().IsMatch(name);

    /// <summary>Throws a <see cref="KilnException"/> naming <paramref name="field"/> when the name is not valid.</summary>
    public static void Validate(string? name, string field)
    {
        if (!IsValid(name))
        {
            throw KilnException.Invalid(field, $"'{Truncate(name)}' is not a valid name ({Rule}).");
        }
    }

    private static string Truncate(string? value) => value is null ? "" : value.Length <= 40 ? value : value[..40] + "…";

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();
}
