using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authorization;

namespace Kiln.Server.Dashboard;

/// <summary><c>POST /sign-out</c>: forgets the dashboard session (the form carries an antiforgery token).</summary>
internal static class SignOutEndpoint
{
    public static IEndpointRouteBuilder MapSignOut(this IEndpointRouteBuilder app)
    {
        app.MapPost("/sign-out", SignOutAsync).ExcludeFromDescription().WithMetadata(new AllowAnonymousAttribute()).DisableAntiforgery();
        return app;
    }

    private static async Task<IResult> SignOutAsync(HttpContext context, IAntiforgery antiforgery)
    {
        if (!await antiforgery.IsRequestValidAsync(context))
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The sign-out form's antiforgery token is missing or invalid; reload the page and try again.");
        }

        DashboardSession.SignOut(context);
        return Results.Redirect("/sign-in");
    }
}
