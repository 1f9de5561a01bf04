using Kiln.Core;
using Kiln.Core.Packaging;

namespace Kiln.Server.Registry;

/// <summary>
/// Checks an uploaded training-data profile before it becomes a version's drift baseline: a malformed profile would
/// only surface later, as a drift job that fails or, worse, one that silently compares nothing.
/// </summary>
internal static class ProfileValidator
{
    private const int Percentiles = 101;

    /// <summary>Validates <paramref name="profile"/> against the model's features; returns the profile columns the model does not know.</summary>
    /// <exception cref="KilnException">The profile is malformed or shares no column with the model (400, naming the field).</exception>
    public static IReadOnlyList<string> Validate(DataProfile? profile, ModelSignature signature)
    {
        if (profile is null)
        {
            throw KilnException.Invalid("profile", "a DataProfile JSON body is required.");
        }

        if (profile.Rows < 0)
        {
            throw KilnException.Invalid("rows", "must be at least 0.");
        }

        if (profile.Columns is not { Count: > 0 } columns)
        {
            throw KilnException.Invalid("columns", "must list at least one column.");
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < columns.Count; i++)
        {
            ValidateColumn(columns[i], $"columns[{i}]", names);
        }

        var features = FeatureNames(signature);
        var unknown = columns.Select(c => c.Name).Where(n => !features.Contains(n)).ToArray();
        if (unknown.Length == columns.Count)
        {
            throw KilnException.Invalid("columns",
                $"no profile column is an input feature of the model (profile: {string.Join(", ", unknown)}; model: {string.Join(", ", features)}).");
        }

        return unknown;
    }

    /// <summary>The names traffic is logged under: a tabular input's columns, otherwise the input's own name.</summary>
    public static IReadOnlyList<string> FeatureNames(ModelSignature signature)
    {
        ArgumentNullException.ThrowIfNull(signature);
        return signature.Inputs.SelectMany(input => input.Columns is { Count: > 0 } tabular ? tabular : [input.Name]).Distinct(StringComparer.Ordinal).ToArray();
    }

    private static void ValidateColumn(ColumnProfile? column, string field, HashSet<string> names)
    {
        if (column is null)
        {
            throw KilnException.Invalid(field, "must be a column profile, not null.");
        }

        if (string.IsNullOrWhiteSpace(column.Name))
        {
            throw KilnException.Invalid($"{field}.name", "must not be empty.");
        }

        if (!names.Add(column.Name))
        {
            throw KilnException.Invalid($"{field}.name", $"'{column.Name}' appears twice; column names must be unique.");
        }

        if (column.Missing < 0)
        {
            throw KilnException.Invalid($"{field}.missing", "must be at least 0.");
        }

        switch (column.Kind)
        {
            case ColumnProfile.NumericKind:
                if (column.Categorical is not null)
                {
                    throw KilnException.Invalid($"{field}.categorical", "must be absent for a numeric column.");
                }

                if (column.Numeric is { } numeric)
                {
                    ValidateNumeric(numeric, $"{field}.numeric");
                }

                break;
            case ColumnProfile.CategoricalKind:
                if (column.Numeric is not null)
                {
                    throw KilnException.Invalid($"{field}.numeric", "must be absent for a categorical column.");
                }

                if (column.Categorical is not { Frequencies: not null } categorical)
                {
                    throw KilnException.Invalid($"{field}.categorical", "is required for a categorical column.");
                }

                if (categorical.Other < 0 || categorical.Frequencies.Values.Any(count => count < 0))
                {
                    throw KilnException.Invalid($"{field}.categorical", "counts must be at least 0.");
                }

                break;
            default:
                throw KilnException.Invalid($"{field}.kind", $"'{column.Kind}' is not '{ColumnProfile.NumericKind}' or '{ColumnProfile.CategoricalKind}'.");
        }
    }

    private static void ValidateNumeric(NumericProfile numeric, string field)
    {
        if (numeric.Quantiles is not { Count: Percentiles } quantiles)
        {
            throw KilnException.Invalid($"{field}.quantiles", $"must hold the {Percentiles} percentiles 0…100 (got {numeric.Quantiles?.Count ?? 0}).");
        }

        for (var q = 0; q < quantiles.Count; q++)
        {
            if (!double.IsFinite(quantiles[q]) || (q > 0 && quantiles[q] < quantiles[q - 1]))
            {
                throw KilnException.Invalid($"{field}.quantiles", $"must be finite and ascending (percentile {q} is {quantiles[q]}).");
            }
        }

        if (!double.IsFinite(numeric.Min) || !double.IsFinite(numeric.Max) || numeric.Min > numeric.Max)
        {
            throw KilnException.Invalid($"{field}.min", "min and max must be finite with min ≤ max.");
        }

        var edges = numeric.BinEdges ?? [];
        var counts = numeric.BinCounts ?? [];
        if ((edges.Count > 0 || counts.Count > 0) && edges.Count != counts.Count + 1)
        {
            throw KilnException.Invalid($"{field}.binEdges", $"must be one more than binCounts ({edges.Count} edges for {counts.Count} counts).");
        }

        if (counts.Any(count => count < 0))
        {
            throw KilnException.Invalid($"{field}.binCounts", "must be at least 0.");
        }
    }
}
