using System.CommandLine;
using Kiln.Cli.Training;
using Kiln.Training.Data;

namespace Kiln.Cli.Commands;

/// <summary><c>kiln train</c>: a sweep of ML.NET models on a CSV/Parquet file, every trial a tracked run.</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "Training data: a .csv or .parquet file", Required = true };
        var label = new Option<string>("--label") { Description = "The column to predict", Required = true };
        var task = new Option<string?>("--task") { Description = "binary, multiclass or regression (default: inferred from the label)" };
        var algorithms = new Option<string?>("--algorithms") { Description = "Comma-separated: logreg, fasttree, lightgbm (default: all)" };
        var trials = new Option<int>("--trials") { Description = "Number of trials across the algorithms", DefaultValueFactory = _ => 6 };
        var experiment = new Option<string>("--experiment") { Description = "Experiment to log runs in", DefaultValueFactory = _ => "Default" };
        var exclude = new Option<string?>("--exclude-columns") { Description = "Comma-separated columns to leave out (e.g. leaky ones)" };
        var seed = new Option<int>("--seed") { Description = "Seed for the split and the trainers (same seed, same models)", DefaultValueFactory = _ => 1 };
        var register = new Option<string?>("--register") { Description = "Register the best trial as a new version of this model" };
        var alias = new Option<string?>("--alias") { Description = "With --register: point this alias at the new version" };
        var command = new Command("train", "Train a sweep of models; log every trial as a run; optionally register the best")
        {
            data, label, task, algorithms, trials, experiment, exclude, seed, register, alias,
        };
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            if (parse.GetValue(alias) is not null && parse.GetValue(register) is null)
            {
                throw new ArgumentException("--alias needs --register MODEL.");
            }

            if (parse.GetValue(trials) is < 1 or > 200)
            {
                throw new ArgumentException("--trials must be between 1 and 200.");
            }

            using var client = CommonOptions.CreateClient(parse);
            await TrainingSession.RunAsync(client, new TrainSettings
            {
                DataPath = parse.GetValue(data)!,
                Label = parse.GetValue(label)!,
                Task = parse.GetValue(task) is { } t ? TrainingTasks.Parse(t) : null,
                Algorithms = Split(parse.GetValue(algorithms)),
                Trials = parse.GetValue(trials),
                Experiment = parse.GetValue(experiment)!,
                ExcludeColumns = Split(parse.GetValue(exclude)) ?? [],
                Seed = parse.GetValue(seed),
                RegisterAs = parse.GetValue(register),
                Alias = parse.GetValue(alias),
            }, cancellationToken);
        }));
        return command;
    }

    private static string[]? Split(string? value) =>
        value?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
}
