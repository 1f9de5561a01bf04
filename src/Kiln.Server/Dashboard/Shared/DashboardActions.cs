using Kiln.Core;
using Kiln.Core.Errors;
using Kiln.Core.Security;

namespace Kiln.Server.Dashboard.Shared;

/// <summary>
/// Runs a dashboard form's action for the signed-in user: refuses it (403) when the key's role is too low,
/// whatever the page showed, and turns a refused change (400, 404, 409) into a message for the page.
/// </summary>
internal static class DashboardActions
{
    /// <returns>Null when the action ran; otherwise what to tell the user.</returns>
    public static async Task<string?> RunAsync(HttpContext context, KilnRole needed, Func<Task> action)
    {
        if (!DashboardUser.May(context.User, needed))
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return $"Your key's role ({DashboardUser.Role(context.User).ToString().ToLowerInvariant()}) may not do this; it needs {needed.ToString().ToLowerInvariant()} or higher.";
        }

        try
        {
            await action();
            return null;
        }
        catch (KilnException e)
        {
            context.Response.StatusCode = e.Kind switch
            {
                KilnErrorKind.NotFound => StatusCodes.Status404NotFound,
                KilnErrorKind.Conflict => StatusCodes.Status409Conflict,
                KilnErrorKind.NotReady => StatusCodes.Status503ServiceUnavailable,
                _ => StatusCodes.Status400BadRequest,
            };
            return e.Message;
        }
    }
}
