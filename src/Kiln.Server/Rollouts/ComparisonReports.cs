using Kiln.Core;
using Kiln.Core.Api;
using Kiln.Core.Deployments;
using Kiln.Core.Monitoring;
using Kiln.Inference.Serving;
using Kiln.Monitoring.PredictionLog;
using Kiln.Monitoring.Rollouts;

namespace Kiln.Server.Rollouts;

/// <summary>Champion vs challenger from the prediction log: each variant's labelled predictions, compared by <see cref="ChampionChallenger"/>.</summary>
internal sealed class ComparisonReports(DeploymentTable table, IQualityDataSource data, PredictionLogWriter writer)
{
    public async Task<ComparisonReport> BuildAsync(string name, DateTimeOffset since, DateTimeOffset until, int? championVersion, int? challengerVersion, CancellationToken cancellationToken)
    {
        var deployment = (table.TryGet(name, out var served) ? served.Deployment : null) ?? throw KilnException.NotFound("Deployment", name);
        var champion = Pick(deployment, championVersion, "champion")
            ?? deployment.Variants.Where(v => v.Role == VariantRole.Primary).MaxBy(v => v.Weight)!;
        var challenger = Pick(deployment, challengerVersion, "challenger")
            ?? deployment.Variants.Where(v => v != champion).OrderBy(v => v.Role == VariantRole.Canary ? 0 : v.Role == VariantRole.Primary ? 1 : 2).FirstOrDefault()
            ?? throw KilnException.Invalid("challenger", $"'{name}' serves one variant; name the versions to compare (champion=V&challenger=V: any versions with logged predictions), or start a canary, A/B split or shadow.");
        if (champion.ModelVersion == challenger.ModelVersion)
        {
            throw KilnException.Invalid("challenger", "must be another version than the champion.");
        }

        await writer.FlushAsync(cancellationToken);
        var task = await data.DetectTaskAsync(name, since, until, cancellationToken);
        if (task == PredictionTask.Unknown)
        {
            throw KilnException.Invalid("since", $"no predictions of '{name}' were logged in the range; send traffic, then ground truth for it.");
        }

        if (task is not (PredictionTask.Binary or PredictionTask.Multiclass))
        {
            throw KilnException.Invalid("deployment", $"comparison needs classification predictions with labels; '{name}' logged {task.ToString().ToLowerInvariant()} predictions in the range.");
        }

        var a = await data.ReadLabelledAsync(name, since, until, champion.ModelVersion, task, last: null, cancellationToken);
        var b = await data.ReadLabelledAsync(name, since, until, challenger.ModelVersion, task, last: null, cancellationToken);
        if (a.Count == 0 || b.Count == 0)
        {
            throw KilnException.Invalid("since", $"no labelled predictions for {(a.Count == 0 ? "the champion" : "the challenger")} in the range; send ground truth first.");
        }

        var report = ChampionChallenger.Compare(Predictions(a, task), Predictions(b, task));
        var significant = report.AccuracyDifference.PValue < 0.05;
        var verdict = significant
            ? $"{(report.AccuracyDifference.Estimate > 0 ? "The challenger" : "The champion")} is more accurate (difference {report.AccuracyDifference.Estimate:+0.0000;-0.0000}, p = {report.AccuracyDifference.PValue:0.0000})."
            : report.AdditionalLabelsPerVariant is { } more
                ? $"No significant difference yet (p = {report.AccuracyDifference.PValue:0.0000}); about {more:N0} more labels per variant would decide the observed difference."
                : "No difference in accuracy.";
        return new ComparisonReport(
            name, since, until, View(champion, report.Champion), View(challenger, report.Challenger), View(report.AccuracyDifference),
            report.AucDifference is { } auc ? View(auc) : null, significant, report.RequiredLabelsPerVariant, report.AdditionalLabelsPerVariant, verdict);
    }

    /// <summary>A named version: a current variant, or any earlier version of the deployment's model (its logged predictions are compared).</summary>
    private static DeploymentVariant? Pick(Deployment deployment, int? version, string field)
    {
        if (version is not { } v)
        {
            return null;
        }

        if (v < 1)
        {
            throw KilnException.Invalid(field, "must be a model version number.");
        }

        var model = deployment.Primary.ModelName;
        return deployment.Variants.FirstOrDefault(x => x.ModelVersion == v) ?? new DeploymentVariant($"v{v}", model, v, $"{model}/{v}", 0, VariantRole.Primary);
    }

    private static VariantPredictions Predictions(IReadOnlyList<LabelledPrediction> rows, PredictionTask task)
    {
        var actual = new bool[rows.Count];
        var predicted = new bool[rows.Count];
        var scores = new double[rows.Count];
        var haveScores = task == PredictionTask.Binary;
        for (var i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            if (task == PredictionTask.Binary)
            {
                actual[i] = row.ActualPositive;
                predicted[i] = row.PredictedPositive;
                scores[i] = row.Score;
                haveScores &= double.IsFinite(row.Score);
            }
            else
            {
                // Multiclass: accuracy only — "correct" is compared against an always-true truth.
                actual[i] = true;
                predicted[i] = row.Prediction == row.Label;
            }
        }

        return new VariantPredictions(actual, predicted, haveScores ? scores : ReadOnlyMemory<double>.Empty);
    }

    private static VariantQuality View(DeploymentVariant variant, VariantQualitySummary summary) => new(
        variant.Name, variant.ModelName, variant.ModelVersion, summary.Labelled, summary.Accuracy, summary.AccuracyInterval.Lower, summary.AccuracyInterval.Upper,
        summary.Auc, summary.AucInterval?.Lower, summary.AucInterval?.Upper);

    private static DifferenceView View(DifferenceEstimate estimate) => new(estimate.Estimate, estimate.Interval.Lower, estimate.Interval.Upper, estimate.PValue);
}
