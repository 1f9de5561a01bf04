using System.Globalization;

namespace Kiln.Core.Registry;

/// <summary>A way to name one model version: <c>NAME/VERSION</c>, <c>NAME@ALIAS</c>, or <c>NAME</c> (the latest version).</summary>
/// <param name="ModelName">The registered model.</param>
/// <param name="Version">A version number, or null.</param>
/// <param name="Alias">An alias, or null.</param>
public sealed record ModelReference(string ModelName, int? Version, string? Alias)
{
    /// <summary>Parses a reference; throws a <see cref="KilnException"/> naming <paramref name="field"/> when malformed.</summary>
    public static ModelReference Parse(string? text, string field)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw KilnException.Invalid(field, "is required: NAME/VERSION, NAME@ALIAS or NAME.");
        }

        var at = text.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            var name = text[..at];
            var alias = text[(at + 1)..];
            Registry.ModelName.Validate(name, field);
            Registry.ModelName.Validate(alias, field);
            return new ModelReference(name, null, alias);
        }

        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            var name = text[..slash];
            Registry.ModelName.Validate(name, field);
            if (!int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var version) || version < 1)
            {
                throw KilnException.Invalid(field, $"'{text}' has no valid version number after '/'.");
            }

            return new ModelReference(name, version, null);
        }

        Registry.ModelName.Validate(text, field);
        return new ModelReference(text, null, null);
    }

    /// <inheritdoc/>
    public override string ToString() =>
        Version is { } v ? $"{ModelName}/{v.ToString(CultureInfo.InvariantCulture)}" : Alias is { } a ? $"{ModelName}@{a}" : ModelName;
}
