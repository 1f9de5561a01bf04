using System.Text.Json;
using System.Text.Json.Serialization;

namespace Kiln.Core.Monitoring.Alerts;

/// <summary>Writes durations as <c>5m</c> and reads that form, <c>00:05:00</c> or a number of seconds.</summary>
public sealed class AlertDurationJsonConverter : JsonConverter<TimeSpan>
{
    /// <inheritdoc/>
    public override TimeSpan Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Number)
        {
            return TimeSpan.FromSeconds(reader.GetDouble());
        }

        return DurationText.TryParse(reader.GetString(), out var duration)
            ? duration
            : throw new JsonException("A duration must look like 30s, 5m, 1h30m or 2d.");
    }

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, TimeSpan value, JsonSerializerOptions options) =>
        writer.WriteStringValue(DurationText.Format(value));
}
