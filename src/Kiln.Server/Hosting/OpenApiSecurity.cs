using Kiln.Server.Configuration;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace Kiln.Server.Hosting;

/// <summary>
/// Declares in the OpenAPI document how callers authenticate: a Kiln API key as an HTTP bearer credential and, when
/// single sign-on is configured, the identity provider's OpenID Connect discovery URL. Either scheme satisfies the
/// document-wide requirement; open endpoints (health, docs) need neither.
/// </summary>
internal sealed class OpenApiSecurity(IOptions<KilnOptions> options) : IOpenApiDocumentTransformer
{
    public const string ApiKeyScheme = "apiKey";
    public const string OidcScheme = "oidc";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[ApiKeyScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "kiln_…",
            Description = "A Kiln API key: 'Authorization: Bearer kiln_…'. Its role (viewer, predictor, deployer, admin) decides what it may do; it may be limited to deployments.",
        };
        document.Security ??= [];
        document.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ApiKeyScheme, document)] = [] });

        var oidc = options.Value.Auth.Oidc;
        if (oidc.Enabled)
        {
            document.Components.SecuritySchemes[OidcScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.OpenIdConnect,
                OpenIdConnectUrl = new Uri(oidc.Authority!.TrimEnd('/') + "/.well-known/openid-configuration"),
                Description = $"A bearer token from the identity provider, for audience '{oidc.Audience}'; the Kiln role comes from claim '{oidc.RoleClaim}'.",
            };
            document.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(OidcScheme, document)] = [] });
        }

        return Task.CompletedTask;
    }
}
