using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Kiln.Core.Packaging;

namespace Kiln.Training.Data;

/// <summary>The dataset a sweep read, as MLflow's dataset inputs describe one.</summary>
/// <param name="Name">The file name.</param>
/// <param name="Digest">The first 16 hex characters of the file's SHA-256.</param>
/// <param name="Source">The file's full path.</param>
/// <param name="Schema">MLflow column-spec JSON of the loaded columns: <c>{"mlflow_colspec":[{"type":"double","name":"age","required":true},...]}</c>.</param>
/// <param name="Profile">The model inputs' profile over the training split.</param>
/// <param name="Rows">Rows in the file.</param>
/// <param name="TrainingRows">Rows used for training.</param>
/// <param name="ValidationRows">Rows used for validation.</param>
public sealed record DatasetInfo(string Name, string Digest, string Source, string Schema, DataProfile Profile, int Rows, int TrainingRows, int ValidationRows)
{
    /// <summary>The first 16 hex characters (lower case) of the SHA-256 of a file's bytes.</summary>
    public static async Task<string> DigestAsync(string path, CancellationToken cancellationToken = default)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        await using (stream.ConfigureAwait(false))
        {
            var hash = await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false);
            return Convert.ToHexStringLower(hash)[..16];
        }
    }

    /// <summary>MLflow's column-spec JSON for the loaded columns: numbers as <c>double</c>, categories as <c>string</c>.</summary>
    public static string SchemaJson(TabularData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("mlflow_colspec");
            foreach (var column in data.Columns)
            {
                writer.WriteStartObject();
                writer.WriteString("type", column.Kind == ColumnKind.Numeric ? "double" : "string");
                writer.WriteString("name", column.Name);
                writer.WriteBoolean("required", column.Missing == 0);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
