using Kiln.Core.Security;
using Microsoft.AspNetCore.Authorization;

namespace Kiln.Server.Security;

/// <summary>One authorization policy per role; each admits that role and every stronger one.</summary>
internal static class KilnPolicies
{
    public const string Viewer = "kiln-viewer";
    public const string Predictor = "kiln-predictor";
    public const string Deployer = "kiln-deployer";
    public const string Admin = "kiln-admin";

    public static void Add(AuthorizationOptions options)
    {
        options.AddPolicy(Viewer, p => p.RequireAuthenticatedUser().RequireAssertion(c => c.User.HasAtLeast(KilnRole.Viewer)));
        options.AddPolicy(Predictor, p => p.RequireAuthenticatedUser().RequireAssertion(c => c.User.HasAtLeast(KilnRole.Predictor)));
        options.AddPolicy(Deployer, p => p.RequireAuthenticatedUser().RequireAssertion(c => c.User.HasAtLeast(KilnRole.Deployer)));
        options.AddPolicy(Admin, p => p.RequireAuthenticatedUser().RequireAssertion(c => c.User.HasAtLeast(KilnRole.Admin)));
    }
}
