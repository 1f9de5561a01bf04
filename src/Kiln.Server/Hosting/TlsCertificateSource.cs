using System.Security.Cryptography.X509Certificates;
using Kiln.Server.Configuration;

namespace Kiln.Server.Hosting;

/// <summary>
/// The server certificate from <c>Kiln:Tls</c>, loaded at start (a bad file stops the start with the reason) and
/// reloaded when its files change, checked at most once a second, so a renewed certificate (certbot, cert-manager)
/// is served to new connections without a restart. A renewal that fails to load keeps the previous certificate.
/// </summary>
internal sealed partial class TlsCertificateSource
{
    private static readonly TimeSpan CheckEvery = TimeSpan.FromSeconds(1);

    private readonly TlsOptions _options;
    private readonly Lock _gate = new();
    private ILogger? _logger;
    private X509Certificate2 _current;
    private (DateTime Certificate, DateTime Key) _loadedStamps;
    private long _checkedAt;

    public TlsCertificateSource(TlsOptions options)
    {
        _options = options;
        _loadedStamps = Stamps();
        _current = Load(options);
        _checkedAt = Environment.TickCount64;
    }

    /// <summary>Where reload failures are reported (the logger exists only once the host is built).</summary>
    public void UseLogger(ILogger logger) => _logger = logger;

    /// <summary>The certificate to present now: Kestrel calls this on every TLS handshake.</summary>
    public X509Certificate2 Current
    {
        get
        {
            var now = Environment.TickCount64;
            if (now - Interlocked.Read(ref _checkedAt) >= CheckEvery.TotalMilliseconds)
            {
                ReloadIfChanged(now);
            }

            return Volatile.Read(ref _current);
        }
    }

    /// <summary>Reads the certificate files named by <paramref name="options"/>.</summary>
    public static X509Certificate2 Load(TlsOptions options)
    {
        var path = options.Certificate ?? throw new InvalidOperationException("TLS is not configured.");
        try
        {
            var extension = Path.GetExtension(path).ToLowerInvariant();
            var certificate = extension is ".pfx" or ".p12"
                ? X509CertificateLoader.LoadPkcs12FromFile(path, options.Password)
                : string.IsNullOrEmpty(options.Password)
                    ? X509Certificate2.CreateFromPemFile(path, options.Key)
                    : X509Certificate2.CreateFromEncryptedPemFile(path, options.Password, options.Key);
            if (!certificate.HasPrivateKey)
            {
                throw new InvalidOperationException("the file holds no private key; give it with --tls-key.");
            }

            return certificate;
        }
        catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or IOException or ArgumentException)
        {
            throw new InvalidOperationException($"Kiln:Tls: cannot load the certificate {path}: {e.Message}", e);
        }
    }

    private void ReloadIfChanged(long now)
    {
        lock (_gate)
        {
            if (now - _checkedAt < CheckEvery.TotalMilliseconds)
            {
                return;
            }

            Interlocked.Exchange(ref _checkedAt, now);
            var stamps = Stamps();
            if (stamps == _loadedStamps)
            {
                return;
            }

            try
            {
                var fresh = Load(_options);
                Volatile.Write(ref _current, fresh);
                _loadedStamps = stamps;
                if (_logger is { } logger)
                {
                    LogReloaded(logger, _options.Certificate!, fresh.Subject, fresh.NotAfter);
                }
            }
            catch (InvalidOperationException e)
            {
                // Often a half-written renewal: keep serving the old certificate and try again on the next check.
                if (_logger is { } logger)
                {
                    LogReloadFailed(logger, e.Message);
                }
            }
        }
    }

    private (DateTime, DateTime) Stamps() =>
        (File.GetLastWriteTimeUtc(_options.Certificate!), string.IsNullOrEmpty(_options.Key) ? default : File.GetLastWriteTimeUtc(_options.Key));

    [LoggerMessage(EventId = 1201, Level = LogLevel.Information, Message = "TLS certificate {Path} reloaded: {Subject}, valid until {NotAfter:u}")]
    private static partial void LogReloaded(ILogger logger, string path, string subject, DateTime notAfter);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Warning, Message = "TLS certificate changed but could not be loaded; still serving the previous one: {Reason}")]
    private static partial void LogReloadFailed(ILogger logger, string reason);
}
