using System.CommandLine;
using System.Globalization;
using Kiln.Cli.Output;
using Kiln.Core.Serialization;
using Spectre.Console;

namespace Kiln.Cli.Commands;

/// <summary>
/// <c>kiln shadow DEPLOYMENT --model M/5 [--sample 0.2] | --remove | --report [--since 1h]</c>: mirror traffic to a version
/// whose answers are compared with the primary's, never returned.
/// </summary>
internal static class ShadowCommand
{
    public static Command Create()
    {
        var deployment = new Argument<string>("deployment");
        var model = new Option<string?>("--model", "-m") { Description = "The shadow version: NAME/VERSION, NAME@ALIAS or NAME (latest)" };
        var sample = new Option<double?>("--sample") { Description = "Share of requests copied to the shadow, in (0, 1] (default 1)" };
        var remove = new Option<bool>("--remove") { Description = "Remove the shadow" };
        var report = new Option<bool>("--report") { Description = "Show how the shadow agrees with the primary" };
        var since = new Option<string?>("--since") { Description = "With --report: ISO 8601 time or a duration before now (default 1h)" };
        var command = new Command("shadow", "Mirror a sample of requests to a shadow version, remove it, or report its agreement with the primary")
        {
            deployment, model, sample, remove, report, since,
        };
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            var name = parse.GetValue(deployment)!;
            var (shadowModel, removing, reporting) = (parse.GetValue(model), parse.GetValue(remove), parse.GetValue(report));
            if ((shadowModel is not null ? 1 : 0) + (removing ? 1 : 0) + (reporting ? 1 : 0) != 1)
            {
                throw new ArgumentException("Give exactly one of --model M/V (add or replace the shadow), --remove, or --report.");
            }

            if (parse.GetValue(sample) is { } share && !(share is > 0 and <= 1))
            {
                throw new ArgumentException($"--sample {share.ToString(CultureInfo.InvariantCulture)} is not a share in (0, 1]; e.g. 0.2 copies a fifth of requests.");
            }

            if (parse.GetValue(sample) is not null && shadowModel is null)
            {
                throw new ArgumentException("--sample goes with --model.");
            }

            if (parse.GetValue(since) is not null && !reporting)
            {
                throw new ArgumentException("--since goes with --report.");
            }

            using var client = CommonOptions.CreateClient(parse);
            var json = parse.GetValue(CommonOptions.Output) == OutputFormat.Json;
            if (reporting)
            {
                var windows = await client.GetShadowAsync(name, parse.GetValue(since), cancellationToken);
                if (json)
                {
                    CommandOutput.Json(windows, KilnJsonContext.Default.IReadOnlyListShadowWindow);
                    return;
                }

                if (windows.Count == 0)
                {
                    CommandOutput.Info($"No shadow answers for {Markup.Escape(name)} in the window; add one with `kiln shadow {Markup.Escape(name)} --model M/V` and send traffic.");
                    return;
                }

                var table = new Table().AddColumns("Shadow", "Since", "Rows", "Same label", "Mean score diff", "p05", "p50", "p95");
                foreach (var w in windows)
                {
                    table.AddRow(
                        Markup.Escape($"{w.Model}/{w.ModelVersion}"), w.Since.ToString("u", CultureInfo.InvariantCulture), w.Rows.ToString("N0", CultureInfo.InvariantCulture),
                        w.LabelAgreement?.ToString("P1", CultureInfo.InvariantCulture) ?? "", Number(w.MeanScoreDifference),
                        Number(w.ScoreDifferenceP05), Number(w.ScoreDifferenceP50), Number(w.ScoreDifferenceP95));
                }

                CommandOutput.Info($"Shadow agreement with the primary of [bold]{Markup.Escape(name)}[/]");
                CommandOutput.Table(table);
                return;
            }

            var view = removing
                ? await client.RemoveShadowAsync(name, cancellationToken)
                : await client.SetShadowAsync(name, shadowModel!, parse.GetValue(sample), cancellationToken);
            if (json)
            {
                CommandOutput.Json(view, KilnJsonContext.Default.DeploymentView);
                return;
            }

            VariantText.Changed(removing ? "Shadow removed from" : "Shadowing", view);
        }));
        return command;
    }

    private static string Number(double? value) => value?.ToString("+0.0000;-0.0000;0", CultureInfo.InvariantCulture) ?? "";
}
