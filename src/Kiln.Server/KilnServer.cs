using Kiln.Server.Hosting;

namespace Kiln.Server;

/// <summary>Builds a Kiln server: used by <c>Program</c>, by <c>kiln serve</c> and by tests.</summary>
public static class KilnServer
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        configure?.Invoke(builder);
        builder.AddKiln();
        var app = builder.Build();
        app.MapKiln();
        return app;
    }
}
