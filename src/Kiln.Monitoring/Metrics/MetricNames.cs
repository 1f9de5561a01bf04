namespace Kiln.Monitoring.Metrics;

/// <summary>Validates metric and label names against the Prometheus data model.</summary>
internal static class MetricNames
{
    public static void ValidateMetric(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (!IsValid(name, allowColon: true))
        {
            throw new ArgumentException($"'{name}' is not a valid Prometheus metric name ([a-zA-Z_:][a-zA-Z0-9_:]*).", nameof(name));
        }
    }

    public static void ValidateLabels(IReadOnlyList<string> labelNames, MetricType type)
    {
        if (labelNames.Count > LabelKey.MaxLabels)
        {
            throw new ArgumentException($"At most {LabelKey.MaxLabels} labels are supported.", nameof(labelNames));
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var label in labelNames)
        {
            if (string.IsNullOrEmpty(label) || !IsValid(label, allowColon: false) || label.StartsWith("__", StringComparison.Ordinal))
            {
                throw new ArgumentException($"'{label}' is not a valid Prometheus label name.", nameof(labelNames));
            }

            if (type == MetricType.Histogram && label == "le")
            {
                throw new ArgumentException("A histogram may not have a label named 'le'.", nameof(labelNames));
            }

            if (!seen.Add(label))
            {
                throw new ArgumentException($"Label '{label}' is repeated.", nameof(labelNames));
            }
        }
    }

    private static bool IsValid(string name, bool allowColon)
    {
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            var ok = char.IsAsciiLetter(c) || c == '_' || (allowColon && c == ':') || (i > 0 && char.IsAsciiDigit(c));
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }
}
