using Kiln.Core;
using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Kiln.Cli.Output;
using Kiln.Core.Api;
using Kiln.Core.Deployments;
using Kiln.Core.Monitoring;
using Kiln.Core.Serialization;
using Spectre.Console;

namespace Kiln.Cli.Commands;

/// <summary><c>kiln canary start|status|promote|abort</c>: a new version stepped up by automated analysis, or by hand.</summary>
internal static class CanaryCommand
{
    public static Command Create()
    {
        var command = new Command("canary", "Canary rollouts: start one, watch its analysis, promote or abort it");
        command.Subcommands.Add(CreateStart());
        command.Subcommands.Add(CreateStatus());
        command.Subcommands.Add(CreateAction("promote", "Promote the canary to primary now", "Promoted canary of", (c, d, r, t) => c.PromoteCanaryAsync(d, r, t)));
        command.Subcommands.Add(CreateAction("abort", "Remove the canary; the primary takes all traffic", "Aborted canary of", (c, d, r, t) => c.AbortCanaryAsync(d, r, t)));
        return command;
    }

    private static Command CreateStart()
    {
        var deployment = new Argument<string>("deployment");
        var model = new Option<string?>("--model", "-m") { Description = "The candidate: NAME/VERSION, NAME@ALIAS or NAME (required unless the policy file names it)" };
        var policy = new Option<string?>("--policy") { Description = "A JSON file shaped like the API's canary request; the options below override it" };
        var steps = new Option<string?>("--steps") { Description = "Canary percentages per step, rising to 100 (default 5,25,50,100)" };
        var interval = new Option<string?>("--interval") { Description = "Each step's length, e.g. 5m (default 5m)" };
        var minRequests = new Option<int?>("--min-requests") { Description = "The fewest canary requests in a step for a decision (default 100)" };
        var metric = new Option<string?>("--quality-metric") { Description = "Metric compared when labels exist: accuracy, roc_auc, f1, … or none (default accuracy)" };
        var manual = new Option<bool>("--manual") { Description = "No automated analysis: step only by hand (promote or abort)" };
        var alias = new Option<string?>("--promote-alias") { Description = "Alias to move to the canary's version on promotion, e.g. champion" };
        var command = new Command("start", "Start a canary of a new version beside the deployment's primary")
        {
            deployment, model, policy, steps, interval, minRequests, metric, manual, alias,
        };
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            var request = parse.GetValue(policy) is { } file ? await ReadPolicyAsync(file, cancellationToken) : new CanaryRequest(null);
            if (parse.GetValue(interval) is { } every && !DurationText.TryParse(every, out _))
            {
                throw new ArgumentException($"--interval '{every}' is not a duration; write a number and a unit, e.g. 30s, 5m or 1h.");
            }

            if (parse.GetValue(minRequests) is < 1)
            {
                throw new ArgumentException("--min-requests must be 1 or more.");
            }

            request = request with
            {
                Model = parse.GetValue(model) ?? request.Model
                    ?? throw new ArgumentException("--model is required (or a \"model\" in the --policy file), e.g. --model bank/4."),
                Steps = parse.GetValue(steps) is { } text ? ParseSteps(text) : request.Steps,
                Interval = parse.GetValue(interval) ?? request.Interval,
                MinRequests = parse.GetValue(minRequests) ?? request.MinRequests,
                QualityMetric = parse.GetValue(metric) ?? request.QualityMetric,
                Manual = parse.GetValue(manual) || request.Manual,
                PromoteAlias = parse.GetValue(alias) ?? request.PromoteAlias,
            };

            using var client = CommonOptions.CreateClient(parse);
            var view = await client.StartCanaryAsync(parse.GetValue(deployment)!, request, cancellationToken);
            if (parse.GetValue(CommonOptions.Output) == OutputFormat.Json)
            {
                CommandOutput.Json(view, KilnJsonContext.Default.DeploymentView);
                return;
            }

            VariantText.Changed("Canary started on", view);
            if (view.Deployment.Canary is { } canary)
            {
                CommandOutput.Info(canary.Automatic
                    ? $"Steps {string.Join(" → ", canary.Policy.Steps.Select(s => s + "%"))}, {DurationText.Format(canary.Policy.Interval)} each, judged automatically; watch with `kiln canary status {Markup.Escape(view.Deployment.Name)}`"
                    : $"Stepped by hand: `kiln canary promote {Markup.Escape(view.Deployment.Name)}` or `kiln canary abort {Markup.Escape(view.Deployment.Name)}`");
            }
        }));
        return command;
    }

    private static Command CreateStatus()
    {
        var deployment = new Argument<string>("deployment");
        var command = new Command("status", "The running canary: variants, step, and what its analysis says now") { deployment };
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            using var client = CommonOptions.CreateClient(parse);
            var status = await client.GetCanaryAsync(parse.GetValue(deployment)!, cancellationToken);
            if (parse.GetValue(CommonOptions.Output) == OutputFormat.Json)
            {
                CommandOutput.Json(status, KilnJsonContext.Default.CanaryStatus);
                return;
            }

            var rollout = status.Canary;
            var steps = rollout.Policy.Steps;
            CommandOutput.Info(
                $"Canary of [bold]{Markup.Escape(status.Deployment)}[/]: {Markup.Escape(Name(status.CanaryVariant))} beside {Markup.Escape(Name(status.PrimaryVariant))}, " +
                $"step {rollout.Step + 1}/{steps.Count} ({steps[rollout.Step]}%) since {rollout.StepStartedAt.ToString("u", CultureInfo.InvariantCulture)}, " +
                $"{(rollout.Automatic ? $"automated analysis every {DurationText.Format(rollout.Policy.Interval)}" : "stepped by hand")}" +
                (rollout.PromoteAlias is { } a ? $", moves @{Markup.Escape(a)} on promotion" : ""));
            var variants = new Table().AddColumns("Variant", "Role", "Model", "Weight");
            foreach (var v in new[] { status.PrimaryVariant, status.CanaryVariant })
            {
                variants.AddRow(Markup.Escape(v.Name), VariantText.Role(v.Role), Markup.Escape(Name(v)), v.Weight.ToString(CultureInfo.InvariantCulture) + "%");
            }

            CommandOutput.Table(variants);
            var color = status.Decision switch { "promote" => "green", "rollback" => "red", _ => "yellow" };
            CommandOutput.Info($"Decision now: [{color}]{Markup.Escape(status.Decision)}[/] — {Markup.Escape(status.Reason)}");
            var checks = new Table().AddColumns("Check", "Outcome", "Detail");
            foreach (var check in status.Checks)
            {
                var outcome = check.Outcome switch { "pass" => "[green]pass[/]", "fail" => "[red]fail[/]", _ => Markup.Escape(check.Outcome) };
                checks.AddRow(Markup.Escape(check.Check), outcome, Markup.Escape(check.Detail));
            }

            CommandOutput.Table(checks);
        }));
        return command;
    }

    private static Command CreateAction(string verb, string description, string done, Func<Client.KilnClient, string, string?, CancellationToken, Task<DeploymentView>> act)
    {
        var deployment = new Argument<string>("deployment");
        var reason = new Option<string?>("--reason") { Description = "Why (kept in the revision history)" };
        var command = new Command(verb, description) { deployment, reason };
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            using var client = CommonOptions.CreateClient(parse);
            var view = await act(client, parse.GetValue(deployment)!, parse.GetValue(reason), cancellationToken);
            if (parse.GetValue(CommonOptions.Output) == OutputFormat.Json)
            {
                CommandOutput.Json(view, KilnJsonContext.Default.DeploymentView);
                return;
            }

            VariantText.Changed(done, view);
        }));
        return command;
    }

    private static string Name(DeploymentVariant variant) => $"{variant.ModelName}/{variant.ModelVersion}";

    private static List<int> ParseSteps(string text)
    {
        var steps = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            steps.Add(int.TryParse(part.TrimEnd('%'), NumberStyles.None, CultureInfo.InvariantCulture, out var step) && step is >= 1 and <= 100
                ? step
                : throw new ArgumentException($"--steps: '{part}' is not a percentage from 1 to 100; e.g. --steps 5,25,50,100."));
        }

        return steps.Count > 0 && steps[^1] == 100 && steps.Zip(steps.Skip(1)).All(p => p.First < p.Second)
            ? steps
            : throw new ArgumentException("--steps must rise strictly and end at 100, e.g. --steps 5,25,50,100.");
    }

    private static async Task<CanaryRequest> ReadPolicyAsync(string file, CancellationToken cancellationToken)
    {
        await using var stream = File.OpenRead(file);
        try
        {
            return await JsonSerializer.DeserializeAsync(stream, KilnJsonContext.Default.CanaryRequest, cancellationToken)
                ?? throw new ArgumentException($"--policy {file} is empty (null); write a JSON object such as {{\"steps\": [10, 50, 100], \"interval\": \"2m\"}}.");
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"--policy {file} is not a canary policy (JSON with model, steps, interval, minRequests, qualityMetric, …): {e.Message}", e);
        }
    }
}
