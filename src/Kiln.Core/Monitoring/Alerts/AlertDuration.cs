using System.Globalization;
using System.Text;

namespace Kiln.Core.Monitoring.Alerts;

/// <summary>Durations as people write them in rules: <c>30s</c>, <c>5m</c>, <c>1h30m</c>, <c>2d</c> (or <c>00:05:00</c>).</summary>
public static class AlertDuration
{
    /// <summary>Parses a duration; false when <paramref name="text"/> is not one.</summary>
    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        text = text.Trim();
        if (text.Contains(':', StringComparison.Ordinal))
        {
            return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out duration) && duration >= TimeSpan.Zero;
        }

        var total = 0L;
        var i = 0;
        while (i < text.Length)
        {
            var start = i;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                i++;
            }

            if (i == start || i == text.Length || !long.TryParse(text.AsSpan(start, i - start), NumberStyles.None, CultureInfo.InvariantCulture, out var amount))
            {
                return false;
            }

            var unit = text[i++] switch
            {
                's' => 1L,
                'm' => 60L,
                'h' => 3600L,
                'd' => 86400L,
                _ => 0L,
            };
            if (unit == 0 || amount > 10L * 365 * 86400 / unit)
            {
                return false;
            }

            total += amount * unit;
        }

        duration = TimeSpan.FromSeconds(total);
        return true;
    }

    /// <summary>Formats a duration the way <see cref="TryParse"/> reads it, e.g. <c>1h30m</c>; <c>0s</c> for zero.</summary>
    public static string Format(TimeSpan duration)
    {
        var seconds = (long)Math.Round(duration.TotalSeconds);
        if (seconds <= 0)
        {
            return "0s";
        }

        var text = new StringBuilder();
        Append(text, ref seconds, 86400, 'd');
        Append(text, ref seconds, 3600, 'h');
        Append(text, ref seconds, 60, 'm');
        Append(text, ref seconds, 1, 's');
        return text.ToString();
    }

    private static void Append(StringBuilder text, ref long seconds, long unit, char suffix)
    {
        if (seconds >= unit)
        {
            text.Append((seconds / unit).ToString(CultureInfo.InvariantCulture)).Append(suffix);
            seconds %= unit;
        }
    }
}
