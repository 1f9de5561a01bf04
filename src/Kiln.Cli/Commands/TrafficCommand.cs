using System.CommandLine;
using System.Globalization;
using Kiln.Cli.Output;
using Kiln.Core.Serialization;

namespace Kiln.Cli.Commands;

/// <summary><c>kiln traffic DEPLOYMENT --set 3=90,4=10</c>: an A/B split by fixed weights per model version.</summary>
internal static class TrafficCommand
{
    private const string Example = "e.g. --set 3=90,4=10 (model version = percent, together 100)";

    public static Command Create()
    {
        var deployment = new Argument<string>("deployment");
        var set = new Option<string>("--set") { Description = "Weights by model version: VERSION=PERCENT,… summing to 100, e.g. 3=90,4=10", Required = true };
        var reason = new Option<string?>("--reason") { Description = "Why (kept in the revision history)" };
        var command = new Command("traffic", "Split a deployment's traffic over model versions by fixed weights (A/B)") { deployment, set, reason };
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            var weights = ParseWeights(parse.GetValue(set)!);
            using var client = CommonOptions.CreateClient(parse);
            var view = await client.SetTrafficAsync(parse.GetValue(deployment)!, weights, parse.GetValue(reason), cancellationToken);
            if (parse.GetValue(CommonOptions.Output) == OutputFormat.Json)
            {
                CommandOutput.Json(view, KilnJsonContext.Default.DeploymentView);
                return;
            }

            VariantText.Changed("Traffic set", view);
        }));
        return command;
    }

    /// <summary>Parses <c>3=90,4=10</c>; checked here so a typo is explained before anything reaches the server.</summary>
    internal static IReadOnlyDictionary<int, int> ParseWeights(string text)
    {
        var weights = new Dictionary<int, int>();
        foreach (var pair in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = pair.Split('=', StringSplitOptions.TrimEntries);
            if (parts.Length != 2
                || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var version) || version < 1
                || !int.TryParse(parts[1].TrimEnd('%'), NumberStyles.None, CultureInfo.InvariantCulture, out var weight) || weight > 100)
            {
                throw new ArgumentException($"--set: '{pair}' is not VERSION=PERCENT; {Example}.");
            }

            if (!weights.TryAdd(version, weight))
            {
                throw new ArgumentException($"--set: version {version} is named twice; {Example}.");
            }
        }

        if (weights.Count == 0)
        {
            throw new ArgumentException($"--set: no weights given; {Example}.");
        }

        var total = weights.Values.Sum();
        return total == 100 ? weights : throw new ArgumentException($"--set: the weights add up to {total}, not 100; {Example}.");
    }
}
