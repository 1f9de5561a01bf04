namespace Kiln.Storage.PostgreSql.Monitoring;

/// <summary>The monitoring store keeps times as Unix milliseconds, as on SQLite.</summary>
internal static class UnixMs
{
    public static long From(DateTimeOffset time) => time.ToUnixTimeMilliseconds();

    public static DateTimeOffset To(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);
}
