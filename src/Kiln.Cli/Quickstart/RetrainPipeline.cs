using System.Text.RegularExpressions;
using Kiln.Cli.Output;
using Kiln.Client;
using Spectre.Console;

namespace Kiln.Cli.Quickstart;

/// <summary>
/// The quickstart's closed loop: applies the shipped <c>examples/pipelines/bank-retrain.yaml</c>, whose trigger is the
/// quickstart's drift alert, so the drift episode starts a retraining run that ends in a canary decision.
/// </summary>
internal static partial class RetrainPipeline
{
    public const string Name = "bank-retrain";

    /// <summary>The file as shipped, with the given parameter defaults changed (the quickstart's short mode paces its canary faster).</summary>
    public static string Text(IReadOnlyDictionary<string, string> defaults)
    {
        using var stream = typeof(RetrainPipeline).Assembly.GetManifestResourceStream("bank-retrain.yaml")
            ?? throw new InvalidOperationException("The CLI was built without examples/pipelines/bank-retrain.yaml.");
        using var reader = new StreamReader(stream);
        var text = reader.ReadToEnd();
        foreach (var (name, value) in defaults)
        {
            var line = new Regex($"^(  {Regex.Escape(name)}: )[^#\\n]*?(\\s*(#.*)?)$", RegexOptions.Multiline);
            if (!line.IsMatch(text))
            {
                throw new InvalidOperationException($"bank-retrain.yaml has no parameter '{name}'.");
            }

            text = line.Replace(text, m => m.Groups[1].Value + value + m.Groups[2].Value, 1);
        }

        return text;
    }

    public static async Task ApplyAsync(KilnClient client, IReadOnlyDictionary<string, string> defaults, CancellationToken cancellationToken)
    {
        var result = await client.ApplyPipelineAsync(Text(defaults), cancellationToken);
        var pipeline = result.Pipeline;
        CommandOutput.Info($"[green]✓[/] Pipeline {Name} v{pipeline.Version} {(result.Created ? "applied" : "in place")}: "
            + $"{Markup.Escape(string.Join(" → ", pipeline.Steps.Select(s => s.Name)))}, started by {Markup.Escape(pipeline.Triggers[0].Description)}; "
            + $"follow it with `kiln pipelines runs {Name}`");
    }
}
