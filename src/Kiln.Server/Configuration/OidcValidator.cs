using Kiln.Core.Security;

namespace Kiln.Server.Configuration;

/// <summary>Checks <c>Kiln:Auth:Oidc</c>: an absolute issuer URL (https unless allowed), an audience, role names that exist.</summary>
internal static class OidcValidator
{
    public static void Validate(OidcOptions oidc, List<string> errors)
    {
        if (!oidc.Enabled)
        {
            return;
        }

        if (!Uri.TryCreate(oidc.Authority, UriKind.Absolute, out var authority) || authority.Scheme is not ("https" or "http"))
        {
            errors.Add("Kiln:Auth:Oidc:Authority must be the identity provider's absolute URL (https://…).");
        }
        else if (authority.Scheme == "http" && oidc.RequireHttpsMetadata)
        {
            errors.Add("Kiln:Auth:Oidc:Authority must be https:// (or set RequireHttpsMetadata to false for a provider on this machine).");
        }

        if (string.IsNullOrWhiteSpace(oidc.Audience))
        {
            errors.Add("Kiln:Auth:Oidc:Audience is required: the audience tokens for Kiln are issued for.");
        }

        if (string.IsNullOrWhiteSpace(oidc.RoleClaim))
        {
            errors.Add("Kiln:Auth:Oidc:RoleClaim must name a claim.");
        }

        foreach (var (value, role) in oidc.RoleMap)
        {
            if (!Enum.TryParse<KilnRole>(role, ignoreCase: true, out _))
            {
                errors.Add($"Kiln:Auth:Oidc:RoleMap:{value} must be viewer, predictor, deployer or admin, not '{role}'.");
            }
        }
    }
}
