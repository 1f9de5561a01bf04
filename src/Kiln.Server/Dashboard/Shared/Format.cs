using System.Globalization;

namespace Kiln.Server.Dashboard.Shared;

/// <summary>How the dashboard writes numbers and times: invariant culture, UTC, short.</summary>
internal static class Format
{
    public static string Rate(double perSecond) => perSecond switch
    {
        0 => "0",
        < 0.1 => perSecond.ToString("0.###", CultureInfo.InvariantCulture),
        < 100 => perSecond.ToString("0.#", CultureInfo.InvariantCulture),
        _ => perSecond.ToString("#,0", CultureInfo.InvariantCulture),
    };

    public static string Percent(double fraction) =>
        (fraction * 100).ToString(fraction is > 0 and < 0.001 ? "0.###" : "0.#", CultureInfo.InvariantCulture) + "%";

    public static string Ms(double? milliseconds) => milliseconds switch
    {
        null => "–",
        < 10 => milliseconds.Value.ToString("0.##", CultureInfo.InvariantCulture) + " ms",
        < 1000 => milliseconds.Value.ToString("0", CultureInfo.InvariantCulture) + " ms",
        _ => (milliseconds.Value / 1000).ToString("0.##", CultureInfo.InvariantCulture) + " s",
    };

    public static string Number(double? value) => value switch
    {
        null => "–",
        { } v when double.IsNaN(v) => "–",
        { } v when Math.Abs(v) >= 1e5 || (v != 0 && Math.Abs(v) < 1e-4) => v.ToString("0.###e0", CultureInfo.InvariantCulture),
        { } v => v.ToString("0.####", CultureInfo.InvariantCulture),
    };

    public static string Count(long value) => value.ToString("#,0", CultureInfo.InvariantCulture);

    public static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    public static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    /// <summary>"3 min ago", "2 h ago", "5 d ago".</summary>
    public static string Ago(DateTimeOffset time, DateTimeOffset now)
    {
        var span = now - time;
        return span.TotalSeconds switch
        {
            < 60 => "just now",
            < 3600 => $"{(int)span.TotalMinutes} min ago",
            < 86400 => $"{(int)span.TotalHours} h ago",
            _ => $"{(int)span.TotalDays} d ago",
        };
    }
}
