namespace Kiln.Server.Configuration;

/// <summary>Checks <c>Kiln:Tls</c> and <c>Kiln:Http</c>: files that exist, a key only beside a certificate, proxies that parse.</summary>
internal static class TlsValidator
{
    public static void Validate(TlsOptions tls, HttpOptions http, List<string> errors)
    {
        if (tls.Enabled && !File.Exists(tls.Certificate))
        {
            errors.Add($"Kiln:Tls:Certificate (KILN_TLS_CERT, --tls-cert): no file at {tls.Certificate}.");
        }

        if (!string.IsNullOrWhiteSpace(tls.Key) && !tls.Enabled)
        {
            errors.Add("Kiln:Tls:Key (KILN_TLS_KEY, --tls-key) needs a certificate too (--tls-cert).");
        }
        else if (!string.IsNullOrWhiteSpace(tls.Key) && !File.Exists(tls.Key))
        {
            errors.Add($"Kiln:Tls:Key (KILN_TLS_KEY, --tls-key): no file at {tls.Key}.");
        }

        if (tls.HstsMaxAge < TimeSpan.Zero)
        {
            errors.Add("Kiln:Tls:HstsMaxAge must not be negative.");
        }

        for (var i = 0; i < http.TrustedProxies.Count; i++)
        {
            if (!NetworkRange.TryParse(http.TrustedProxies[i]?.Trim() ?? string.Empty, out _))
            {
                errors.Add($"Kiln:Http:TrustedProxies:{i} must be an address or a CIDR range such as 10.0.0.0/8.");
            }
        }
    }
}
