using System.Globalization;
using Kiln.Core.Api;
using Kiln.Core.Deployments;
using Spectre.Console;

namespace Kiln.Cli.Output;

/// <summary>How a deployment's variants read to people: one line (<c>bank/3 90% · canary bank/4 10% · shadow bank/5 (20%)</c>) or a table.</summary>
internal static class VariantText
{
    /// <summary>Every variant in the server's order, as plain text (escape before using it as markup).</summary>
    public static string Summary(IEnumerable<DeploymentVariant> variants) => string.Join(" · ", variants.Select(One));

    public static string One(DeploymentVariant variant) => variant.Role switch
    {
        VariantRole.Shadow => $"shadow {variant.ModelName}/{variant.ModelVersion} ({Percent(variant.ShadowSample)})",
        VariantRole.Canary => $"canary {variant.ModelName}/{variant.ModelVersion} {variant.Weight}%",
        _ => $"{variant.ModelName}/{variant.ModelVersion} {variant.Weight}%",
    };

    public static string Percent(double share) => (share * 100).ToString("0.#", CultureInfo.InvariantCulture) + "%";

    public static string Role(VariantRole role) => role switch
    {
        VariantRole.Canary => "[yellow]canary[/]",
        VariantRole.Shadow => "[grey]shadow[/]",
        _ => "primary",
    };

    public static Table Table(IEnumerable<DeploymentVariant> variants, IReadOnlyList<VariantTraffic>? traffic = null)
    {
        // Shadows serve no traffic: their column is the share of requests they get a copy of.
        var table = new Table().AddColumns("Variant", "Role", "Model", "Version", "Requested", "Weight", "Shadow sample");
        if (traffic is not null)
        {
            table.AddColumns("Requests (5 min)", "5xx", "p99");
        }

        foreach (var v in variants)
        {
            string[] cells =
            [
                Markup.Escape(v.Name), Role(v.Role), Markup.Escape(v.ModelName), v.ModelVersion.ToString(CultureInfo.InvariantCulture), Markup.Escape(v.Requested),
                v.Role == VariantRole.Shadow ? "" : v.Weight.ToString(CultureInfo.InvariantCulture) + "%", v.Role == VariantRole.Shadow ? Percent(v.ShadowSample) : "",
            ];
            if (traffic?.FirstOrDefault(t => t.Variant == v.Name) is { } live)
            {
                cells = [.. cells, live.Requests.ToString("N0", CultureInfo.InvariantCulture), (live.ErrorRate * 100).ToString("0.##", CultureInfo.InvariantCulture) + "%",
                    live.P99Ms is { } p99 ? p99.ToString("0.###", CultureInfo.InvariantCulture) + " ms" : ""];
            }
            else if (traffic is not null)
            {
                cells = [.. cells, "", "", ""];
            }

            table.AddRow(cells);
        }

        return table;
    }

    /// <summary>The result of a change: what the deployment serves now, its revision and status; every variant in a table when there are several.</summary>
    public static void Changed(string verb, DeploymentView view)
    {
        var d = view.Deployment;
        CommandOutput.Info($"[green]{verb}[/] {Markup.Escape(d.Name)} → {Markup.Escape(Summary(d.Variants))} (revision {d.Revision}, {Markup.Escape(view.Status)})");
        if (view.Error is { } error)
        {
            CommandOutput.Info($"[red]error:[/] {Markup.Escape(error)}");
        }

        if (d.Variants.Count > 1)
        {
            CommandOutput.Table(Table(d.Variants));
        }
    }
}
