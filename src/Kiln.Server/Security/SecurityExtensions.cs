using Kiln.Server.Audit;
using Kiln.Server.Dashboard;
using Kiln.Storage.Stores;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Kiln.Server.Security;

/// <summary>
/// Who may call what, on ASP.NET Core's own pipeline: authentication schemes (<see cref="KilnSchemes"/>), the rate
/// limits once the caller is known, then authorization policies (<see cref="KilnPolicies"/>) whose refusals are written
/// in each protocol's error shape (<see cref="KilnAuthorizationResultHandler"/>); and the audit log's store.
/// </summary>
internal static class SecurityExtensions
{
    private const string AuthenticationMiddlewareSetKey = "__AuthenticationMiddlewareSet";
    private const string AuthorizationMiddlewareSetKey = "__AuthorizationMiddlewareSet";

    public static IServiceCollection AddKilnSecurity(this IServiceCollection services)
    {
        services.TryAddSingleton<ApiKeyValidator>();
        services.TryAddSingleton<ApiKeyIssuer>();
        services.TryAddSingleton<RateLimits>();
        services.AddHttpClient(OidcBearerSetup.HttpClientName).ConfigureHttpClient(client => client.Timeout = TimeSpan.FromSeconds(10));
        services.AddSingleton<IConfigureOptions<JwtBearerOptions>, OidcBearerSetup>();
        services.AddAuthentication(KilnSchemes.ApiKey)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(KilnSchemes.ApiKey, null)
            .AddScheme<AuthenticationSchemeOptions, DashboardAuthenticationHandler>(KilnSchemes.Dashboard, null)
            .AddJwtBearer(KilnSchemes.Oidc);
        services.AddOptions<AuthenticationSchemeOptions>(KilnSchemes.ApiKey).Configure<IOptions<Configuration.KilnOptions>>((options, kiln) =>
        {
            // Tokens go to the JWT handler only when single sign-on is on; otherwise every credential is checked as a key.
            if (kiln.Value.Auth.Enabled && kiln.Value.Auth.Oidc.Enabled)
            {
                options.ForwardDefaultSelector = KilnSchemes.ForBearerToken;
            }
        });
        services.AddAuthorization(options => options.AddKilnPolicies());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAuthorizationHandler, KilnAccessHandler>());
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, KilnAuthorizationResultHandler>();
        services.TryAddSingleton<Kiln.Core.Audit.IAuditStore, EfAuditStore>();
        services.AddHostedService<AuditRetention>();
        return services;
    }

    /// <summary>
    /// The key fast path (<see cref="ApiKeyFastPath"/>); for every request it did not admit, authentication, then the
    /// rate limits (they need the caller), then authorization.
    /// </summary>
    public static IApplicationBuilder UseKilnSecurity(this IApplicationBuilder app)
    {
        app.UseMiddleware<ApiKeyFastPath>();
        app.UseWhen(ApiKeyFastPath.NotAdmitted, framework =>
        {
            framework.UseAuthentication();
            framework.UseMiddleware<RateLimitMiddleware>();
            framework.UseAuthorization();
        });

        // UseAuthentication and UseAuthorization mark the builder they are called on; a branch's marks stay in the
        // branch. Without them on the app, WebApplication adds both again at the front of the pipeline, before routing,
        // where authorization knows no endpoint and would apply the admin fallback policy to every request.
        app.Properties[AuthenticationMiddlewareSetKey] = true;
        app.Properties[AuthorizationMiddlewareSetKey] = true;
        return app;
    }
}
