using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Kiln.EndToEnd.Tests;

/// <summary>
/// <c>kiln serve --tls-cert --tls-key</c> with a self-signed certificate the test makes: HTTPS with that certificate,
/// HSTS, plain HTTP redirected, a renewed certificate picked up without a restart, the CLI trusting it through
/// SSL_CERT_FILE, and a start refused when no address is https.
/// </summary>
public sealed class TlsTests : IDisposable
{
    private const string AdminKey = "kiln_e2e_admin_key_0123456789abcdef";
    private readonly string _root = Path.Combine(Path.GetTempPath(), "kiln-e2e", Guid.NewGuid().ToString("N"));

    public TlsTests() => Directory.CreateDirectory(_root);

    [Fact]
    public async Task Serve_WithACertificate_ServesHttpsWithHsts_RedirectsHttp_AndPicksUpARenewal()
    {
        var (certificatePath, keyPath) = (Path.Combine(_root, "kiln.crt"), Path.Combine(_root, "kiln.key"));
        var first = WriteSelfSigned(certificatePath, keyPath);
        var https = KilnProcess.FreeUrl();
        var http = KilnProcess.FreeUrl();
        var secure = new Uri($"https://127.0.0.1:{https.Port}/");
        var environment = new Dictionary<string, string> { ["KILN_ADMIN_KEY"] = AdminKey, ["KILN_API_KEY"] = AdminKey };
        await using var server = await KilnProcess.StartUntilAsync(secure, "Kiln is serving", TimeSpan.FromSeconds(60), environment,
            "serve", "--urls", $"https://127.0.0.1:{https.Port};http://127.0.0.1:{http.Port}", "--data-dir", Path.Combine(_root, "data"),
            "--tls-cert", certificatePath, "--tls-key", keyPath);

        var (status, presented, hsts) = await GetAsync(secure, "health/live", host: "kiln.test");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(first.Thumbprint, presented);
        Assert.Equal("max-age=15552000", hsts);

        using (var plain = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = http })
        {
            using var redirected = await plain.GetAsync("api/deployments");
            Assert.Equal(HttpStatusCode.PermanentRedirect, redirected.StatusCode);
            Assert.Equal(new Uri(secure, "api/deployments"), redirected.Headers.Location);
        }

        environment["KILN_SERVER"] = secure.ToString();
        environment["SSL_CERT_FILE"] = certificatePath;
        var (exitCode, stdout, stderr) = await KilnProcess.RunAsync(environment, "models", "list");
        Assert.True(exitCode == 0, $"the CLI could not talk to the HTTPS server: {stdout} {stderr}");

        var renewed = WriteSelfSigned(certificatePath, keyPath);
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (presented != renewed.Thumbprint && DateTime.UtcNow < deadline)
        {
            await Task.Delay(250);
            (_, presented, _) = await GetAsync(secure, "health/live");
        }

        Assert.Equal(renewed.Thumbprint, presented);
        Assert.Contains("TLS certificate", server.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_WithACertificateButNoHttpsAddress_RefusesToStartSayingSo()
    {
        var (certificatePath, keyPath) = (Path.Combine(_root, "kiln.crt"), Path.Combine(_root, "kiln.key"));
        WriteSelfSigned(certificatePath, keyPath);
        var environment = new Dictionary<string, string> { ["KILN_ADMIN_KEY"] = AdminKey };

        var (exitCode, stdout, stderr) = await KilnProcess.RunAsync(environment,
            "serve", "--urls", KilnProcess.FreeUrl().ToString().TrimEnd('/'), "--data-dir", Path.Combine(_root, "data"), "--tls-cert", certificatePath, "--tls-key", keyPath);

        Assert.NotEqual(0, exitCode);
        Assert.Contains("no address in --urls", stdout + stderr, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>A fresh self-signed certificate for kiln.test, localhost and 127.0.0.1, written as PEM; returns it.</summary>
    private static X509Certificate2 WriteSelfSigned(string certificatePath, string keyPath)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=kiln.test", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("kiln.test");
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));

        // The key first and the certificate last, as a renewal tool replaces them; the server reloads once both moved.
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        return certificate;
    }

    /// <summary>One request on a new connection; returns the status, the certificate the server presented and its HSTS header.</summary>
    private static async Task<(HttpStatusCode Status, string? Thumbprint, string? Hsts)> GetAsync(Uri server, string path, string? host = null)
    {
        string? thumbprint = null;
        using var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, _, _) =>
            {
                thumbprint = certificate?.Thumbprint;
                return true;
            },
        };
        using var client = new HttpClient(handler) { BaseAddress = server, Timeout = TimeSpan.FromSeconds(60) }; // a first handshake on a loaded CI machine is slow
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        if (host is not null)
        {
            request.Headers.Host = host;
        }

        using var response = await client.SendAsync(request);
        return (response.StatusCode, thumbprint, response.Headers.TryGetValues("Strict-Transport-Security", out var values) ? values.Single() : null);
    }
}
