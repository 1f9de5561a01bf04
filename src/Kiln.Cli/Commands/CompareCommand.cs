using System.CommandLine;
using System.Globalization;
using Kiln.Cli.Output;
using Kiln.Core.Api;
using Kiln.Core.Serialization;
using Spectre.Console;

namespace Kiln.Cli.Commands;

/// <summary><c>kiln compare DEPLOYMENT</c>: champion vs challenger on labelled traffic, with intervals, p-values and the labels still needed.</summary>
internal static class CompareCommand
{
    public static Command Create()
    {
        var deployment = new Argument<string>("deployment");
        var since = new Option<string?>("--since") { Description = "Start: ISO 8601 time or a duration before now (default 1d)" };
        var until = new Option<string?>("--until") { Description = "End: ISO 8601 time or a duration before now (default: now)" };
        var champion = new Option<int?>("--champion") { Description = "The champion's model version (default: the primary with the most traffic)" };
        var challenger = new Option<int?>("--challenger") { Description = "The challenger's model version (default: the canary, another primary or the shadow)" };
        var command = new Command("compare", "Champion vs challenger of a deployment on labelled traffic: accuracy and AUC, their difference and its significance")
        {
            deployment, since, until, champion, challenger,
        };
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            using var client = CommonOptions.CreateClient(parse);
            var report = await client.CompareAsync(
                parse.GetValue(deployment)!, parse.GetValue(since), parse.GetValue(until), parse.GetValue(champion), parse.GetValue(challenger), cancellationToken);
            if (parse.GetValue(CommonOptions.Output) == OutputFormat.Json)
            {
                CommandOutput.Json(report, KilnJsonContext.Default.ComparisonReport);
                return;
            }

            var table = new Table().AddColumns("", "Variant", "Model", "Labelled", "Accuracy [95% CI]", "AUC [95% CI]");
            foreach (var (title, v) in new[] { ("champion", report.Champion), ("challenger", report.Challenger) })
            {
                table.AddRow(
                    title, Markup.Escape(v.Variant), Markup.Escape($"{v.Model}/{v.ModelVersion}"), v.Labelled.ToString("N0", CultureInfo.InvariantCulture),
                    Interval(v.Accuracy, v.AccuracyLower, v.AccuracyUpper), Interval(v.Auc, v.AucLower, v.AucUpper));
            }

            CommandOutput.Info($"Champion vs challenger on [bold]{Markup.Escape(report.Deployment)}[/] from {report.Since:u} to {report.Until:u}");
            CommandOutput.Table(table);
            CommandOutput.Info(Difference("Accuracy", report.AccuracyDifference, "two-proportion z-test"));
            if (report.AucDifference is { } auc)
            {
                CommandOutput.Info(Difference("AUC", auc, "DeLong"));
            }

            if (report.RequiredLabelsPerVariant is { } required)
            {
                CommandOutput.Info($"Labels per variant to detect this difference (α 0.05, power 0.8): {required:N0}" +
                    (report.AdditionalLabelsPerVariant is > 0 and var more ? $", {more:N0} more than the smaller variant has" : ""));
            }

            CommandOutput.Info($"{(report.Significant ? "[green]Verdict[/]" : "[yellow]Verdict[/]")}: {Markup.Escape(report.Verdict)}");
        }));
        return command;
    }

    private static string Interval(double? value, double? lower, double? upper) => value is not { } v
        ? "-"
        : lower is { } lo && upper is { } hi
            ? string.Create(CultureInfo.InvariantCulture, $"{v:0.0000} [{lo:0.0000}, {hi:0.0000}]")
            : v.ToString("0.0000", CultureInfo.InvariantCulture);

    private static string Difference(string metric, DifferenceView d, string test)
    {
        var p = d.PValue < 0.0001 ? "p < 0.0001" : string.Create(CultureInfo.InvariantCulture, $"p = {d.PValue:0.0000}");
        var color = d.PValue < 0.05 ? "bold" : "dim";
        return string.Create(CultureInfo.InvariantCulture, $"{metric} difference (challenger − champion): {d.Estimate:+0.0000;-0.0000;0} [{d.Lower:+0.0000;-0.0000;0}, {d.Upper:+0.0000;-0.0000;0}], [{color}]{p}[/] ({test})");
    }
}
