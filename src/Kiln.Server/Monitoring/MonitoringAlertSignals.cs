using System.Globalization;
using Kiln.Core.Monitoring.Alerts;
using Kiln.Core.Registry;
using Kiln.Inference.Serving;
using Kiln.Monitoring.Statistics;

namespace Kiln.Server.Monitoring;

/// <summary>
/// The model-side alert signals, read from the same reports the API serves, over the rule's window:
/// <list type="bullet">
/// <item><c>dataset_drift</c>: the share of drifted features (0–1).</item>
/// <item><c>feature_drift</c>: 1 when the rule's feature drifted by its test, else 0 (the statistic is in the description).</item>
/// <item><c>quality</c>: the rule's metric (default accuracy, or rmse for regression) of the served version.</item>
/// <item><c>quality_drop</c>: the version's validation metric minus the live one (for error metrics such as rmse, live minus validation), so a positive value is a loss.</item>
/// <item><c>label_coverage</c>: labelled ÷ logged predictions.</item>
/// </list>
/// </summary>
internal sealed class MonitoringAlertSignals(DriftReports drift, QualityReports quality, DeploymentTable table, IModelRegistry registry) : IAlertSignalSource
{
    private static readonly HashSet<string> LowerIsBetter = new(StringComparer.Ordinal) { "log_loss", "rmse", "mae" };

    public IReadOnlyCollection<AlertKind> Kinds { get; } = [AlertKind.DatasetDrift, AlertKind.FeatureDrift, AlertKind.Quality, AlertKind.QualityDrop, AlertKind.LabelCoverage];

    public async Task<AlertSignal> ReadAsync(AlertRule rule, string deployment, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (!table.TryGet(deployment, out var served))
        {
            return AlertSignal.NoData($"deployment '{deployment}' is not being served");
        }

        var since = now - rule.Window;
        return rule.Kind switch
        {
            AlertKind.DatasetDrift or AlertKind.FeatureDrift => await DriftAsync(rule, deployment, since, now, served.Model.Version, cancellationToken),
            _ => await QualityAsync(rule, deployment, since, now, served, cancellationToken),
        };
    }

    private async Task<AlertSignal> DriftAsync(AlertRule rule, string deployment, DateTimeOffset since, DateTimeOffset now, int version, CancellationToken cancellationToken)
    {
        var report = await drift.BuildAsync(deployment, since, now, version, DriftOptions.Default, cancellationToken);
        if (report.CurrentRows == 0 || report.Features.Count == 0)
        {
            return AlertSignal.NoData(report.Notes.Count > 0 ? report.Notes[0] : "no features to test");
        }

        if (rule.Kind == AlertKind.DatasetDrift)
        {
            var drifted = report.Features.Where(f => f.Drifted).Select(f => f.Name).ToArray();
            return new AlertSignal(report.DriftedShare, $"{report.DriftedShare:P0} of features drifted over {report.CurrentRows:N0} rows ({(drifted.Length == 0 ? "none" : string.Join(", ", drifted))})");
        }

        var feature = report.Features.FirstOrDefault(f => f.Name == rule.Feature) ?? (rule.Feature == "prediction_score" ? report.Prediction : null);
        return feature is null
            ? AlertSignal.NoData($"feature '{rule.Feature}' was not tested")
            : new AlertSignal(feature.Drifted ? 1 : 0, $"{feature.Name}: {feature.Method} {feature.Statistic.ToString("0.0000", CultureInfo.InvariantCulture)}{(feature.PValue is { } p ? $" (p = {p:0.0000})" : "")}, threshold {feature.Threshold}");
    }

    private async Task<AlertSignal> QualityAsync(AlertRule rule, string deployment, DateTimeOffset since, DateTimeOffset now, ServedDeployment served, CancellationToken cancellationToken)
    {
        var report = await quality.BuildAsync(deployment, window: null, since, now, served.Model.Version, last: null, cancellationToken);
        var window = report.Overall;
        if (rule.Kind == AlertKind.LabelCoverage)
        {
            return window.Predictions == 0
                ? AlertSignal.NoData("no predictions in the window")
                : new AlertSignal(window.LabelCoverage, $"{window.Labelled:N0} of {window.Predictions:N0} predictions labelled");
        }

        var metric = rule.Metric ?? (report.Task == "regression" ? "rmse" : "accuracy");
        if (!window.Metrics.TryGetValue(metric, out var live))
        {
            return AlertSignal.NoData($"no {metric} yet: {window.Labelled:N0} labelled predictions in the window");
        }

        if (rule.Kind == AlertKind.Quality)
        {
            return new AlertSignal(live, $"{metric} {live:0.0000} over {window.Labelled:N0} labelled predictions");
        }

        var manifest = (await registry.GetVersionAsync(served.Model.ModelName, served.Model.Version, cancellationToken))?.Manifest;
        var key = metric == "roc_auc" ? "auc" : metric;
        if (manifest?.Metrics is not { } validation || !(validation.TryGetValue(key, out var baseline) || validation.TryGetValue(metric, out baseline)))
        {
            return AlertSignal.NoData($"{served.Model.ModelName}/{served.Model.Version} has no validation {metric}");
        }

        var drop = LowerIsBetter.Contains(metric) ? live - baseline : baseline - live;
        return new AlertSignal(drop, $"{metric} {live:0.0000} live vs {baseline:0.0000} at validation over {window.Labelled:N0} labelled predictions");
    }
}
