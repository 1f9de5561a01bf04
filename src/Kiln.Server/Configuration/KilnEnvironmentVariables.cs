using System.Collections;

namespace Kiln.Server.Configuration;

/// <summary>
/// Maps <c>KILN_*</c> environment variables onto the <c>Kiln</c> section: the short names people
/// type (<c>KILN_DATA_DIR</c>, <c>KILN_DATABASE</c>, <c>KILN_ADMIN_KEY</c>, …) and the general form
/// <c>KILN_Serving__MaxRequestBodyBytes</c> for every other setting.
/// </summary>
public static class KilnEnvironmentVariables
{
    private static readonly Dictionary<string, string> ShortNames = new(StringComparer.OrdinalIgnoreCase)
    {
        ["KILN_DATA_DIR"] = "Kiln:Storage:DataDir",
        ["KILN_DATABASE"] = "Kiln:Storage:Database",
        ["KILN_REPLICA"] = "Kiln:Replica",
        ["KILN_PUBLIC_URL"] = "Kiln:PublicUrl",
        ["KILN_ARTIFACTS"] = "Kiln:Storage:Artifacts",
        ["KILN_ADMIN_KEY"] = "Kiln:Auth:AdminKey",
        ["KILN_AUTH_ENABLED"] = "Kiln:Auth:Enabled",
        ["KILN_TLS_CERT"] = "Kiln:Tls:Certificate",
        ["KILN_TLS_KEY"] = "Kiln:Tls:Key",
        ["KILN_TLS_PASSWORD"] = "Kiln:Tls:Password",
        ["KILN_MAX_REQUEST_BYTES"] = "Kiln:Serving:MaxRequestBodyBytes",
    };

    public static IConfigurationBuilder AddKilnEnvironmentVariables(this IConfigurationBuilder builder) =>
        builder.AddInMemoryCollection(Read(Environment.GetEnvironmentVariables()));

    internal static Dictionary<string, string?> Read(IDictionary variables)
    {
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (DictionaryEntry entry in variables)
        {
            var name = (string)entry.Key;
            if (!name.StartsWith("KILN_", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (ShortNames.TryGetValue(name, out var key))
            {
                settings[key] = entry.Value as string;
            }
            else if (name.Contains("__", StringComparison.Ordinal))
            {
                settings["Kiln:" + name["KILN_".Length..].Replace("__", ":", StringComparison.Ordinal)] = entry.Value as string;
            }
        }

        return settings;
    }
}
