namespace Kiln.Core.Deployments;

/// <summary>The durable list of deployments and their revision history; the server restores what it serves from here at start.</summary>
public interface IDeploymentStore
{
    /// <summary>Lists every deployment by name.</summary>
    Task<IReadOnlyList<Deployment>> ListAsync(CancellationToken cancellationToken);

    /// <summary>Gets a deployment, or null.</summary>
    Task<Deployment?> GetAsync(string name, CancellationToken cancellationToken);

    /// <summary>Creates or updates a deployment and appends a revision recording the change; returns the stored record.</summary>
    Task<Deployment> SaveAsync(DeploymentChange change, CancellationToken cancellationToken);

    /// <summary>A deployment's revisions, newest first.</summary>
    Task<IReadOnlyList<DeploymentRevision>> HistoryAsync(string name, CancellationToken cancellationToken);

    /// <summary>Deletes a deployment (its revision history is kept); false when it did not exist.</summary>
    Task<bool> DeleteAsync(string name, CancellationToken cancellationToken);
}
