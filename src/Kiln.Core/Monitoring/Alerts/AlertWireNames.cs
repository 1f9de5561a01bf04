namespace Kiln.Core.Monitoring.Alerts;

/// <summary>The snake_case names alert enums have on the wire, in labels and on the command line.</summary>
public static class AlertWireNames
{
    private static readonly (AlertKind Value, string Name)[] Kinds =
    [
        (AlertKind.ErrorRate, "error_rate"), (AlertKind.LatencyP99, "latency_p99"), (AlertKind.DatasetDrift, "dataset_drift"),
        (AlertKind.FeatureDrift, "feature_drift"), (AlertKind.Quality, "quality"), (AlertKind.QualityDrop, "quality_drop"),
        (AlertKind.LabelCoverage, "label_coverage"),
    ];

    private static readonly (AlertComparison Value, string Name, string Symbol)[] Comparisons =
    [
        (AlertComparison.GreaterThan, "gt", ">"), (AlertComparison.GreaterOrEqual, "ge", ">="),
        (AlertComparison.LessThan, "lt", "<"), (AlertComparison.LessOrEqual, "le", "<="),
    ];

    private static readonly (AlertSeverity Value, string Name)[] Severities =
        [(AlertSeverity.Info, "info"), (AlertSeverity.Warning, "warning"), (AlertSeverity.Critical, "critical")];

    private static readonly (AlertStatus Value, string Name)[] Statuses =
    [
        (AlertStatus.Inactive, "inactive"), (AlertStatus.Pending, "pending"), (AlertStatus.Firing, "firing"),
        (AlertStatus.Resolved, "resolved"), (AlertStatus.NoData, "no_data"),
    ];

    /// <summary>Every kind's name, for help and error messages.</summary>
    public static string KindNames { get; } = string.Join(", ", Kinds.Select(k => k.Name));

    /// <summary>The kind's wire name, e.g. <c>error_rate</c>.</summary>
    public static string Name(AlertKind kind) => Kinds.First(k => k.Value == kind).Name;

    /// <summary>The comparison's wire name, e.g. <c>gt</c>.</summary>
    public static string Name(AlertComparison comparison) => Comparisons.First(c => c.Value == comparison).Name;

    /// <summary>The comparison as a symbol, e.g. <c>&gt;</c>.</summary>
    public static string Symbol(AlertComparison comparison) => Comparisons.First(c => c.Value == comparison).Symbol;

    /// <summary>The severity's wire name, e.g. <c>warning</c>.</summary>
    public static string Name(AlertSeverity severity) => Severities.First(s => s.Value == severity).Name;

    /// <summary>The status's wire name, e.g. <c>no_data</c>.</summary>
    public static string Name(AlertStatus status) => Statuses.First(s => s.Value == status).Name;

    /// <summary>Reads a kind's wire name (case-insensitive).</summary>
    public static bool TryParseKind(string? name, out AlertKind kind) => TryParse(Kinds, name, out kind);

    /// <summary>Reads a comparison: its wire name or symbol.</summary>
    public static bool TryParseComparison(string? name, out AlertComparison comparison)
    {
        foreach (var (value, wire, symbol) in Comparisons)
        {
            if (string.Equals(wire, name?.Trim(), StringComparison.OrdinalIgnoreCase) || symbol == name?.Trim())
            {
                comparison = value;
                return true;
            }
        }

        comparison = default;
        return false;
    }

    /// <summary>Reads a severity's wire name (case-insensitive).</summary>
    public static bool TryParseSeverity(string? name, out AlertSeverity severity) => TryParse(Severities, name, out severity);

    private static bool TryParse<T>((T Value, string Name)[] table, string? name, out T value)
        where T : struct
    {
        foreach (var (candidate, wire) in table)
        {
            if (string.Equals(wire, name?.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                value = candidate;
                return true;
            }
        }

        value = default;
        return false;
    }
}
