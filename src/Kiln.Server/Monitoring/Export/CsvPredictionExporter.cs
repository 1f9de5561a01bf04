using System.Globalization;
using System.Text;
using Kiln.Core.Monitoring;

namespace Kiln.Server.Monitoring.Export;

/// <summary>Streams logged predictions as RFC 4180 CSV: the fixed columns, one per feature, then the outputs as JSON.</summary>
internal static class CsvPredictionExporter
{
    public static async Task WriteAsync(IAsyncEnumerable<PredictionRow> rows, Stream output, CancellationToken cancellationToken)
    {
        await using var writer = new StreamWriter(output, new UTF8Encoding(false), 64 * 1024, leaveOpen: true);
        ExportColumns? columns = null;
        await foreach (var row in rows.WithCancellation(cancellationToken))
        {
            if (columns is null)
            {
                columns = ExportColumns.Of(row);
                await writer.WriteLineAsync(string.Join(',', ExportColumns.Fixed.Concat(columns.Features.Select(f => Escape(f.Name))).Append("outputs")));
            }

            var line = new StringBuilder(256);
            line.Append(row.Id.ToString(CultureInfo.InvariantCulture)).Append(',')
                .Append(row.Timestamp.ToString("O", CultureInfo.InvariantCulture)).Append(',')
                .Append(Escape(row.Variant)).Append(',')
                .Append(Escape(row.ModelName)).Append(',')
                .Append(row.ModelVersion.ToString(CultureInfo.InvariantCulture)).Append(',')
                .Append(Escape(row.RequestId)).Append(',')
                .Append(row.Row.ToString(CultureInfo.InvariantCulture)).Append(',')
                .Append(row.LatencyMs.ToString("R", CultureInfo.InvariantCulture)).Append(',')
                .Append(Escape(row.Prediction)).Append(',')
                .Append(row.Score?.ToString("R", CultureInfo.InvariantCulture)).Append(',')
                .Append(Escape(row.Label)).Append(',')
                .Append(row.LabelledAt?.ToString("O", CultureInfo.InvariantCulture));
            foreach (var value in columns.Values(row))
            {
                line.Append(',').Append(value switch
                {
                    double d => d.ToString("R", CultureInfo.InvariantCulture),
                    string s => Escape(s),
                    _ => string.Empty,
                });
            }

            line.Append(',').Append(Escape(row.OutputsJson));
            await writer.WriteLineAsync(line, cancellationToken);
        }

        if (columns is null)
        {
            await writer.WriteLineAsync(string.Join(',', ExportColumns.Fixed.Append("outputs")));
        }
    }

    private static string Escape(string? value) =>
        value is null ? string.Empty
        : value.AsSpan().IndexOfAny(",\"\r\n") < 0 ? value
        : "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
