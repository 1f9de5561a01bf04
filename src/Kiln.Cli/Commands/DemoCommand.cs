using System.CommandLine;
using Kiln.Cli.Output;
using Kiln.Training.Demo;
using Spectre.Console;

namespace Kiln.Cli.Commands;

/// <summary><c>kiln demo data</c>: synthetic rows with the UCI Bank Marketing schema.</summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var rows = new Option<int>("--rows") { Description = "How many rows", DefaultValueFactory = _ => 45211 };
        var seed = new Option<int>("--seed") { Description = "Random seed (same seed, same rows)", DefaultValueFactory = _ => 0 };
        var drift = new Option<double>("--drift") { Description = "Shift the distributions as a new customer segment would (0 = none, 1 = strong)", DefaultValueFactory = _ => 0 };
        var output = new Option<string>("--output", "-o") { Description = "CSV file to write", Required = true };
        var data = new Command("data", "Write synthetic Bank Marketing rows (bank-full.csv columns, label y) to a CSV file") { rows, seed, drift, output };
        data.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(() =>
        {
            if (parse.GetValue(rows) < 1 || parse.GetValue(drift) < 0)
            {
                throw new ArgumentException("--rows must be at least 1 and --drift at least 0.");
            }

            var path = BankMarketingGenerator.WriteFile(parse.GetValue(output)!, parse.GetValue(rows), parse.GetValue(seed), parse.GetValue(drift));
            CommandOutput.Info($"[green]Wrote[/] {parse.GetValue(rows)} rows to {Markup.Escape(path)}");
            return Task.CompletedTask;
        }));
        var command = new Command("demo", "Demo data for trying Kiln");
        command.Subcommands.Add(data);
        return command;
    }
}
