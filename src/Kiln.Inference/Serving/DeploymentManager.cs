using System.Collections.Concurrent;
using Kiln.Core;
using Kiln.Core.Deployments;
using Kiln.Core.Registry;
using Microsoft.Extensions.Logging;

namespace Kiln.Inference.Serving;

/// <summary>
/// Creates, switches and removes deployments. A new version is loaded and warmed before any
/// request reaches it; then the record is stored and the table swaps atomically, and the old
/// version is disposed once its in-flight requests finish. Changes are serialized.
/// </summary>
public sealed partial class DeploymentManager
{
    private readonly IModelRegistry _registry;
    private readonly IDeploymentStore _store;
    private readonly ModelLoader _loader;
    private readonly DeploymentTable _table;
    private readonly ILogger<DeploymentManager> _logger;
    private readonly IReadOnlyList<IDeploymentObserver> _observers;
    private readonly SemaphoreSlim _changes = new(1, 1);
    private readonly ConcurrentDictionary<string, DeploymentState> _states = new(StringComparer.Ordinal);
    private volatile bool _restored;

    public DeploymentManager(IModelRegistry registry, IDeploymentStore store, ModelLoader loader, DeploymentTable table, ILogger<DeploymentManager> logger, IEnumerable<IDeploymentObserver>? observers = null)
    {
        _observers = observers?.ToArray() ?? [];
        _registry = registry;
        _store = store;
        _loader = loader;
        _table = table;
        _logger = logger;
    }

    /// <summary>True once the stored deployments were restored and every one of them is warm.</summary>
    public bool IsReady => _restored && _states.Values.All(s => s.Status == DeploymentStatus.Ready);

    public IReadOnlyCollection<DeploymentState> States => (IReadOnlyCollection<DeploymentState>)_states.Values;

    public DeploymentState? GetState(string name) => _states.GetValueOrDefault(name);

    /// <summary>
    /// Deploys <paramref name="modelReference"/> (NAME/VERSION, NAME@ALIAS or NAME) as <paramref name="name"/>.
    /// <paramref name="logSampleRate"/> (0–1) sets the share of requests logged; null keeps the current rate (1 for a new deployment).
    /// </summary>
    public async Task<Deployment> DeployAsync(string name, string modelReference, double? logSampleRate, CancellationToken cancellationToken)
    {
        ModelName.Validate(name, "name");
        if (logSampleRate is { } rate && !(rate is >= 0 and <= 1))
        {
            throw KilnException.Invalid("log_sample_rate", "must be between 0 and 1.");
        }

        var reference = ModelReference.Parse(modelReference, "model");
        var version = await _registry.ResolveAsync(reference, cancellationToken)
            ?? throw KilnException.NotFound("Model version", reference.ToString());
        var variant = new DeploymentVariant("primary", version.ModelName, version.Version, reference.ToString(), 100, VariantRole.Primary);

        await _changes.WaitAsync(cancellationToken);
        try
        {
            var served = _table.TryGet(name, out var current) ? current : null;
            var sampleRate = logSampleRate ?? served?.Deployment.LogSampleRate ?? 1.0;
            if (served is not null && served.Model.ModelName == version.ModelName && served.Model.Version == version.Version
                && served.Deployment.Primary.Requested == variant.Requested)
            {
                if (served.Deployment.LogSampleRate.Equals(sampleRate))
                {
                    return served.Deployment;
                }

                // Same model, new sampling rate: store it and swap the record; the warm model stays.
                var updated = await _store.UpsertAsync(name, [variant], sampleRate, cancellationToken);
                if (served.Model.TryAcquire())
                {
                    _table.Swap(new ServedDeployment(updated, served.Model));
                    served.Model.Release();
                }

                return updated;
            }

            _states.TryAdd(name, new DeploymentState(name, DeploymentStatus.Loading));
            var model = await LoadAsync(name, version, cancellationToken);
            Deployment record;
            try
            {
                record = await _store.UpsertAsync(name, [variant], sampleRate, cancellationToken);
            }
            catch
            {
                model.Release();
                throw;
            }

            _table.Swap(new ServedDeployment(record, model));
            _states[name] = new DeploymentState(name, DeploymentStatus.Ready);
            LogDeployed(name, version.ModelName, version.Version, record.Revision);
            return record;
        }
        catch (Exception e) when (!_table.TryGet(name, out _))
        {
            _states.TryRemove(name, out _);
            LogDeployFailed(e, name);
            throw;
        }
        finally
        {
            _changes.Release();
        }
    }

    public async Task<bool> DeleteAsync(string name, CancellationToken cancellationToken)
    {
        await _changes.WaitAsync(cancellationToken);
        try
        {
            var deleted = await _store.DeleteAsync(name, cancellationToken);
            _table.Remove(name);
            _states.TryRemove(name, out _);
            foreach (var observer in _observers)
            {
                observer.DeploymentDeleted(name);
            }

            return deleted;
        }
        finally
        {
            _changes.Release();
        }
    }

    /// <summary>Loads every stored deployment; one that fails stays visible as failed, with its error, and keeps the server unready.</summary>
    public async Task RestoreAsync(CancellationToken cancellationToken)
    {
        var deployments = await _store.ListAsync(cancellationToken);
        foreach (var deployment in deployments)
        {
            _states[deployment.Name] = new DeploymentState(deployment.Name, DeploymentStatus.Loading);
        }

        foreach (var deployment in deployments)
        {
            try
            {
                var primary = deployment.Primary;
                var version = await _registry.GetVersionAsync(primary.ModelName, primary.ModelVersion, cancellationToken)
                    ?? throw KilnException.NotFound("Model version", $"{primary.ModelName}/{primary.ModelVersion}");
                var model = await LoadAsync(deployment.Name, version, cancellationToken);
                _table.Swap(new ServedDeployment(deployment, model));
                _states[deployment.Name] = new DeploymentState(deployment.Name, DeploymentStatus.Ready);
                LogRestored(deployment.Name, primary.ModelName, primary.ModelVersion);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                _states[deployment.Name] = new DeploymentState(deployment.Name, DeploymentStatus.Failed, e.Message);
                LogRestoreFailed(e, deployment.Name);
            }
        }

        _restored = true;
    }

    private async Task<LoadedModel> LoadAsync(string deployment, ModelVersion version, CancellationToken cancellationToken)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            var model = await Task.Run(() => _loader.Load(version), cancellationToken);
            var seconds = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds;
            foreach (var observer in _observers)
            {
                observer.ModelLoaded(deployment, version.ModelName, version.Version, seconds);
            }

            return model;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            foreach (var observer in _observers)
            {
                observer.ModelLoadFailed(deployment, version.ModelName, version.Version);
            }

            throw;
        }
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Deployment {Deployment} now serves {Model}/{Version} (revision {Revision})")]
    private partial void LogDeployed(string deployment, string model, int version, int revision);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "Deploying {Deployment} failed")]
    private partial void LogDeployFailed(Exception exception, string deployment);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Information, Message = "Restored deployment {Deployment}: {Model}/{Version}")]
    private partial void LogRestored(string deployment, string model, int version);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Error, Message = "Could not restore deployment {Deployment}")]
    private partial void LogRestoreFailed(Exception exception, string deployment);
}
