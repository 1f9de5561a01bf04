using Kiln.Server.Configuration;
using Kiln.Server.Hosting;

namespace Kiln.Server;

/// <summary>Builds a Kiln server: used by <c>Program</c>, by <c>kiln serve</c> and by tests.</summary>
public static class KilnServer
{
    /// <summary>
    /// Builds the app. Settings are layered, later winning: appsettings, <c>KILN_*</c> environment
    /// variables, command-line arguments, then <paramref name="overrides"/> (the CLI's flags).
    /// </summary>
    public static WebApplication Build(string[] args, IReadOnlyDictionary<string, string?>? overrides = null, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.Configuration.AddKilnEnvironmentVariables();
        builder.Configuration.AddCommandLine(args);
        if (overrides is not null)
        {
            builder.Configuration.AddInMemoryCollection(overrides);
        }

        configure?.Invoke(builder);
        builder.AddKiln();
        var app = builder.Build();
        app.MapKiln();
        return app;
    }
}
