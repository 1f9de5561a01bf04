namespace Kiln.Server.Dashboard;

/// <summary>
/// Headers every dashboard page carries: no framing (so its buttons cannot be clickjacked), scripts, styles and images
/// from this server only, and no referrer leaking page addresses to other sites. (No form-action: with it, Chromium
/// left some of the pages' own form posts hanging in the browser tests; the cause is not found yet.)
/// </summary>
internal static class DashboardSecurityHeaders
{
    /// <summary>
    /// <c>style-src 'unsafe-inline'</c> covers the style attributes of the chart legends' colour swatches; there is no
    /// inline script, so scripts stay <c>'self'</c> only.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; " +
        "frame-ancestors 'none'; base-uri 'self'; object-src 'none'";

    public static IApplicationBuilder UseDashboardSecurityHeaders(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            if (context.GetEndpoint()?.Metadata.GetMetadata<DashboardEndpointMetadata>() is not null)
            {
                var headers = context.Response.Headers;
                headers.ContentSecurityPolicy = ContentSecurityPolicy;
                headers.XFrameOptions = "DENY";
                headers.XContentTypeOptions = "nosniff";
                headers["Referrer-Policy"] = "same-origin";
            }

            return next(context);
        });
}
