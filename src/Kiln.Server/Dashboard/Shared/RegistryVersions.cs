using Kiln.Core.Registry;

namespace Kiln.Server.Dashboard.Shared;

/// <summary>Every version of every registered model, for the pages that look across models (recent registrations, a run's versions).</summary>
internal static class RegistryVersions
{
    public static async Task<List<ModelVersion>> AllAsync(IModelRegistry registry, CancellationToken cancellationToken)
    {
        var versions = new List<ModelVersion>();
        foreach (var model in await registry.ListModelsAsync(cancellationToken))
        {
            versions.AddRange(await registry.ListVersionsAsync(model.Name, cancellationToken));
        }

        return versions;
    }
}
