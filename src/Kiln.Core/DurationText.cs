using System.Globalization;
using System.Text;

namespace Kiln.Core;

/// <summary>
/// Durations as people write them in windows, rules, policies and pipeline files: one or more amounts
/// with a unit (<c>ms</c>, <c>s</c>, <c>m</c>, <c>h</c>, <c>d</c>, <c>w</c>), such as <c>30s</c>, <c>1.5h</c>,
/// <c>1h30m</c> or <c>7d</c>, or a clock form such as <c>00:05:00</c>. The one grammar of the product.
/// </summary>
public static class DurationText
{
    /// <summary>The longest duration accepted: ten years.</summary>
    public static readonly TimeSpan Longest = TimeSpan.FromDays(3650);

    /// <summary>Parses a positive duration; throws an invalid-input error naming <paramref name="field"/> when it is not one.</summary>
    public static TimeSpan Parse(string text, string field)
    {
        if (TryParse(text, out var duration) && duration > TimeSpan.Zero)
        {
            return duration;
        }

        throw KilnException.Invalid(field, $"'{text}' is not a duration; write a positive number and a unit, e.g. 30s, 15m, 1h, 7d or 2w.");
    }

    /// <summary>Parses a duration of zero or more (<c>0s</c> is one); false when <paramref name="text"/> is not one.</summary>
    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var span = text.AsSpan().Trim();
        if (span.Contains(':'))
        {
            return TimeSpan.TryParse(span, CultureInfo.InvariantCulture, out duration) && duration >= TimeSpan.Zero && duration <= Longest;
        }

        var seconds = 0.0;
        while (!span.IsEmpty)
        {
            var digits = 0;
            while (digits < span.Length && (char.IsAsciiDigit(span[digits]) || span[digits] == '.'))
            {
                digits++;
            }

            if (digits == 0 || !double.TryParse(span[..digits], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount))
            {
                return false;
            }

            span = span[digits..];
            var (unit, length) = span switch
            {
                ['m', 's', ..] => (0.001, 2),
                ['s', ..] => (1.0, 1),
                ['m', ..] => (60.0, 1),
                ['h', ..] => (3600.0, 1),
                ['d', ..] => (86400.0, 1),
                ['w', ..] => (604800.0, 1),
                _ => (0.0, 0),
            };
            if (length == 0)
            {
                return false;
            }

            span = span[length..];
            seconds += amount * unit;
            if (seconds > Longest.TotalSeconds)
            {
                return false;
            }
        }

        duration = TimeSpan.FromMilliseconds(Math.Round(seconds * 1000));
        return true;
    }

    /// <summary>Formats a duration the way <see cref="TryParse"/> reads it, largest unit first: <c>1h30m</c>, <c>7d</c>, <c>250ms</c>; <c>0s</c> for zero.</summary>
    public static string Format(TimeSpan duration)
    {
        var milliseconds = (long)Math.Round(duration.TotalMilliseconds);
        if (milliseconds <= 0)
        {
            return "0s";
        }

        var text = new StringBuilder();
        Append(text, ref milliseconds, 86_400_000, "d");
        Append(text, ref milliseconds, 3_600_000, "h");
        Append(text, ref milliseconds, 60_000, "m");
        Append(text, ref milliseconds, 1000, "s");
        Append(text, ref milliseconds, 1, "ms");
        return text.ToString();
    }

    /// <summary>
    /// A point in time from a query parameter: an ISO 8601 timestamp, or a duration meaning that long before <paramref name="now"/>.
    /// </summary>
    public static DateTimeOffset ParseTime(string text, DateTimeOffset now, string field)
    {
        if (TryParse(text, out var ago) && !text.Contains(':', StringComparison.Ordinal))
        {
            return now - ago;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
        {
            return time;
        }

        throw KilnException.Invalid(field, $"'{text}' is neither a timestamp (ISO 8601) nor a duration before now (e.g. 1h).");
    }

    private static void Append(StringBuilder text, ref long milliseconds, long unit, string suffix)
    {
        if (milliseconds >= unit)
        {
            text.Append((milliseconds / unit).ToString(CultureInfo.InvariantCulture)).Append(suffix);
            milliseconds %= unit;
        }
    }
}
