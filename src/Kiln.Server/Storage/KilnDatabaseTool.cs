using Kiln.Server.Configuration;
using Kiln.Server.Hosting;

namespace Kiln.Server.Storage;

/// <summary>
/// The database without the server, for operators' commands (<c>kiln db migrate|status</c>): the same
/// settings layering and the same stores as <c>kiln serve</c>, nothing listening.
/// </summary>
public static class KilnDatabaseTool
{
    /// <summary>A service provider with Kiln's options and database; settings from <c>KILN_*</c> variables, then <paramref name="overrides"/>.</summary>
    public static ServiceProvider Build(IReadOnlyDictionary<string, string?> overrides)
    {
        var configuration = new ConfigurationBuilder()
            .AddJsonFile("appsettings.json", optional: true)
            .AddKilnEnvironmentVariables()
            .AddInMemoryCollection(overrides)
            .Build();
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.AddSimpleConsole().AddFilter("Microsoft.EntityFrameworkCore", LogLevel.Warning).SetMinimumLevel(LogLevel.Information));
        services.AddKilnOptions(configuration);
        services.AddKilnDatabase();
        return services.BuildServiceProvider();
    }
}
