using System.Globalization;
using System.Runtime.ExceptionServices;
using Kiln.Core;
using Kiln.Training.Data;
using Kiln.Training.Packaging;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Kiln.Training.Training;

/// <summary>
/// Trains a sweep of ML.NET models on a tabular file: loads and profiles the data, splits it, then
/// trains the planned trials (one thread each, side by side), evaluates each on the validation
/// split, saves each as an mlnet package, and ranks them by the task's primary metric.
/// </summary>
public sealed class SweepTrainer
{
    private readonly TimeProvider _time;

    public SweepTrainer(TimeProvider? time = null) => _time = time ?? TimeProvider.System;

    public async Task<SweepResult> RunAsync(SweepOptions options, IProgress<TrialProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var started = _time.GetTimestamp();
        var algorithms = SweepAlgorithms.Normalize(options.Algorithms);
        var exclude = Validate(options);

        var digest = DatasetInfo.DigestAsync(options.DataPath, cancellationToken);
        var data = await TabularReader.LoadAsync(options.DataPath, exclude, cancellationToken).ConfigureAwait(false);
        if (!data.TryGetColumn(options.Label, out var labelColumn))
        {
            throw KilnException.Invalid("label", $"'{options.Label}' is not a column of the data (it has {string.Join(", ", data.Columns.Select(c => c.Name))}).");
        }

        var features = new FeatureSet(data.Columns.Where(c => c != labelColumn).ToArray());
        if (features.All.Length == 0)
        {
            throw KilnException.Invalid("data", "has no feature columns besides the label.");
        }

        var label = LabelInfo.Resolve(labelColumn, options.Task);
        var labels = label.Encode(labelColumn);
        var split = DataSplit.Create(labels, label.Task, options.ValidationFraction, options.Seed);
        var trainingRows = split.Training.Select(p => labels.Rows[p]).ToArray();
        var validationRows = split.Validation.Select(p => labels.Rows[p]).ToArray();
        var dataset = new DatasetInfo(
            Path.GetFileName(options.DataPath), await digest.ConfigureAwait(false), Path.GetFullPath(options.DataPath), DatasetInfo.SchemaJson(data),
            DataProfiler.Profile(features.All, trainingRows), data.Rows, trainingRows.Length, validationRows.Length);
        var schema = new TrainingSchema(features.All.Select(c => new FeatureColumn(c.Name, c.Kind, c.Missing)).ToArray(), label, exclude);

        var ml = new MLContext(options.Seed);
        var session = await Task.Run(
            () => TrainingSession.Prepare(
                ml, features,
                TrainingViews.Create(ml, features, label, labels, split.Training),
                TrainingViews.Create(ml, features, label, labels, split.Validation),
                algorithms),
            cancellationToken).ConfigureAwait(false);
        var plans = HyperParameterSearch.Plan(algorithms, options.Trials, options.Seed);
        progress?.Report(new TrialProgress(SweepStage.Prepared, 0, plans.Count, null, string.Create(CultureInfo.InvariantCulture,
            $"{label.Task.ToName()} task on '{label.Column}': {trainingRows.Length} training rows, {validationRows.Length} validation rows, {features.Numeric.Length} numeric and {features.Categorical.Length} categorical features")));

        Directory.CreateDirectory(options.OutputDirectory);
        var context = new TrialContext(options, features, label, schema, dataset, ChooseExampleRows(features, validationRows), TrainingViews.InputSchema(features));
        var results = new TrialResult[plans.Count];
        var completed = 0;
        var parallel = new ParallelOptions
        {
            MaxDegreeOfParallelism = options.MaxParallelTrials > 0 ? options.MaxParallelTrials : Environment.ProcessorCount,
            CancellationToken = cancellationToken,
        };
        await Task.Run(
            () =>
            {
                try
                {
                    Parallel.For(0, plans.Count, parallel, i =>
                    {
                        results[i] = RunTrial(plans[i], session.For(plans[i].Algorithm), context, cancellationToken);
                        var done = Interlocked.Increment(ref completed);
                        progress?.Report(new TrialProgress(SweepStage.TrialCompleted, done, plans.Count, results[i], Describe(results[i], label.Task)));
                    });
                }
                catch (AggregateException e) when (e.InnerExceptions.Count > 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    ExceptionDispatchInfo.Throw(e.InnerExceptions[0]);
                }
            },
            cancellationToken).ConfigureAwait(false);

        var primary = TrialMetrics.Primary(label.Task);
        var higherIsBetter = TrialMetrics.HigherIsBetter(label.Task);
        var ranked = results.OrderBy(r => Rank(r, primary, higherIsBetter)).ThenBy(r => r.Index).ToArray();
        return new SweepResult(ranked, primary, higherIsBetter, schema, dataset, _time.GetElapsedTime(started))
        {
            Data = data,
            ValidationRows = validationRows,
        };
    }

