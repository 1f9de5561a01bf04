using Kiln.Core;
using Kiln.Core.Api;
using Kiln.Core.Deployments;
using Kiln.Core.Monitoring;

namespace Kiln.Server.Rollouts;

/// <summary>Turns a canary request into a validated policy, defaults filled in.</summary>
internal static class CanaryPolicies
{
    public static CanaryPolicySpec From(CanaryRequest request)
    {
        var defaults = CanaryPolicySpec.Default;
        var steps = request.Steps ?? defaults.Steps;
        if (steps.Count == 0 || steps[^1] != 100 || steps.Any(s => s is < 1 or > 100) || steps.Zip(steps.Skip(1)).Any(p => p.First >= p.Second))
        {
            throw KilnException.Invalid("steps", "must rise strictly from 1 to 100 percent and end at 100, e.g. [5, 25, 50, 100].");
        }

        var interval = request.Interval is null ? defaults.Interval : DurationText.Parse(request.Interval, "interval");
        var metric = request.QualityMetric switch
        {
            null => defaults.QualityMetric,
            "none" => null,
            "accuracy" or "precision" or "recall" or "f1" or "roc_auc" or "log_loss" or "macro_f1" or "mae" or "rmse" or "r2" => request.QualityMetric,
            _ => throw KilnException.Invalid("qualityMetric", "must be accuracy, precision, recall, f1, roc_auc, log_loss, macro_f1, mae, rmse, r2 or none."),
        };
        var spec = new CanaryPolicySpec(
            steps,
            interval,
            request.MinRequests ?? defaults.MinRequests,
            request.MaxErrorRateIncrease ?? defaults.MaxErrorRateIncrease,
            request.MaxLatencyRatio ?? defaults.MaxLatencyRatio,
            metric,
            request.QualityMargin ?? defaults.QualityMargin,
            request.MinLabels ?? defaults.MinLabels);
        if (CanaryAnalyzer.Policy(spec).Validate() is { Count: > 0 } problems)
        {
            throw KilnException.Invalid("policy", string.Join(" ", problems));
        }

        return spec;
    }
}
