using System.CommandLine;
using Kiln.Client;

namespace Kiln.Cli.Commands;

/// <summary>Options every client command takes: which server, which key, what output.</summary>
internal static class CommonOptions
{
    public static readonly Option<string> Server = new("--server")
    {
        Description = "Kiln server URL (default: $KILN_SERVER or http://127.0.0.1:5080)",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("KILN_SERVER") is { Length: > 0 } s ? s : "http://127.0.0.1:5080",
        Recursive = true,
    };

    public static readonly Option<string?> ApiKey = new("--api-key")
    {
        Description = "API key (default: $KILN_API_KEY)",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("KILN_API_KEY"),
        Recursive = true,
    };

    public static readonly Option<OutputFormat> Output = new("--output", "-o")
    {
        Description = "Output format: table or json",
        DefaultValueFactory = _ => OutputFormat.Table,
        Recursive = true,
    };

    public static KilnClient CreateClient(ParseResult parse)
    {
        var server = parse.GetValue(Server)!;
        if (!Uri.TryCreate(server.EndsWith('/') ? server : server + "/", UriKind.Absolute, out var uri))
        {
            throw new ArgumentException($"--server '{server}' is not a URL.");
        }

        return new KilnClient(uri, parse.GetValue(ApiKey));
    }
}

/// <summary>How a command prints its result.</summary>
internal enum OutputFormat
{
    Table,
    Json,
}
