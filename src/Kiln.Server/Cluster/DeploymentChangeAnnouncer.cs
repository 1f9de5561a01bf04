using Kiln.Core.Cluster;
using Kiln.Inference.Serving;

namespace Kiln.Server.Cluster;

/// <summary>Tells the other replicas about each deployment change this process stored (a hint; they read the store).</summary>
internal sealed partial class DeploymentChangeAnnouncer(IClusterSignals signals, ILogger<DeploymentChangeAnnouncer> logger) : IDeploymentObserver
{
    public void ModelLoaded(string deployment, string model, int version, double seconds)
    {
    }

    public void ModelLoadFailed(string deployment, string model, int version)
    {
    }

    public void DeploymentDeleted(string deployment)
    {
    }

    public void DeploymentChanged(string deployment, int revision)
    {
        if (signals.IsShared)
        {
            _ = AnnounceAsync(deployment);
        }
    }

    private async Task AnnounceAsync(string deployment)
    {
        try
        {
            await signals.PublishAsync(ClusterTopic.Deployments, deployment, CancellationToken.None);
        }
        catch (Exception e)
        {
            // The other replicas' periodic reconcile picks the change up anyway.
            LogAnnounceFailed(e, deployment);
        }
    }

    [LoggerMessage(EventId = 5101, Level = LogLevel.Warning, Message = "Could not tell the other replicas that {Deployment} changed; they pick it up at their next reconcile")]
    private partial void LogAnnounceFailed(Exception exception, string deployment);
}
