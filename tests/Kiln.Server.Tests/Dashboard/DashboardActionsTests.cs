using Kiln.Core;
using Kiln.Core.Security;
using Kiln.Server.Dashboard.Shared;
using Kiln.Server.Security;
using Microsoft.AspNetCore.Http;

namespace Kiln.Server.Tests.Dashboard;

/// <summary>The server-side gate behind every dashboard button: the role is checked again, whatever the page showed.</summary>
public class DashboardActionsTests
{
    [Fact]
    public async Task RoleTooLow_Is403AndTheActionNeverRuns()
    {
        var context = new DefaultHttpContext { User = Someone(KilnRole.Viewer) };
        var ran = false;

        var message = await DashboardActions.RunAsync(context, KilnRole.Deployer, () => { ran = true; return Task.CompletedTask; });

        Assert.False(ran);
        Assert.Equal(StatusCodes.Status403Forbidden, context.Response.StatusCode);
        Assert.Equal("Your key's role (viewer) may not do this; it needs deployer or higher.", message);
    }

    [Fact]
    public async Task RefusedChange_BecomesItsStatusAndMessage()
    {
        var context = new DefaultHttpContext { User = Someone(KilnRole.Admin) };

        var message = await DashboardActions.RunAsync(context, KilnRole.Deployer, () => throw KilnException.Conflict("Another change came first."));

        Assert.Equal(StatusCodes.Status409Conflict, context.Response.StatusCode);
        Assert.Equal("Another change came first.", message);
    }

    [Fact]
    public async Task AllowedAction_Runs()
    {
        var context = new DefaultHttpContext { User = Someone(KilnRole.Deployer) };
        var ran = false;

        Assert.Null(await DashboardActions.RunAsync(context, KilnRole.Deployer, () => { ran = true; return Task.CompletedTask; }));
        Assert.True(ran);
    }

    private static System.Security.Claims.ClaimsPrincipal Someone(KilnRole role) =>
        KilnClaims.Principal(new ApiKeyInfo { Id = "k1", Name = "someone", Role = role, Prefix = "kiln_k1", CreatedAt = DateTimeOffset.UnixEpoch }, KilnSchemes.ApiKey);
}
