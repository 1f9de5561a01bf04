using System.Globalization;

namespace Kiln.Core.Monitoring;

/// <summary>Durations as people write them in windows and rules: <c>30s</c>, <c>15m</c>, <c>1h</c>, <c>7d</c>, <c>2w</c>.</summary>
public static class DurationText
{
    /// <summary>Parses a duration; throws an invalid-input error naming <paramref name="field"/> when it is not one.</summary>
    public static TimeSpan Parse(string text, string field)
    {
        if (TryParse(text, out var duration))
        {
            return duration;
        }

        throw KilnException.Invalid(field, $"'{text}' is not a duration; write a positive number and a unit, e.g. 30s, 15m, 1h, 7d or 2w.");
    }

    /// <summary>Parses a duration such as <c>15m</c>.</summary>
    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = default;
        if (string.IsNullOrWhiteSpace(text) || text.Length < 2)
        {
            return false;
        }

        var unit = text[^1];
        if (!double.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.Float, CultureInfo.InvariantCulture, out var amount) || !(amount > 0) || amount > 1e6)
        {
            return false;
        }

        double? seconds = unit switch
        {
            's' => amount,
            'm' => amount * 60,
            'h' => amount * 3600,
            'd' => amount * 86400,
            'w' => amount * 604800,
            _ => null,
        };
        if (seconds is null)
        {
            return false;
        }

        duration = TimeSpan.FromSeconds(seconds.Value);
        return true;
    }

    /// <summary>Formats a duration in the largest whole unit (<c>90m</c> stays <c>90m</c>, <c>60m</c> becomes <c>1h</c>).</summary>
    public static string Format(TimeSpan duration)
    {
        var seconds = (long)duration.TotalSeconds;
        return seconds switch
        {
            _ when seconds % 604800 == 0 && seconds > 0 => $"{seconds / 604800}w",
            _ when seconds % 86400 == 0 && seconds > 0 => $"{seconds / 86400}d",
            _ when seconds % 3600 == 0 && seconds > 0 => $"{seconds / 3600}h",
            _ when seconds % 60 == 0 && seconds > 0 => $"{seconds / 60}m",
            _ => $"{seconds}s",
        };
    }

    /// <summary>
    /// A point in time from a query parameter: an ISO 8601 timestamp, or a duration meaning that long before <paramref name="now"/>.
    /// </summary>
    public static DateTimeOffset ParseTime(string text, DateTimeOffset now, string field)
    {
        if (TryParse(text, out var ago))
        {
            return now - ago;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
        {
            return time;
        }

        throw KilnException.Invalid(field, $"'{text}' is neither a timestamp (ISO 8601) nor a duration before now (e.g. 1h).");
    }
}
