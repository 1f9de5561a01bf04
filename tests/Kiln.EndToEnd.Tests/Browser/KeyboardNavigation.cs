using System.Text.Json;
using Microsoft.Playwright;
using Xunit.Sdk;

namespace Kiln.EndToEnd.Tests.Browser;

/// <summary>An element keyboard focus rests on: its tag, and its accessible role and name as Chromium computes them for screen readers.</summary>
public sealed record FocusStop(string Tag, string Role, string Name)
{
    public override string ToString() => $"{Role} \"{Name}\" <{Tag}>";
}

/// <summary>
/// Keyboard checks through the Chrome DevTools Protocol, which gives each element a stable id (to see focus come back
/// round) and Chromium's own accessible role and name (the ones a screen reader announces).
/// </summary>
public static class KeyboardNavigation
{
    /// <summary>
    /// What a user should reach with Tab: links, buttons, form fields and anything given a tab index of 0 or more
    /// (a negative tab index takes an element out of the tab order on purpose, e.g. a skip link's target).
    /// </summary>
    private const string Controls = "a[href], area[href], button, input:not([type=hidden]), select, textarea, summary, iframe, [tabindex]:not([tabindex^='-']), [contenteditable=''], [contenteditable='true']";

    /// <summary>
    /// Presses Tab until focus comes back to the first element it reached and returns every stop in order, starting where
    /// focus is (the top of a freshly loaded page). Fails when focus never comes back: a keyboard trap.
    /// </summary>
    public static async Task<IReadOnlyList<FocusStop>> TabOrderAsync(this BrowserPage page, int maxPresses = 300)
    {
        var cdp = await page.Page.Context.NewCDPSessionAsync(page.Page);
        try
        {
            return [.. (await TabRoundAsync(page.Page, cdp, maxPresses)).Select(e => e.Stop)];
        }
        finally
        {
            await cdp.DetachAsync();
        }
    }

    /// <summary>The visible, enabled links, buttons and form fields that Tab never reaches (empty when every one is).</summary>
    public static async Task<IReadOnlyList<FocusStop>> UnreachableByKeyboardAsync(this BrowserPage page, int maxPresses = 300)
    {
        var cdp = await page.Page.Context.NewCDPSessionAsync(page.Page);
        try
        {
            var reached = (await TabRoundAsync(page.Page, cdp, maxPresses)).Select(e => e.Id).ToHashSet();
            var controls = await EvaluateAsync(cdp, $"[...document.querySelectorAll({JsonSerializer.Serialize(Controls)})]");
            var properties = await cdp.SendAsync("Runtime.getProperties", new() { ["objectId"] = controls!, ["ownProperties"] = true });
            var unreachable = new List<FocusStop>();
            foreach (var property in properties!.Value.GetProperty("result").EnumerateArray())
            {
                if (property.GetProperty("value").TryGetProperty("objectId", out var element) && int.TryParse(property.GetProperty("name").GetString(), out _))
                {
                    var control = await DescribeAsync(cdp, element.GetString()!);
                    if (control.Operable && !reached.Contains(control.Id))
                    {
                        unreachable.Add(control.Stop);
                    }
                }
            }

            return unreachable;
        }
        finally
        {
            await cdp.DetachAsync();
        }
    }

    private static async Task<List<Element>> TabRoundAsync(IPage page, ICDPSession cdp, int maxPresses)
    {
        var round = new List<Element>();
        var outside = 0;
        for (var press = 0; press < maxPresses; press++)
        {
            await page.Keyboard.PressAsync("Tab");
            var focused = await EvaluateAsync(cdp, "document.activeElement === document.body ? null : document.activeElement");
            if (focused is null)
            {
                // Past the last element focus leaves the page for the browser's own UI, then comes back to the first.
                if (++outside > 2 && round.Count == 0)
                {
                    return round;
                }

                continue;
            }

            var element = await DescribeAsync(cdp, focused);
            if (round.Count > 0 && round[0].Id == element.Id)
            {
                return round;
            }

            round.Add(element);
        }

        throw new XunitException($"Focus did not come back to the first element after {maxPresses} Tab presses (a keyboard trap?). Stops: "
            + string.Join(", ", round.Take(30).Select(e => e.Stop)));
    }

    /// <summary>The remote object id of an expression's value, or null when it is null.</summary>
    private static async Task<string?> EvaluateAsync(ICDPSession cdp, string expression)
    {
        var evaluated = await cdp.SendAsync("Runtime.evaluate", new() { ["expression"] = expression });
        return evaluated!.Value.GetProperty("result").TryGetProperty("objectId", out var id) ? id.GetString() : null;
    }

    private static async Task<Element> DescribeAsync(ICDPSession cdp, string objectId)
    {
        var node = (await cdp.SendAsync("DOM.describeNode", new() { ["objectId"] = objectId }))!.Value.GetProperty("node");
        var id = node.GetProperty("backendNodeId").GetInt64();
        var tree = await cdp.SendAsync("Accessibility.getPartialAXTree", new() { ["objectId"] = objectId, ["fetchRelatives"] = false });
        var own = tree!.Value.GetProperty("nodes").EnumerateArray()
            .First(n => n.TryGetProperty("backendDOMNodeId", out var dom) && dom.GetInt64() == id);
        var ignored = own.TryGetProperty("ignored", out var ignoredValue) && ignoredValue.GetBoolean();
        var disabled = own.TryGetProperty("properties", out var properties)
            && properties.EnumerateArray().Any(p => p.GetProperty("name").GetString() == "disabled" && p.GetProperty("value").GetProperty("value").GetBoolean());
        var stop = new FocusStop(node.GetProperty("localName").GetString() ?? "", AxValue(own, "role"), AxValue(own, "name"));
        return new Element(id, stop, Operable: !ignored && !disabled);
    }

    private static string AxValue(JsonElement node, string property) =>
        node.TryGetProperty(property, out var value) && value.TryGetProperty("value", out var text) ? text.ToString() : "";

    private readonly record struct Element(long Id, FocusStop Stop, bool Operable);
}
