using System.Net;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using Kiln.Server.Tests.Support;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Kiln.Server.Tests.Dashboard;

/// <summary>A cookie-keeping client of the dashboard that reads its HTML and submits its forms as a browser would.</summary>
internal sealed class DashboardClient : IDisposable
{
    private static readonly HtmlParser Parser = new();

    public DashboardClient(KilnAppFactory factory) =>
        Http = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    public HttpClient Http { get; }

    /// <summary>GETs a page; the status and the parsed document.</summary>
    public async Task<(HttpStatusCode Status, IDocument Page, HttpResponseMessage Response)> GetAsync(string path)
    {
        var response = await Http.GetAsync(path);
        return (response.StatusCode, Parser.ParseDocument(await response.Content.ReadAsStringAsync()), response);
    }

    /// <summary>Signs in through the sign-in form; the response (a redirect on success).</summary>
    public async Task<HttpResponseMessage> SignInAsync(string key, string returnUrl = "/")
    {
        var path = "/sign-in?returnUrl=" + Uri.EscapeDataString(returnUrl);
        var (_, page, _) = await GetAsync(path);
        return await SubmitAsync(path, page, "sign-in", new() { ["Key"] = key });
    }

    /// <summary>Submits the form named <paramref name="handler"/> of <paramref name="page"/> (its antiforgery token included) with <paramref name="fields"/>.</summary>
    public Task<HttpResponseMessage> SubmitAsync(string path, IDocument page, string handler, Dictionary<string, string> fields) =>
        PostAsync(path, handler, Token(page), fields);

    /// <summary>POSTs a form as-is: a forged or replayed submission.</summary>
    public Task<HttpResponseMessage> PostAsync(string path, string handler, string? token, Dictionary<string, string> fields)
    {
        var values = new Dictionary<string, string>(fields) { ["_handler"] = handler };
        if (token is not null)
        {
            values["__RequestVerificationToken"] = token;
        }

        return Http.PostAsync(path, new FormUrlEncodedContent(values));
    }

    /// <summary>The page's antiforgery token (every form on a page carries the same one).</summary>
    public static string? Token(IDocument page) =>
        page.QuerySelector("input[name=__RequestVerificationToken]")?.GetAttribute("value");

    public static string Text(IDocument page, string selector) =>
        page.QuerySelector(selector)?.TextContent.Trim() ?? throw new InvalidOperationException($"No element matches '{selector}' in:\n{page.Body?.OuterHtml}");

    public void Dispose() => Http.Dispose();
}
