namespace Kiln.Core.Deployments;

/// <summary>The durable list of deployments; the server restores what it serves from here at start.</summary>
public interface IDeploymentStore
{
    /// <summary>Lists every deployment by name.</summary>
    Task<IReadOnlyList<Deployment>> ListAsync(CancellationToken cancellationToken);

    /// <summary>Gets a deployment, or null.</summary>
    Task<Deployment?> GetAsync(string name, CancellationToken cancellationToken);

    /// <summary>Creates or replaces a deployment's variants and log sampling rate; returns the stored record with its new revision.</summary>
    Task<Deployment> UpsertAsync(string name, IReadOnlyList<DeploymentVariant> variants, double logSampleRate, CancellationToken cancellationToken);

    /// <summary>Deletes a deployment; false when it did not exist.</summary>
    Task<bool> DeleteAsync(string name, CancellationToken cancellationToken);
}
