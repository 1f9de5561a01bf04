using Kiln.Storage;
using Microsoft.AspNetCore.DataProtection;

namespace Kiln.Server.Dashboard;

internal static class DashboardServiceCollectionExtensions
{
    /// <summary>
    /// The dashboard: Razor components rendered on the server (static SSR, no circuit), and the Data Protection key ring
    /// (session cookies, antiforgery tokens) kept in Kiln's database so that every replica reads the others' cookies.
    /// </summary>
    public static IServiceCollection AddKilnDashboard(this IServiceCollection services)
    {
        services.AddRazorComponents();
        services.AddDataProtection().SetApplicationName("Kiln").PersistKeysToDbContext<KilnDbContext>();
        services.AddAntiforgery(options =>
        {
            options.Cookie.Name = "kiln_antiforgery";
            options.Cookie.SameSite = SameSiteMode.Strict;
        });
        services.AddSingleton<DashboardSession>();
        services.AddSingleton<DashboardAssets>();
        return services;
    }
}
