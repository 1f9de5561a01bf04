using System.Globalization;
using Kiln.Core;
using Npgsql;

namespace Kiln.Storage.PostgreSql;

/// <summary>
/// Reads the database setting's PostgreSQL forms: a URI as libpq and most tools write it
/// (<c>postgresql://user:pass@host:5432/kiln?sslmode=require</c>) or an Npgsql connection string
/// (<c>Host=…;Username=…;Database=…</c>), and gives back an Npgsql connection string.
/// </summary>
public static class PostgresConnectionString
{
    /// <summary>Whether <paramref name="setting"/> names a PostgreSQL database (a URI or an Npgsql connection string).</summary>
    public static bool IsPostgres(string setting) =>
        setting.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase)
        || setting.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase)
        || setting.Contains('=', StringComparison.Ordinal);

    /// <summary>The Npgsql connection string for <paramref name="setting"/>; throws <see cref="KilnException"/> (invalid) naming the problem.</summary>
    public static string Parse(string setting)
    {
        ArgumentNullException.ThrowIfNull(setting);
        var builder = setting.Contains("://", StringComparison.Ordinal) ? FromUri(setting) : FromKeywords(setting);
        if (string.IsNullOrEmpty(builder.Host))
        {
            throw KilnException.Invalid("database", "names no PostgreSQL host.");
        }

        if (string.IsNullOrEmpty(builder.Database))
        {
            throw KilnException.Invalid("database", "names no database (postgresql://user:pass@host:5432/DATABASE).");
        }

        return builder.ConnectionString;
    }

    /// <summary>The connection string with its password hidden, for logs and status output.</summary>
    public static string Redact(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (!string.IsNullOrEmpty(builder.Password))
        {
            builder.Password = "****";
        }

        return builder.ConnectionString;
    }

    private static NpgsqlConnectionStringBuilder FromKeywords(string setting)
    {
        try
        {
            return new NpgsqlConnectionStringBuilder(setting);
        }
        catch (ArgumentException error)
        {
            throw KilnException.Invalid("database", $"is not a valid Npgsql connection string: {error.Message}");
        }
    }

    private static NpgsqlConnectionStringBuilder FromUri(string setting)
    {
        if (!Uri.TryCreate(setting, UriKind.Absolute, out var uri) || uri.Scheme is not ("postgresql" or "postgres"))
        {
            throw KilnException.Invalid("database", "is not a valid postgresql:// URI.");
        }

        var builder = new NpgsqlConnectionStringBuilder { Host = Uri.UnescapeDataString(uri.Host) };
        if (uri.Port > 0)
        {
            builder.Port = uri.Port;
        }

        if (uri.UserInfo.Length > 0)
        {
            var colon = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
            builder.Username = Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo[..colon]);
            if (colon >= 0)
            {
                builder.Password = Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
            }
        }

        builder.Database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var key = Uri.UnescapeDataString(equals < 0 ? pair : pair[..equals]);
            var value = equals < 0 ? string.Empty : Uri.UnescapeDataString(pair[(equals + 1)..]);
            try
            {
                builder[UriKeyword(key)] = value;
            }
            catch (Exception error) when (error is ArgumentException or FormatException or KeyNotFoundException)
            {
                throw KilnException.Invalid("database", string.Create(CultureInfo.InvariantCulture, $"has an unknown or invalid parameter '{key}={value}': {error.Message}"));
            }
        }

        return builder;
    }

    // libpq's URI parameter names that differ from Npgsql's keywords.
    private static string UriKeyword(string key) => key.ToLowerInvariant() switch
    {
        "sslmode" => "SSL Mode",
        "application_name" => "Application Name",
        "connect_timeout" => "Timeout",
        "sslrootcert" => "Root Certificate",
        "sslcert" => "SSL Certificate",
        "sslkey" => "SSL Key",
        "target_session_attrs" => "Target Session Attributes",
        _ => key,
    };
}
