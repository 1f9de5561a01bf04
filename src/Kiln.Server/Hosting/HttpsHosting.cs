using Kiln.Server.Configuration;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace Kiln.Server.Hosting;

/// <summary>
/// HTTPS and proxies: Kestrel presents the <c>Kiln:Tls</c> certificate on every https address; plain-HTTP requests are
/// redirected (308) and HSTS is sent once TLS is on; and behind a proxy listed in <c>Kiln:Http:TrustedProxies</c> the
/// client's address and scheme come from its <c>X-Forwarded-*</c> headers (so the dashboard's cookie is Secure there).
/// </summary>
internal static class HttpsHosting
{
    public static void AddKilnHttps(this WebApplicationBuilder builder)
    {
        var tls = builder.Configuration.GetSection("Kiln:Tls").Get<TlsOptions>() ?? new TlsOptions();
        var http = builder.Configuration.GetSection("Kiln:Http").Get<HttpOptions>() ?? new HttpOptions();
        if (http.TrustedProxies.Count > 0)
        {
            builder.Services.Configure<ForwardedHeadersOptions>(options =>
            {
                options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
                options.KnownIPNetworks.Clear();
                options.KnownProxies.Clear();
                foreach (var proxy in http.TrustedProxies)
                {
                    if (NetworkRange.TryParse(proxy.Trim(), out var network))
                    {
                        options.KnownIPNetworks.Add(network);
                    }
                }
            });
        }

        if (!tls.Enabled || !File.Exists(tls.Certificate))
        {
            return; // off, or a missing file that the options validator reports with the others
        }

        var certificate = new TlsCertificateSource(tls);
        builder.Services.AddSingleton(certificate);
        builder.Services.AddHsts(options => options.MaxAge = tls.HstsMaxAge);
        builder.Services.AddHttpsRedirection(options => options.RedirectStatusCode = StatusCodes.Status308PermanentRedirect);
        builder.WebHost.ConfigureKestrel((context, kestrel) =>
        {
            var urls = context.Configuration["urls"];
            if (urls is not null && !urls.Contains("https://", StringComparison.OrdinalIgnoreCase) && !context.Configuration.GetSection("Kestrel:Endpoints").Exists())
            {
                throw new InvalidOperationException(
                    $"Kiln:Tls has a certificate but no address in --urls ({urls}) is https://; add one, e.g. --urls 'https://0.0.0.0:5443;http://0.0.0.0:5080' (plain HTTP is then redirected).");
            }

            kestrel.ConfigureHttpsDefaults(https => https.ServerCertificateSelector = (_, _) => certificate.Current);
        });
    }

    /// <summary>The first middleware: forwarded headers from trusted proxies, then HSTS and the HTTPS redirect when TLS is on.</summary>
    public static void UseKilnHttps(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<KilnOptions>>().Value;
        if (options.Http.TrustedProxies.Count > 0)
        {
            app.UseForwardedHeaders();
        }

        if (app.Services.GetService<TlsCertificateSource>() is { } certificate)
        {
            certificate.UseLogger(app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Kiln.Server.Tls"));
            if (options.Tls.HstsMaxAge > TimeSpan.Zero)
            {
                app.UseHsts();
            }

            if (options.Tls.RedirectHttp)
            {
                app.UseHttpsRedirection();
            }
        }
    }
}
