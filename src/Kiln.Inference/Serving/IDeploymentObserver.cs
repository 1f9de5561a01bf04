namespace Kiln.Inference.Serving;

/// <summary>Hears what the deployment manager does with models (for metrics); implementations must be quick and must not throw.</summary>
public interface IDeploymentObserver
{
    /// <summary>A model version was loaded and warmed for a deployment in <paramref name="seconds"/>.</summary>
    void ModelLoaded(string deployment, string model, int version, double seconds);

    /// <summary>Loading a model version for a deployment failed.</summary>
    void ModelLoadFailed(string deployment, string model, int version);

    /// <summary>A deployment was deleted.</summary>
    void DeploymentDeleted(string deployment);

    /// <summary>This process stored a new revision of a deployment (not called when it applies another replica's change).</summary>
    void DeploymentChanged(string deployment, int revision)
    {
    }
}
