using System.Text.RegularExpressions;
using Kiln.Server.Dashboard;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Kiln.Server.Tests.Support;

/// <summary>The hostile-client suite's route list: every route of a running server that needs a caller.</summary>
internal static partial class ProtectedRoutes
{
    /// <summary>Every API route that needs a key, with its parameters filled in (deployment and model "gbt", version 1).</summary>
    public static IEnumerable<(string Method, string Path)> Of(IServiceProvider services)
    {
        var endpoints = services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>();
        foreach (var endpoint in endpoints)
        {
            if (endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null || endpoint.Metadata.GetMetadata<DashboardEndpointMetadata>() is not null)
            {
                continue;
            }

            var template = endpoint.RoutePattern.RawText ?? string.Empty;
            if (template.Contains("{**", StringComparison.Ordinal) || template.StartsWith("/_", StringComparison.Ordinal))
            {
                continue; // catch-alls and framework routes (Blazor) are not API routes
            }

            var path = Parameter().Replace(template, match => match.Groups["name"].Value switch
            {
                "name" or "deployment" or "model" => "gbt",
                "version" => "1",
                _ => "x",
            });
            foreach (var method in endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? ["GET"])
            {
                yield return (method, path.StartsWith('/') ? path : "/" + path);
            }
        }
    }

    [GeneratedRegex(@"\{(?<name>[A-Za-z]+)(:[^}]*)?\??\}")]
    private static partial Regex Parameter();
}
