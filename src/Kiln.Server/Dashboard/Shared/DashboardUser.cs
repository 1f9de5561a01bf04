using System.Security.Claims;
using Kiln.Core.Security;
using Kiln.Server.Security;

namespace Kiln.Server.Dashboard.Shared;

/// <summary>Who is looking at the dashboard: the name and role of the key they signed in with.</summary>
internal static class DashboardUser
{
    public static KilnRole Role(ClaimsPrincipal user) => KilnClaims.RoleOf(user);

    public static bool May(ClaimsPrincipal user, KilnRole needed) => Role(user) >= needed;

    public static string Name(ClaimsPrincipal user) => user.Identity?.Name ?? "anonymous";
}
