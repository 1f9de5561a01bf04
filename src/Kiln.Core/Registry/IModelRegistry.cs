using Kiln.Core.Packaging;

namespace Kiln.Core.Registry;

/// <summary>The durable registry of models, versions and aliases.</summary>
public interface IModelRegistry
{
    /// <summary>Lists every registered model, by name.</summary>
    Task<IReadOnlyList<RegisteredModel>> ListModelsAsync(CancellationToken cancellationToken);

    /// <summary>Gets a model, or null.</summary>
    Task<RegisteredModel?> GetModelAsync(string name, CancellationToken cancellationToken);

    /// <summary>Lists a model's versions, newest first.</summary>
    Task<IReadOnlyList<ModelVersion>> ListVersionsAsync(string name, CancellationToken cancellationToken);

    /// <summary>Gets one version, or null.</summary>
    Task<ModelVersion?> GetVersionAsync(string name, int version, CancellationToken cancellationToken);

    /// <summary>Resolves a reference (number, alias or latest) to a version, or null.</summary>
    Task<ModelVersion?> ResolveAsync(ModelReference reference, CancellationToken cancellationToken);

    /// <summary>Registers the next version of a model (creating the model if needed) and sets its alias, in one transaction.</summary>
    Task<ModelVersion> CreateVersionAsync(NewModelVersion version, CancellationToken cancellationToken);

    /// <summary>Points an alias at a version, atomically replacing where it pointed before.</summary>
    Task SetAliasAsync(string name, string alias, int version, CancellationToken cancellationToken);

    /// <summary>Removes an alias; false when it did not exist.</summary>
    Task<bool> DeleteAliasAsync(string name, string alias, CancellationToken cancellationToken);

    /// <summary>Every move of the model's aliases, newest first (at most 1,000).</summary>
    Task<IReadOnlyList<AliasMove>> AliasHistoryAsync(string name, CancellationToken cancellationToken);

    /// <summary>Creates a model without versions; a name already taken is a conflict.</summary>
    Task<RegisteredModel> CreateModelAsync(string name, string? description, IReadOnlyDictionary<string, string>? tags, CancellationToken cancellationToken);

    /// <summary>Deletes a model with its versions and aliases; false when it did not exist.</summary>
    Task<bool> DeleteModelAsync(string name, CancellationToken cancellationToken);

    /// <summary>Sets a version's description.</summary>
    Task<ModelVersion> SetVersionDescriptionAsync(string name, int version, string? description, CancellationToken cancellationToken);

    /// <summary>Deletes one version and the aliases pointing to it (its number is never reused); false when it did not exist.</summary>
    Task<bool> DeleteVersionAsync(string name, int version, CancellationToken cancellationToken);

    /// <summary>Sets a model's description.</summary>
    Task SetDescriptionAsync(string name, string? description, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces the training-data profile stored in a version's manifest (the drift baseline); the only part of a
    /// version that may change after registration.
    /// </summary>
    /// <param name="model">The registered model's name.</param>
    /// <param name="version">The version number.</param>
    /// <param name="profile">The new profile, already validated against the version's signature.</param>
    /// <param name="cancellationToken">Cancels the update.</param>
    /// <returns>The version with its new profile.</returns>
    Task<ModelVersion> SetProfileAsync(string model, int version, DataProfile profile, CancellationToken cancellationToken);
}
