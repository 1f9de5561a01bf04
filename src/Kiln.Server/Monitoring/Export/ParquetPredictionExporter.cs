using Kiln.Core.Monitoring;
using Parquet;
using Parquet.Schema;

namespace Kiln.Server.Monitoring.Export;

/// <summary>
/// Writes logged predictions as Parquet with typed columns (features as double or string), in row
/// groups of <see cref="RowGroupSize"/>. Parquet's footer needs a seekable stream, so the file is
/// built in a temporary file and then copied to the response.
/// </summary>
internal static class ParquetPredictionExporter
{
    private const int RowGroupSize = 50_000;

    public static async Task WriteAsync(IAsyncEnumerable<PredictionRow> rows, Stream output, CancellationToken cancellationToken)
    {
        var path = Path.GetTempFileName();
        try
        {
            await using (var file = new FileStream(path, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.Asynchronous))
            {
                await WriteFileAsync(rows, file, cancellationToken);
            }

            await using var read = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous);
            await read.CopyToAsync(output, cancellationToken);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static async Task WriteFileAsync(IAsyncEnumerable<PredictionRow> rows, Stream file, CancellationToken cancellationToken)
    {
        var batch = new List<PredictionRow>(RowGroupSize);
        ExportColumns? columns = null;
        ParquetSchema? schema = null;
        ParquetWriter? writer = null;
        try
        {
            await foreach (var row in rows.WithCancellation(cancellationToken))
            {
                if (columns is null)
                {
                    columns = ExportColumns.Of(row);
                    schema = Schema(columns);
                    writer = await ParquetWriter.CreateAsync(schema, file, cancellationToken: cancellationToken);
                }

                batch.Add(row);
                if (batch.Count == RowGroupSize)
                {
                    await WriteGroupAsync(writer!, schema!, columns, batch, cancellationToken);
                    batch.Clear();
                }
            }

            columns ??= ExportColumns.Of(null);
            schema ??= Schema(columns);
            writer ??= await ParquetWriter.CreateAsync(schema, file, cancellationToken: cancellationToken);
            if (batch.Count > 0)
            {
                await WriteGroupAsync(writer, schema, columns, batch, cancellationToken);
            }
        }
        finally
        {
            if (writer is not null)
            {
                await writer.DisposeAsync();
            }
        }
    }

    private static ParquetSchema Schema(ExportColumns columns)
    {
        var fields = new List<Field>
        {
            new DataField<long>("id"),
            new DataField<DateTime>("timestamp"),
            new DataField<string>("variant"),
            new DataField<string>("model"),
            new DataField<int>("version"),
            new DataField<string>("request_id"),
            new DataField<int>("row"),
            new DataField<double>("latency_ms"),
            new DataField("prediction", typeof(string), true),
            new DataField<double?>("score"),
            new DataField("label", typeof(string), true),
            new DataField<DateTime?>("labelled_at"),
        };
        foreach (var (name, numeric) in columns.Features)
        {
            fields.Add(numeric ? new DataField<double?>(name) : new DataField(name, typeof(string), true));
        }

        fields.Add(new DataField<string>("outputs"));
        return new ParquetSchema(fields);
    }

    private static async Task WriteGroupAsync(ParquetWriter writer, ParquetSchema schema, ExportColumns columns, List<PredictionRow> rows, CancellationToken cancellationToken)
    {
        using var group = writer.CreateRowGroup();
        var fields = schema.GetDataFields();
        var n = 0;
        Task Values<T>(T[] data) where T : struct => group.WriteAsync<T>(fields[n++], data.AsMemory(), cancellationToken: cancellationToken);
        Task Nullable<T>(T?[] data) where T : struct => group.WriteAsync<T>(fields[n++], data.AsMemory(), cancellationToken: cancellationToken);
        Task Text(string?[] data) => group.WriteAsync(fields[n++], data!);

        await Values(rows.Select(r => r.Id).ToArray());
        await Values(rows.Select(r => r.Timestamp.UtcDateTime).ToArray());
        await Text(rows.Select(r => r.Variant).ToArray());
        await Text(rows.Select(r => r.ModelName).ToArray());
        await Values(rows.Select(r => r.ModelVersion).ToArray());
        await Text(rows.Select(r => r.RequestId).ToArray());
        await Values(rows.Select(r => r.Row).ToArray());
        await Values(rows.Select(r => r.LatencyMs).ToArray());
        await Text(rows.Select(r => r.Prediction).ToArray());
        await Nullable(rows.Select(r => r.Score).ToArray());
        await Text(rows.Select(r => r.Label).ToArray());
        await Nullable(rows.Select(r => r.LabelledAt?.UtcDateTime).ToArray());
        var values = rows.Select(columns.Values).ToArray();
        for (var f = 0; f < columns.Features.Count; f++)
        {
            var index = f;
            await (columns.Features[f].Numeric
                ? Nullable(values.Select(v => v[index] as double?).ToArray())
                : Text(values.Select(v => v[index] as string).ToArray()));
        }

        await Text(rows.Select(r => (string?)r.OutputsJson).ToArray());
    }
}
