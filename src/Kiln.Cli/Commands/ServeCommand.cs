using System.CommandLine;
using Kiln.Cli.Output;
using Kiln.Server;
using Spectre.Console;
using Microsoft.Extensions.Hosting;

namespace Kiln.Cli.Commands;

/// <summary><c>kiln serve</c>: runs the Kiln server in this process on the embedded store.</summary>
internal static class ServeCommand
{
    private static readonly Option<string> Urls = new("--urls")
    {
        Description = "Addresses to listen on",
        DefaultValueFactory = _ => "http://127.0.0.1:5080",
    };

    private static readonly Option<string?> DataDir = new("--data-dir")
    {
        Description = "Folder for the SQLite store and artifacts (default: $KILN_DATA_DIR or ./kiln-data)",
    };

    private static readonly Option<string?> Database = new("--database")
    {
        Description = "PostgreSQL URI (postgresql://user:pass@host:5432/kiln) or Npgsql connection string for every store (default: $KILN_DATABASE, else SQLite in the data folder)",
    };

    private static readonly Option<string?> Artifacts = new("--artifacts")
    {
        Description = "Where artifacts live: a folder, or s3://bucket/optional/prefix (default: $KILN_ARTIFACTS or <data-dir>/artifacts)",
    };

    private static readonly Option<string?> PublicUrl = new("--public-url")
    {
        Description = "The URL people and alert receivers reach Kiln at, e.g. https://kiln.example.com (default: $KILN_PUBLIC_URL, else the first --urls address)",
    };

    private static readonly Option<string?> TlsCert = new("--tls-cert")
    {
        Description = "Serve HTTPS with this certificate: PEM (chain after it) or .pfx; needs an https:// address in --urls (default: $KILN_TLS_CERT)",
    };

    private static readonly Option<string?> TlsKey = new("--tls-key")
    {
        Description = "The PEM private key of --tls-cert, when the certificate file does not hold it (default: $KILN_TLS_KEY)",
    };

    private static readonly Option<bool> NoAuth = new("--no-auth")
    {
        Description = "Disable API keys (every caller is an admin): for local experiments only",
    };

    public static Command Create()
    {
        var command = new Command("serve", "Run the Kiln server (registry, deployments, inference) on the embedded store or PostgreSQL");
        command.Options.Add(Urls);
        command.Options.Add(DataDir);
        command.Options.Add(Database);
        command.Options.Add(Artifacts);
        command.Options.Add(PublicUrl);
        command.Options.Add(TlsCert);
        command.Options.Add(TlsKey);
        command.Options.Add(NoAuth);
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            var overrides = new Dictionary<string, string?> { ["urls"] = parse.GetValue(Urls) };
            if (parse.GetValue(DataDir) is { } dataDir)
            {
                overrides["Kiln:Storage:DataDir"] = dataDir;
            }

            if (parse.GetValue(Database) is { } database)
            {
                overrides["Kiln:Storage:Database"] = database;
            }

            if (parse.GetValue(Artifacts) is { } artifacts)
            {
                overrides["Kiln:Storage:Artifacts"] = artifacts;
            }

            if (parse.GetValue(PublicUrl) is { } publicUrl)
            {
                overrides["Kiln:PublicUrl"] = publicUrl;
            }

            if (parse.GetValue(TlsCert) is { } certificate)
            {
                overrides["Kiln:Tls:Certificate"] = certificate;
            }

            if (parse.GetValue(TlsKey) is { } key)
            {
                overrides["Kiln:Tls:Key"] = key;
            }

            if (parse.GetValue(NoAuth))
            {
                overrides["Kiln:Auth:Enabled"] = "false";
            }

            var app = KilnServer.Build([], overrides);
            app.Lifetime.ApplicationStarted.Register(() =>
            {
                foreach (var address in app.Urls)
                {
                    CommandOutput.Info($"[bold]Kiln is serving[/] the dashboard at {Markup.Escape(address)}/ and the API reference at {Markup.Escape(address)}/docs");
                }
            });
            await ((IHost)app).RunAsync(cancellationToken);
        }));
        return command;
    }
}
