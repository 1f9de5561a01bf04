using System.Globalization;
using Kiln.Inference.Serving;
using Kiln.Monitoring.Metrics;

namespace Kiln.Server.Metrics;

/// <summary>Counts model loads and their duration, and forgets a deleted deployment's series.</summary>
internal sealed class DeploymentMetricsObserver(ServingMetrics metrics) : IDeploymentObserver
{
    public void ModelLoaded(string deployment, string model, int version, double seconds) =>
        metrics.RecordModelLoad(deployment, model, version.ToString(CultureInfo.InvariantCulture), seconds);

    public void ModelLoadFailed(string deployment, string model, int version) =>
        metrics.RecordModelLoadFailure(deployment, model, version.ToString(CultureInfo.InvariantCulture));

    public void DeploymentDeleted(string deployment) => metrics.RemoveDeployment(deployment);
}
