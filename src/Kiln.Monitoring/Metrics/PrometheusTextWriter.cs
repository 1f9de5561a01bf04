using System.Globalization;

namespace Kiln.Monitoring.Metrics;

/// <summary>
/// Writes the Prometheus text exposition format, version 0.0.4: <c># HELP</c> and <c># TYPE</c>
/// lines per family, then one line per sample with label values escaped.
/// </summary>
public sealed class PrometheusTextWriter(TextWriter output)
{
    /// <summary>The Content-Type of the text exposition format.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>Writes the <c># HELP</c> and <c># TYPE</c> lines that open a family.</summary>
    public void WriteFamily(string name, string help, MetricType type)
    {
        output.Write("# HELP ");
        output.Write(name);
        output.Write(' ');
        WriteEscaped(help, escapeQuotes: false);
        output.Write('\n');
        output.Write("# TYPE ");
        output.Write(name);
        output.Write(' ');
        output.Write(type switch
        {
            MetricType.Counter => "counter",
            MetricType.Gauge => "gauge",
            _ => "histogram",
        });
        output.Write('\n');
    }

    /// <summary>Writes a sample without labels.</summary>
    public void WriteSample(string name, double value) => WriteSample(name, [], [], value);

    /// <summary>Writes a sample; <paramref name="labelNames"/> and <paramref name="labelValues"/> pair up by position.</summary>
    public void WriteSample(string name, ReadOnlySpan<string> labelNames, ReadOnlySpan<string> labelValues, double value)
    {
        if (labelNames.Length != labelValues.Length)
        {
            throw new ArgumentException($"Metric '{name}' has {labelNames.Length} labels but {labelValues.Length} values were given.", nameof(labelValues));
        }

        output.Write(name);
        if (labelNames.Length > 0)
        {
            output.Write('{');
            for (var i = 0; i < labelNames.Length; i++)
            {
                WriteLabel(i > 0, labelNames[i], labelValues[i]);
            }

            output.Write('}');
        }

        output.Write(' ');
        output.Write(FormatValue(value));
        output.Write('\n');
    }

    internal void WriteSample(string name, ReadOnlySpan<string> labelNames, in LabelKey labelValues, string? extraName, string? extraValue, double value)
    {
        output.Write(name);
        if (labelNames.Length > 0 || extraName is not null)
        {
            output.Write('{');
            for (var i = 0; i < labelNames.Length; i++)
            {
                WriteLabel(i > 0, labelNames[i], labelValues[i]);
            }

            if (extraName is not null)
            {
                WriteLabel(labelNames.Length > 0, extraName, extraValue ?? string.Empty);
            }

            output.Write('}');
        }

        output.Write(' ');
        output.Write(FormatValue(value));
        output.Write('\n');
    }

    /// <summary>A sample value as the format spells it: <c>+Inf</c>, <c>-Inf</c>, <c>NaN</c>, else the shortest round-trip form.</summary>
    public static string FormatValue(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        _ when double.IsNaN(value) => "NaN",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };

    /// <summary>A label value escaped for the text format: backslash, double quote and line feed.</summary>
    public static string EscapeLabelValue(string value)
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        new PrometheusTextWriter(writer).WriteEscaped(value, escapeQuotes: true);
        return writer.ToString();
    }

    private void WriteLabel(bool comma, string name, string value)
    {
        if (comma)
        {
            output.Write(',');
        }

        output.Write(name);
        output.Write("=\"");
        WriteEscaped(value, escapeQuotes: true);
        output.Write('"');
    }

    private void WriteEscaped(string text, bool escapeQuotes)
    {
        if (text.AsSpan().IndexOfAny('\\', '\n', '"') < 0)
        {
            output.Write(text);
            return;
        }

        foreach (var c in text)
        {
            switch (c)
            {
                case '\\':
                    output.Write(@"\\");
                    break;
                case '\n':
                    output.Write(@"\n");
                    break;
                case '"' when escapeQuotes:
                    output.Write("\\\"");
                    break;
                default:
                    output.Write(c);
                    break;
            }
        }
    }
}
