using System.Globalization;
using System.Net.Http.Json;
using Kiln.Core.Api;
using Kiln.Core.Packaging;

namespace Kiln.Client;

public sealed partial class KilnClient
{
    /// <summary>
    /// Replaces the training-data profile of a model version, the baseline its deployments' drift is measured against
    /// (imported models have none until one is uploaded).
    /// </summary>
    /// <param name="name">The registered model's name.</param>
    /// <param name="version">The version number.</param>
    /// <param name="profile">The profile, e.g. from <c>kiln models profile</c>; column names should be the model's input feature names.</param>
    /// <param name="cancellationToken">Cancels the upload.</param>
    /// <returns>The updated version and the profile columns the model does not know.</returns>
    public async Task<SetProfileResult> SetProfileAsync(string name, int version, DataProfile profile, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(profile);
        var path = $"api/models/{Escape(name)}/versions/{version.ToString(CultureInfo.InvariantCulture)}/profile";
        using var response = await _http.PutAsJsonAsync(path, profile, Json.DataProfile, cancellationToken);
        return await ReadAsync(response, Json.SetProfileResult, cancellationToken);
    }
}
