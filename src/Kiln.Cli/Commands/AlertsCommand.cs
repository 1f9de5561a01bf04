using Kiln.Core;
using System.CommandLine;
using System.Globalization;
using Kiln.Cli.Output;
using Kiln.Core.Monitoring.Alerts;
using Kiln.Core.Serialization;
using Spectre.Console;

namespace Kiln.Cli.Commands;

/// <summary><c>kiln alerts list|rules|create|delete|history</c>: alert states, rules and their history.</summary>
internal static class AlertsCommand
{
    private static readonly TimeSpan RecentlyResolved = TimeSpan.FromHours(1);

    public static Command Create()
    {
        var command = new Command("alerts", "Alerts: what fires now, the rules, and the history of changes");
        command.Subcommands.Add(CreateList());
        command.Subcommands.Add(CreateRules());
        command.Subcommands.Add(CreateCreate());
        command.Subcommands.Add(CreateDelete());
        command.Subcommands.Add(CreateHistory());
        return command;
    }

    private static Command CreateList()
    {
        var deployment = new Option<string?>("--deployment", "-d") { Description = "Only this deployment's alerts" };
        var all = new Option<bool>("--all") { Description = "Every (rule, deployment) pair, inactive and no-data ones too" };
        var list = new Command("list", "Firing and pending alerts, and those resolved in the last hour") { deployment, all };
        list.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            using var client = CommonOptions.CreateClient(parse);
            var states = await client.ListAlertsAsync(parse.GetValue(deployment), cancellationToken: cancellationToken);
            if (!parse.GetValue(all))
            {
                var cutoff = TimeProvider.System.GetUtcNow() - RecentlyResolved;
                states = states.Where(s => s.Status is AlertStatus.Firing or AlertStatus.Pending || s.Status == AlertStatus.Resolved && s.ResolvedAt >= cutoff).ToArray();
            }

            if (parse.GetValue(CommonOptions.Output) == OutputFormat.Json)
            {
                CommandOutput.Json(states, KilnJsonContext.Default.IReadOnlyListAlertState);
                return;
            }

            if (states.Count == 0)
            {
                CommandOutput.Info("[green]No alerts firing or pending.[/]");
                return;
            }

            var table = new Table().AddColumns("Status", "Alert", "Deployment", "Severity", "Value", "Threshold", "Since", "Description");
            foreach (var state in states.OrderBy(s => s.Status == AlertStatus.Firing ? 0 : s.Status == AlertStatus.Pending ? 1 : 2).ThenBy(s => s.Deployment, StringComparer.Ordinal))
            {
                table.AddRow(StatusMarkup(state.Status), Markup.Escape(state.RuleName), Markup.Escape(state.Deployment), AlertWireNames.Name(state.Severity),
                    state.Value is { } v ? v.ToString("0.####", CultureInfo.InvariantCulture) : "-", state.Threshold.ToString(CultureInfo.InvariantCulture),
                    Time(state.Since), Markup.Escape(state.Description));
            }

            CommandOutput.Table(table);
        }));
        return list;
    }

    private static Command CreateRules()
    {
        var rules = new Command("rules", "List alert rules (config rules are read-only)");
        rules.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            using var client = CommonOptions.CreateClient(parse);
            var list = await client.ListAlertRulesAsync(cancellationToken);
            if (parse.GetValue(CommonOptions.Output) == OutputFormat.Json)
            {
                CommandOutput.Json(list, KilnJsonContext.Default.IReadOnlyListAlertRule);
                return;
            }

            var table = new Table().AddColumns("Id", "Name", "Deployment", "Condition", "Window", "For", "Severity", "Source", "Enabled");
            foreach (var rule in list)
            {
                table.AddRow(Markup.Escape(rule.Id), Markup.Escape(rule.Name), Markup.Escape(rule.Deployment), Markup.Escape(Condition(rule)),
                    DurationText.Format(rule.Window), DurationText.Format(rule.For), AlertWireNames.Name(rule.Severity),
                    rule.Source == AlertRuleSource.Config ? "config" : "api", rule.Enabled ? "yes" : "no");
            }

            CommandOutput.Table(table);
        }));
        return rules;
    }

    private static Command CreateCreate()
    {
        var name = new Option<string>("--name") { Description = "The rule's name (the alertname label)", Required = true };
        var kind = new Option<string>("--kind") { Description = AlertWireNames.KindNames, Required = true };
        var threshold = new Option<double>("--threshold") { Description = "Compared with the signal: a share 0-1 for rates, milliseconds for latency_p99, the metric's value for quality", Required = true };
        var deployment = new Option<string?>("--deployment", "-d") { Description = "The deployment to watch (default: * for all)" };
        var comparison = new Option<string?>("--comparison") { Description = "gt, ge, lt or le (default suits the kind)" };
        var window = new Option<string?>("--window") { Description = "How far back the signal looks, e.g. 5m (default 5m for traffic, 1h otherwise)" };
        var forDuration = new Option<string?>("--for") { Description = "How long the condition must hold before firing, e.g. 1m (default: at once)" };
        var metric = new Option<string?>("--metric") { Description = "The quality metric for quality and quality_drop: accuracy, auc, f1, rmse…" };
        var feature = new Option<string?>("--feature") { Description = "The feature for feature_drift" };
        var severity = new Option<string?>("--severity") { Description = "info, warning (default) or critical" };
        var webhook = new Option<string[]>("--webhook") { Description = "A webhook URL for this rule (repeatable)" };
        var description = new Option<string?>("--description") { Description = "Free text sent with notifications" };
        var create = new Command("create", "Create an alert rule")
        {
            name, kind, threshold, deployment, comparison, window, forDuration, metric, feature, severity, webhook, description,
        };
        create.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            using var client = CommonOptions.CreateClient(parse);
            var request = new AlertRuleRequest(
                parse.GetValue(name), parse.GetValue(kind), parse.GetValue(threshold), parse.GetValue(deployment), parse.GetValue(comparison),
                parse.GetValue(window), parse.GetValue(forDuration), parse.GetValue(metric), parse.GetValue(feature), parse.GetValue(severity),
                Enabled: true, Webhooks: parse.GetValue(webhook), Description: parse.GetValue(description));
            var rule = await client.CreateAlertRuleAsync(request, cancellationToken);
            if (parse.GetValue(CommonOptions.Output) == OutputFormat.Json)
            {
                CommandOutput.Json(rule, KilnJsonContext.Default.AlertRule);
                return;
            }

            CommandOutput.Info($"[green]Created[/] alert rule {Markup.Escape(rule.Id)}: {Markup.Escape(rule.Name)} on {Markup.Escape(rule.Deployment)} when {Markup.Escape(Condition(rule))} over {DurationText.Format(rule.Window)}");
            Console.Out.WriteLine(rule.Id);
        }));
        return create;
    }

    private static Command CreateDelete()
    {
        var id = new Argument<string>("id") { Description = "The rule's id (from kiln alerts rules)" };
        var delete = new Command("delete", "Delete an alert rule; its firing alerts resolve") { id };
        delete.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            using var client = CommonOptions.CreateClient(parse);
            await client.DeleteAlertRuleAsync(parse.GetValue(id)!, cancellationToken);
            CommandOutput.Info($"[green]Deleted[/] alert rule {Markup.Escape(parse.GetValue(id)!)}");
        }));
        return delete;
    }

    private static Command CreateHistory()
    {
        var deployment = new Option<string?>("--deployment", "-d") { Description = "Only this deployment's changes" };
        var since = new Option<string?>("--since") { Description = "From this time (RFC 3339) or this long ago (1h, 2d)" };
        var limit = new Option<int?>("--limit") { Description = "At most this many changes (default 100)" };
        var history = new Command("history", "Alert status changes, newest first") { deployment, since, limit };
        history.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            using var client = CommonOptions.CreateClient(parse);
            var transitions = await client.ListAlertHistoryAsync(parse.GetValue(deployment), parse.GetValue(since), parse.GetValue(limit), cancellationToken);
            if (parse.GetValue(CommonOptions.Output) == OutputFormat.Json)
            {
                CommandOutput.Json(transitions, KilnJsonContext.Default.IReadOnlyListAlertTransition);
                return;
            }

            var table = new Table().AddColumns("Time", "Alert", "Deployment", "From", "To", "Description");
            foreach (var transition in transitions)
            {
                table.AddRow(Time(transition.At), Markup.Escape(transition.RuleName), Markup.Escape(transition.Deployment),
                    AlertWireNames.Name(transition.From), StatusMarkup(transition.To), Markup.Escape(transition.Description));
            }

            CommandOutput.Table(table);
        }));
        return history;
    }

    private static string Condition(AlertRule rule)
    {
        var subject = rule.Metric ?? rule.Feature ?? AlertWireNames.Name(rule.Kind);
        if (rule.Metric is not null || rule.Feature is not null)
        {
            subject = $"{AlertWireNames.Name(rule.Kind)}({subject})";
        }

        return $"{subject} {AlertWireNames.Symbol(rule.Comparison)} {rule.Threshold.ToString(CultureInfo.InvariantCulture)}";
    }

    private static string StatusMarkup(AlertStatus status) => status switch
    {
        AlertStatus.Firing => "[red]firing[/]",
        AlertStatus.Pending => "[yellow]pending[/]",
        AlertStatus.Resolved => "[green]resolved[/]",
        _ => AlertWireNames.Name(status),
    };

    private static string Time(DateTimeOffset time) => time.ToString("u", CultureInfo.InvariantCulture);
}
