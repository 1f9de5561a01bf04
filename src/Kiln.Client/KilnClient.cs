using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Kiln.Core.Api;
using Kiln.Core.Deployments;
using Kiln.Core.Registry;
using Kiln.Core.Security;
using Kiln.Core.Serialization;

namespace Kiln.Client;

/// <summary>
/// A typed client for a Kiln server's REST API. Thread-safe; reuse one per server.
/// </summary>
public sealed partial class KilnClient : IDisposable
{
    private static readonly KilnJsonContext Json = KilnJsonContext.Default;
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;

    /// <summary>Creates a client for <paramref name="server"/>, authenticating with <paramref name="apiKey"/> when given.</summary>
    public KilnClient(Uri server, string? apiKey = null)
        : this(new HttpClient { BaseAddress = server, Timeout = TimeSpan.FromMinutes(10) }, apiKey, ownsHttp: true)
    {
    }

    /// <summary>Creates a client over an existing <see cref="HttpClient"/> whose base address is the server.</summary>
    public KilnClient(HttpClient http, string? apiKey = null)
        : this(http, apiKey, ownsHttp: false)
    {
    }

    private KilnClient(HttpClient http, string? apiKey, bool ownsHttp)
    {
        _http = http;
        _ownsHttp = ownsHttp;
        if (!string.IsNullOrEmpty(apiKey))
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        }
    }

    /// <summary>Lists registered models.</summary>
    public Task<IReadOnlyList<RegisteredModel>> ListModelsAsync(CancellationToken cancellationToken = default) =>
        GetAsync("api/models", Json.IReadOnlyListRegisteredModel, cancellationToken);

    /// <summary>Gets a registered model.</summary>
    public Task<RegisteredModel> GetModelAsync(string name, CancellationToken cancellationToken = default) =>
        GetAsync($"api/models/{Escape(name)}", Json.RegisteredModel, cancellationToken);

    /// <summary>Lists a model's versions, newest first.</summary>
    public Task<IReadOnlyList<ModelVersion>> ListVersionsAsync(string name, CancellationToken cancellationToken = default) =>
        GetAsync($"api/models/{Escape(name)}/versions", Json.IReadOnlyListModelVersion, cancellationToken);

    /// <summary>Gets the version a reference names: <c>NAME/VERSION</c>, <c>NAME@ALIAS</c> or <c>NAME</c> (latest).</summary>
    public async Task<ModelVersion> GetVersionAsync(string reference, CancellationToken cancellationToken = default)
    {
        var parsed = ModelReference.Parse(reference, "model");
        if (parsed.Version is { } version)
        {
            return await GetAsync($"api/models/{Escape(parsed.ModelName)}/versions/{version.ToString(CultureInfo.InvariantCulture)}", Json.ModelVersion, cancellationToken);
        }

        if (parsed.Alias is { } alias)
        {
            return await GetAsync($"api/models/{Escape(parsed.ModelName)}/aliases/{Escape(alias)}", Json.ModelVersion, cancellationToken);
        }

        var versions = await ListVersionsAsync(parsed.ModelName, cancellationToken);
        return versions.Count > 0 ? versions[0] : throw new KilnApiException(System.Net.HttpStatusCode.NotFound, $"Model '{parsed.ModelName}' has no versions.");
    }

    /// <summary>Copies one file of a version's package (by its package path) into <paramref name="destination"/>.</summary>
    public async Task DownloadVersionFileAsync(string name, int version, string path, Stream destination, CancellationToken cancellationToken = default)
    {
        var segments = string.Join('/', path.Split('/').Select(Escape));
        using var response = await _http.GetAsync(
            $"api/models/{Escape(name)}/versions/{version.ToString(CultureInfo.InvariantCulture)}/files/{segments}", HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        await body.CopyToAsync(destination, cancellationToken);
    }

    /// <summary>
    /// Registers a new version from <paramref name="path"/>: a <c>.onnx</c> file, or a directory (an MLflow model)
    /// whose files are uploaded with their relative paths.
    /// </summary>
    public async Task<ModelVersion> RegisterAsync(string name, string path, RegisterOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new RegisterOptions();
        using var content = new MultipartFormDataContent();
        var streams = new List<Stream>();
        try
        {
            foreach (var (relative, full) in PackageFiles(path))
            {
                var stream = File.OpenRead(full);
                streams.Add(stream);
                var part = new StreamContent(stream);
                part.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
                content.Add(part, "file", relative);
            }

            AddField(content, "alias", options.Alias);
            AddField(content, "description", options.Description);
            AddField(content, "featureNames", options.FeatureNames is { Count: > 0 } names ? string.Join(',', names) : null);
            AddField(content, "source", options.Source ?? Path.GetFullPath(path));
            AddField(content, "runId", options.RunId);
            using var response = await _http.PostAsync($"api/models/{Escape(name)}/versions", content, cancellationToken);
            return await ReadAsync(response, Json.ModelVersion, cancellationToken);
        }
        finally
        {
            foreach (var stream in streams)
            {
                await stream.DisposeAsync();
            }
        }
    }

    /// <summary>Points <paramref name="alias"/> at a version of a model.</summary>
    public async Task<ModelVersion> SetAliasAsync(string name, string alias, int version, CancellationToken cancellationToken = default)
    {
        using var response = await _http.PutAsJsonAsync($"api/models/{Escape(name)}/aliases/{Escape(alias)}", new SetAliasRequest(version), Json.SetAliasRequest, cancellationToken);
        return await ReadAsync(response, Json.ModelVersion, cancellationToken);
    }

    /// <summary>Creates or updates a deployment serving <paramref name="modelReference"/>; returns once it is warm and serving.</summary>
    public async Task<DeploymentView> DeployAsync(string deployment, string modelReference, CancellationToken cancellationToken = default) =>
        await DeployAsync(deployment, modelReference, logSampleRate: null, cancellationToken);

    /// <summary>
    /// Creates or updates a deployment serving <paramref name="modelReference"/>; returns once it is warm and serving.
    /// <paramref name="logSampleRate"/> (0–1) sets the share of requests written to the prediction log; null keeps the current rate.
    /// </summary>
    public Task<DeploymentView> DeployAsync(string deployment, string modelReference, double? logSampleRate, CancellationToken cancellationToken = default) =>
        DeployAsync(deployment, modelReference, new DeploymentSettingsChange(LogSampleRate: logSampleRate), cancellationToken);

    /// <summary>
    /// Creates or updates a deployment serving <paramref name="modelReference"/> with <paramref name="settings"/> changed
    /// (null fields keep their current values); returns once it is warm and serving.
    /// </summary>
    public async Task<DeploymentView> DeployAsync(string deployment, string modelReference, DeploymentSettingsChange settings, CancellationToken cancellationToken = default)
    {
        var request = new DeployRequest(modelReference, settings.LogSampleRate, settings.RoutingField, settings.Batching, settings.ReferenceRuntime);
        using var response = await _http.PutAsJsonAsync($"api/deployments/{Escape(deployment)}", request, Json.DeployRequest, cancellationToken);
        return await ReadAsync(response, Json.DeploymentView, cancellationToken);
    }

    /// <summary>Lists deployments with their status in the server.</summary>
    public Task<IReadOnlyList<DeploymentView>> ListDeploymentsAsync(CancellationToken cancellationToken = default) =>
        GetAsync("api/deployments", Json.IReadOnlyListDeploymentView, cancellationToken);

    /// <summary>Gets one deployment.</summary>
    public Task<DeploymentView> GetDeploymentAsync(string deployment, CancellationToken cancellationToken = default) =>
        GetAsync($"api/deployments/{Escape(deployment)}", Json.DeploymentView, cancellationToken);

    /// <summary>Deletes a deployment; its model is unloaded once in-flight requests finish.</summary>
    public async Task DeleteDeploymentAsync(string deployment, CancellationToken cancellationToken = default)
    {
        using var response = await _http.DeleteAsync($"api/deployments/{Escape(deployment)}", cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
    }

    /// <summary>Creates an API key; the returned secret is shown only this once.</summary>
    public Task<CreatedApiKey> CreateKeyAsync(string name, KilnRole role, CancellationToken cancellationToken = default) =>
        CreateKeyAsync(new CreateApiKeyRequest(name, role), cancellationToken);

    /// <summary>Creates an API key, optionally limited to deployments and expiring; the returned secret is shown only this once.</summary>
    public async Task<CreatedApiKey> CreateKeyAsync(CreateApiKeyRequest request, CancellationToken cancellationToken = default)
    {
        using var response = await _http.PostAsJsonAsync("api/keys", request, Json.CreateApiKeyRequest, cancellationToken);
        return await ReadAsync(response, Json.CreatedApiKey, cancellationToken);
    }

    /// <summary>Issues a new key like key <paramref name="id"/>; the old one keeps working for <paramref name="overlap"/> (default 1d).</summary>
    public async Task<RotatedApiKey> RotateKeyAsync(string id, string? overlap = null, CancellationToken cancellationToken = default)
    {
        using var response = await _http.PostAsJsonAsync($"api/keys/{Escape(id)}/rotate", new RotateApiKeyRequest(overlap), Json.RotateApiKeyRequest, cancellationToken);
        return await ReadAsync(response, Json.RotatedApiKey, cancellationToken);
    }

    /// <summary>Lists API keys (never their secrets).</summary>
    public Task<IReadOnlyList<ApiKeyInfo>> ListKeysAsync(CancellationToken cancellationToken = default) =>
        GetAsync("api/keys", Json.IReadOnlyListApiKeyInfo, cancellationToken);

    /// <summary>Revokes an API key by id.</summary>
    public async Task RevokeKeyAsync(string id, CancellationToken cancellationToken = default)
    {
        using var response = await _http.DeleteAsync($"api/keys/{Escape(id)}", cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }

    private static IEnumerable<(string Relative, string Full)> PackageFiles(string path)
    {
        if (File.Exists(path))
        {
            return [(Path.GetFileName(path), Path.GetFullPath(path))];
        }

        if (Directory.Exists(path))
        {
            return LocalFiles.Under(path);
        }

        throw new FileNotFoundException($"No file or directory at '{path}'.", path);
    }

    private static void AddField(MultipartFormDataContent content, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            content.Add(new StringContent(value), name);
        }
    }

    private static string Escape(string segment) => Uri.EscapeDataString(segment);

    private async Task<T> GetAsync<T>(string path, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync(path, cancellationToken);
        return await ReadAsync(response, type, cancellationToken);
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        await EnsureSuccessAsync(response, cancellationToken);
        return await response.Content.ReadFromJsonAsync(type, cancellationToken)
            ?? throw new KilnApiException(response.StatusCode, "The server answered with an empty body.");
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        string message = $"{(int)response.StatusCode} {response.ReasonPhrase}";
        string? field = null;
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                if (root.TryGetProperty("detail", out var detail) && detail.ValueKind == JsonValueKind.String)
                {
                    message = detail.GetString()!;
                }
                else if (root.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.String)
                {
                    message = error.GetString()!;
                }

                if (root.TryGetProperty("field", out var f) && f.ValueKind == JsonValueKind.String)
                {
                    field = f.GetString();
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON (a proxy's page, say): the status line is the message.
        }

        throw new KilnApiException(response.StatusCode, message, field);
    }
}