    private TrialResult RunTrial(TrialPlan plan, PreparedFeatures prepared, TrialContext context, CancellationToken cancellationToken)
    {
        // ML.NET offers no public way to stop a Fit, so cancellation takes effect between trials.
        cancellationToken.ThrowIfCancellationRequested();
        var ml = new MLContext(context.Options.Seed);
        var trainer = TrainerFactory.Create(ml, plan, context.Label.Task, context.Options.Seed);
        var started = _time.GetTimestamp();
        var model = trainer.Fit(prepared.Training);
        var trainingTime = _time.GetElapsedTime(started);
        var metrics = TrialMetrics.Evaluate(ml, model.Transform(prepared.Validation), context.Label.Task);
        metrics[TrialMetrics.TrainingTimeSeconds] = Math.Round(trainingTime.TotalSeconds, 3);

        var directory = Path.Combine(context.Options.OutputDirectory, string.Create(CultureInfo.InvariantCulture, $"trial-{plan.Index:D2}-{plan.Algorithm}"));
        Directory.CreateDirectory(directory);
        var chain = new TransformerChain<ITransformer>(prepared.Featurizer, model);
        ml.Model.Save(chain, context.InputSchema, Path.Combine(directory, MlNetPackage.ModelFile));

        var parameters = plan.Parameters;
        var metadata = new Dictionary<string, string>(parameters, StringComparer.Ordinal)
        {
            ["task"] = context.Label.Task.ToName(),
            ["label"] = context.Label.Column,
            ["trial"] = plan.Index.ToString(CultureInfo.InvariantCulture),
            ["dataset"] = context.Dataset.Name,
            ["dataset_digest"] = context.Dataset.Digest,
        };
        var manifest = PackageBuilder.Manifest(context.Features, context.Label, context.ExampleRows, context.Dataset.Profile, metrics, metadata);
        MlNetPackage.WriteManifest(directory, manifest);
        return new TrialResult(plan.Index, plan.Algorithm, parameters, metrics, trainingTime, directory, manifest);
    }

    private static string[] Validate(SweepOptions options)
    {
        ArgumentException.ThrowIfNullOrEmpty(options.DataPath);
        ArgumentException.ThrowIfNullOrEmpty(options.OutputDirectory);
        if (string.IsNullOrWhiteSpace(options.Label))
        {
            throw KilnException.Invalid("label", "is required.");
        }

        if (options.Trials < 1)
        {
            throw KilnException.Invalid("trials", $"is {options.Trials}; a sweep needs at least one trial.");
        }

        var exclude = options.ExcludeColumns.Select(c => c.Trim()).Where(c => c.Length > 0).Distinct(StringComparer.Ordinal).ToArray();
        if (exclude.Contains(options.Label, StringComparer.Ordinal))
        {
            throw KilnException.Invalid("excludeColumns", $"names the label '{options.Label}'.");
        }

        return exclude;
    }

    /// <summary>Up to two validation rows with every feature present (the input example); any rows if none are complete.</summary>
    private static int[] ChooseExampleRows(FeatureSet features, int[] validationRows)
    {
        var complete = validationRows.Where(r => features.All.All(c => !c.IsMissing(r))).Take(2).ToArray();
        return complete.Length > 0 ? complete : validationRows.Take(2).ToArray();
    }

    private static double Rank(TrialResult result, string primary, bool higherIsBetter) =>
        result.Metrics.TryGetValue(primary, out var value) ? (higherIsBetter ? -value : value) : double.PositiveInfinity;

    private static string Describe(TrialResult result, TrainingTask task)
    {
        var primary = TrialMetrics.Primary(task);
        var score = result.Metrics.TryGetValue(primary, out var value) ? value.ToString("0.0000", CultureInfo.InvariantCulture) : "n/a";
        return string.Create(CultureInfo.InvariantCulture, $"trial {result.Index} {result.Algorithm}: {primary} {score} in {result.TrainingTime.TotalSeconds:0.0}s");
    }

    private sealed record TrialContext(
        SweepOptions Options, FeatureSet Features, LabelInfo Label, TrainingSchema Schema, DatasetInfo Dataset, int[] ExampleRows, DataViewSchema InputSchema);
}
