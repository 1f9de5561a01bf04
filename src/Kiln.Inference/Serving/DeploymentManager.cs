using System.Collections.Concurrent;
using Kiln.Core;
using Kiln.Core.Deployments;
using Kiln.Core.Registry;
using Microsoft.Extensions.Logging;

namespace Kiln.Inference.Serving;

/// <summary>
/// Creates, changes and removes deployments. Every change — a deploy, new traffic weights, a canary
/// step, a blue-green flip, a shadow, a rollback — goes the same way: the variants it needs are
/// loaded and warmed (or reused warm), the change is stored as a new revision, and only then does the
/// table swap atomically to the new revision. No request is answered by a half-loaded model, and a
/// model swapped out is disposed after its in-flight requests finish. Changes are serialized.
/// </summary>
public sealed partial class DeploymentManager
{
    private readonly IModelRegistry _registry;
    private readonly IDeploymentStore _store;
    private readonly ModelLoader _loader;
    private readonly DeploymentTable _table;
    private readonly ILogger<DeploymentManager> _logger;
    private readonly IReadOnlyList<IDeploymentObserver> _observers;
    private readonly RetainedModels _retained;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _changes = new(1, 1);
    private readonly ConcurrentDictionary<string, DeploymentState> _states = new(StringComparer.Ordinal);
    private volatile bool _restored;

    public DeploymentManager(
        IModelRegistry registry, IDeploymentStore store, ModelLoader loader, DeploymentTable table, ILogger<DeploymentManager> logger,
        IEnumerable<IDeploymentObserver>? observers = null, TimeProvider? time = null)
    {
        _registry = registry;
        _store = store;
        _loader = loader;
        _table = table;
        _logger = logger;
        _observers = observers?.ToArray() ?? [];
        _time = time ?? TimeProvider.System;
        _retained = new RetainedModels(_time);
    }

    /// <summary>True once the stored deployments were restored and every one of them is warm.</summary>
    public bool IsReady => _restored && _states.Values.All(s => s.Status == DeploymentStatus.Ready);

    /// <summary>True once the stored deployments were restored at start (changes from other replicas apply only after).</summary>
    public bool IsRestored => _restored;

    public IReadOnlyCollection<DeploymentState> States => (IReadOnlyCollection<DeploymentState>)_states.Values;

    public DeploymentState? GetState(string name) => _states.GetValueOrDefault(name);

    /// <summary>
    /// Deploys <paramref name="modelReference"/> (NAME/VERSION, NAME@ALIAS or NAME) as <paramref name="name"/>'s only variant,
    /// with <paramref name="settings"/> applied to the current settings (a new deployment's are <see cref="DeploymentSettings.Default"/>).
    /// </summary>
    public async Task<Deployment> DeployAsync(string name, string modelReference, DeploymentSettingsChange settings, string actor, CancellationToken cancellationToken)
    {
        ModelName.Validate(name, "name");
        settings.ApplyTo(DeploymentSettings.Default);
        var version = await ResolveAsync(modelReference, "model", cancellationToken);
        var requested = ModelReference.Parse(modelReference, "model").ToString();
        return await ChangeAsync(name, current =>
        {
            var variant = new DeploymentVariant("primary", version.ModelName, version.Version, requested, 100, VariantRole.Primary);
            var next = settings.ApplyTo(current?.Settings ?? DeploymentSettings.Default);
            if (current is not null && current.Variants.Count == 1 && current.Variants[0] == variant && current.Settings == next && current.Canary is null)
            {
                return null;
            }

            var what = current is null ? "created" : current.Variants.SequenceEqual([variant]) ? "settings changed" : $"now serves {version.ModelName}/{version.Version}";
            return new Plan([variant], next, null, "deploy", $"Deployed {requested}: {what}.");
        }, actor, cancellationToken);
    }

    /// <summary>Sets fixed weights (percent, summing to 100) by model version for an A/B split; versions not named leave, shadows stay. <paramref name="reason"/> is kept in the history.</summary>
    public async Task<Deployment> SetTrafficAsync(string name, IReadOnlyDictionary<int, int> weights, string? reason, string actor, CancellationToken cancellationToken)
    {
        if (weights.Count == 0 || weights.Values.Any(w => w is < 0 or > 100) || weights.Values.Sum() != 100)
        {
            throw KilnException.Invalid("weights", "give each version a weight of 0–100; together they must make 100.");
        }

        var current = await RequireAsync(name, cancellationToken);
        if (current.Canary is not null)
        {
            throw new KilnException(Core.Errors.KilnErrorKind.Conflict, $"A canary is running on '{name}'; promote or abort it first (kiln canary promote|abort {name}).");
        }

        var model = current.Primary.ModelName;
        var variants = new List<DeploymentVariant>();
        foreach (var (versionNumber, weight) in weights.OrderBy(w => w.Key))
        {
            var existing = current.Variants.FirstOrDefault(v => v.ModelVersion == versionNumber && v.Role != VariantRole.Shadow);
            if (existing is null)
            {
                var version = await _registry.GetVersionAsync(model, versionNumber, cancellationToken) ?? throw KilnException.NotFound("Model version", $"{model}/{versionNumber}");
                existing = new DeploymentVariant($"v{version.Version}", model, version.Version, $"{model}/{version.Version}", weight, VariantRole.Primary);
            }

            variants.Add(existing with { Weight = weight, Role = VariantRole.Primary });
        }

        variants.AddRange(current.Variants.Where(v => v.Role == VariantRole.Shadow));
        var split = string.Join(", ", weights.OrderBy(w => w.Key).Select(w => $"{model}/{w.Key} {w.Value}%"));
        return await ChangeAsync(name, _ => new Plan(variants, current.Settings, null, "traffic", $"Traffic split: {split}.{(string.IsNullOrWhiteSpace(reason) ? "" : " " + reason)}"), actor, cancellationToken, basedOn: current.Revision);
    }

    /// <summary>Starts a canary of <paramref name="modelReference"/> at the policy's first step beside the current primary.</summary>
    public async Task<Deployment> StartCanaryAsync(string name, string modelReference, CanaryPolicySpec policy, bool automatic, string? promoteAlias, string actor, CancellationToken cancellationToken)
    {
        var version = await ResolveAsync(modelReference, "model", cancellationToken);
        var requested = ModelReference.Parse(modelReference, "model").ToString();
        var current = await RequireAsync(name, cancellationToken);
        if (current.Canary is not null)
        {
            throw new KilnException(Core.Errors.KilnErrorKind.Conflict, $"A canary is already running on '{name}'; promote or abort it first.");
        }

        var primaries = current.Variants.Where(v => v.Role == VariantRole.Primary).ToArray();
        if (primaries.Length != 1)
        {
            throw new KilnException(Core.Errors.KilnErrorKind.Conflict, $"'{name}' splits traffic over {primaries.Length} primaries; set a single primary before a canary (kiln traffic {name} --set V=100).");
        }

        if (primaries[0].ModelName == version.ModelName && primaries[0].ModelVersion == version.Version)
        {
            throw KilnException.Invalid("model", $"{version.ModelName}/{version.Version} is already the primary.");
        }

        var first = policy.Steps[0];
        var variants = Weights(current.Variants, primaries[0], 100 - first)
            .Append(new DeploymentVariant("canary", version.ModelName, version.Version, requested, first, VariantRole.Canary)).ToArray();
        return await ChangeAsync(name, now => new Plan(
            variants, current.Settings,
            new CanaryRollout("canary", policy, 0, _retained.Now, automatic, promoteAlias),
            "canary_start", $"Canary {version.ModelName}/{version.Version} at {first}% beside {primaries[0].ModelName}/{primaries[0].ModelVersion} ({(automatic ? "automated analysis" : "stepped by hand")})."),
            actor, cancellationToken, basedOn: current.Revision);
    }

    /// <summary>Moves a running canary to step <paramref name="step"/> of its policy (the last step, 100 %, promotes it).</summary>
    public async Task<Deployment> StepCanaryAsync(string name, int step, string reason, string actor, CancellationToken cancellationToken)
    {
        var current = await RequireAsync(name, cancellationToken);
        var canary = current.Canary ?? throw new KilnException(Core.Errors.KilnErrorKind.Conflict, $"No canary is running on '{name}'.");
        if (step >= canary.Policy.Steps.Count - 1)
        {
            return await PromoteCanaryAsync(name, reason, actor, cancellationToken);
        }

        var weight = canary.Policy.Steps[step];
        var primary = current.Variants.Single(v => v.Role == VariantRole.Primary);
        var variants = current.Variants.Select(v => v.Name == canary.Variant ? v with { Weight = weight } : v == primary ? v with { Weight = 100 - weight } : v).ToArray();
        return await ChangeAsync(name, _ => new Plan(
            variants, current.Settings, canary with { Step = step, StepStartedAt = _retained.Now },
            "canary_step", $"Canary to {weight}%: {reason}"), actor, cancellationToken, basedOn: current.Revision);
    }

    /// <summary>Makes the canary the only primary; the old primary stays loaded for <paramref name="keepOld"/> so a rollback is instant.</summary>
    public async Task<Deployment> PromoteCanaryAsync(string name, string reason, string actor, CancellationToken cancellationToken, TimeSpan? keepOld = null)
    {
        var current = await RequireAsync(name, cancellationToken);
        var canary = current.Canary ?? throw new KilnException(Core.Errors.KilnErrorKind.Conflict, $"No canary is running on '{name}'.");
        var promoted = current.Variants.Single(v => v.Name == canary.Variant);
        var variants = current.Variants.Where(v => v.Role == VariantRole.Shadow).Prepend(promoted with { Name = "primary", Role = VariantRole.Primary, Weight = 100 }).ToArray();
        var record = await ChangeAsync(name, _ => new Plan(
            variants, current.Settings, null, "canary_promote",
            $"Canary {promoted.ModelName}/{promoted.ModelVersion} promoted to primary: {reason}"), actor, cancellationToken, keepOld ?? TimeSpan.FromMinutes(10), current.Revision);
        if (canary.PromoteAlias is { } alias)
        {
            await _registry.SetAliasAsync(promoted.ModelName, alias, promoted.ModelVersion, cancellationToken);
        }

        return record;
    }

    /// <summary>Removes a running canary and gives the primary all traffic again (<paramref name="change"/>: canary_abort by hand, canary_rollback by analysis).</summary>
    public async Task<Deployment> AbortCanaryAsync(string name, string reason, string actor, CancellationToken cancellationToken, string change = "canary_abort")
    {
        var current = await RequireAsync(name, cancellationToken);
        var canary = current.Canary ?? throw new KilnException(Core.Errors.KilnErrorKind.Conflict, $"No canary is running on '{name}'.");
        var variants = current.Variants.Where(v => v.Name != canary.Variant).Select(v => v.Role == VariantRole.Primary ? v with { Weight = 100 } : v).ToArray();
        var removed = current.Variants.Single(v => v.Name == canary.Variant);
        return await ChangeAsync(name, _ => new Plan(
            variants, current.Settings, null, change,
            $"Canary {removed.ModelName}/{removed.ModelVersion} removed: {reason}"), actor, cancellationToken, basedOn: current.Revision);
    }

    /// <summary>Loads and warms <paramref name="modelReference"/> alongside, then flips all traffic to it at once; the old version stays loaded for <paramref name="keepOld"/>.</summary>
    public async Task<Deployment> BlueGreenAsync(string name, string modelReference, TimeSpan keepOld, string actor, CancellationToken cancellationToken)
    {
        var version = await ResolveAsync(modelReference, "model", cancellationToken);
        var requested = ModelReference.Parse(modelReference, "model").ToString();
        var current = await RequireAsync(name, cancellationToken);
        if (current.Canary is not null)
        {
            throw new KilnException(Core.Errors.KilnErrorKind.Conflict, $"A canary is running on '{name}'; promote or abort it first.");
        }

        var variants = current.Variants.Where(v => v.Role == VariantRole.Shadow)
            .Prepend(new DeploymentVariant("primary", version.ModelName, version.Version, requested, 100, VariantRole.Primary)).ToArray();
        var before = string.Join(", ", current.Variants.Where(v => v.Routable).Select(v => $"{v.ModelName}/{v.ModelVersion}"));
        return await ChangeAsync(name, _ => new Plan(
            variants, current.Settings, null, "bluegreen",
            $"Blue-green: all traffic from {before} to {version.ModelName}/{version.Version}; the old version stays loaded for {keepOld.TotalMinutes:0.#} min."),
            actor, cancellationToken, keepOld, current.Revision);
    }

    /// <summary>Adds (or replaces) a shadow variant that gets a copy of <paramref name="sample"/> of requests.</summary>
    public async Task<Deployment> SetShadowAsync(string name, string modelReference, double sample, string actor, CancellationToken cancellationToken)
    {
        if (!(sample is > 0 and <= 1))
        {
            throw KilnException.Invalid("sample", "must be in (0, 1].");
        }

        var version = await ResolveAsync(modelReference, "model", cancellationToken);
        var requested = ModelReference.Parse(modelReference, "model").ToString();
        var current = await RequireAsync(name, cancellationToken);
        var variants = current.Variants.Where(v => v.Role != VariantRole.Shadow)
            .Append(new DeploymentVariant("shadow", version.ModelName, version.Version, requested, 0, VariantRole.Shadow) { ShadowSample = sample }).ToArray();
        return await ChangeAsync(name, _ => new Plan(
            variants, current.Settings, current.Canary, "shadow",
            $"Shadow {version.ModelName}/{version.Version} gets {sample:P0} of requests."), actor, cancellationToken, basedOn: current.Revision);
    }

    /// <summary>Removes the shadow variant.</summary>
    public async Task<Deployment> RemoveShadowAsync(string name, string actor, CancellationToken cancellationToken)
    {
        var current = await RequireAsync(name, cancellationToken);
        if (current.Variants.All(v => v.Role != VariantRole.Shadow))
        {
            throw KilnException.NotFound("Shadow of deployment", name);
        }

        var variants = current.Variants.Where(v => v.Role != VariantRole.Shadow).ToArray();
        return await ChangeAsync(name, _ => new Plan(variants, current.Settings, current.Canary, "shadow_remove", "Shadow removed."), actor, cancellationToken, basedOn: current.Revision);
    }

    /// <summary>Restores revision <paramref name="toRevision"/> (default: the one before the current) as a new revision.</summary>
    public async Task<Deployment> RollbackAsync(string name, int? toRevision, string actor, CancellationToken cancellationToken)
    {
        var current = await RequireAsync(name, cancellationToken);
        var history = await _store.HistoryAsync(name, cancellationToken);
        var target = toRevision ?? (current.Revision - 1);
        var revision = history.FirstOrDefault(r => r.Number == target)
            ?? throw (toRevision is null
                ? new KilnException(Core.Errors.KilnErrorKind.Conflict, $"'{name}' has no revision before {current.Revision} to roll back to.")
                : KilnException.NotFound("Revision", $"{name}#{target}"));
        if (revision.Number == current.Revision)
        {
            throw KilnException.Invalid("toRevision", $"{target} is the current revision.");
        }

        // A revision taken mid-canary comes back as the fixed split it had: no analysis resumes on restored weights.
        var variants = revision.Variants.Select(v => v.Role == VariantRole.Canary ? v with { Role = VariantRole.Primary } : v).ToArray();
        var served = string.Join(", ", variants.Where(v => v.Routable).Select(v => $"{v.ModelName}/{v.ModelVersion} {v.Weight}%"));
        return await ChangeAsync(name, _ => new Plan(
            variants, revision.Settings, null, "rollback",
            $"Rolled back to revision {revision.Number} ({served})."), actor, cancellationToken, TimeSpan.FromMinutes(10), current.Revision);
    }

    /// <summary>A deployment's revisions, newest first.</summary>
    public async Task<IReadOnlyList<DeploymentRevision>> HistoryAsync(string name, CancellationToken cancellationToken)
    {
        await RequireAsync(name, cancellationToken);
        return await _store.HistoryAsync(name, cancellationToken);
    }

    public async Task<bool> DeleteAsync(string name, CancellationToken cancellationToken)
    {
        await _changes.WaitAsync(cancellationToken);
        try
        {
            var deleted = await _store.DeleteAsync(name, cancellationToken);
            Unserve(name);
            foreach (var observer in _observers)
            {
                observer.DeploymentChanged(name, 0);
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

        // Deployments load side by side (one per core): each is reading an artifact and building a session, so a server
        // with several deployments is ready in about the time of its largest one, not of their sum.
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(deployments, parallel, async (deployment, token) =>
        {
            try
            {
                var variants = await LoadVariantsAsync(deployment.Name, deployment.Variants, reuse: null, token);
                _table.Swap(new ServedDeployment(deployment, variants, _time));
                _states[deployment.Name] = new DeploymentState(deployment.Name, DeploymentStatus.Ready);
                LogRestored(deployment.Name, Describe(deployment.Variants), deployment.Revision);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                _states[deployment.Name] = new DeploymentState(deployment.Name, DeploymentStatus.Failed, e.Message);
                LogRestoreFailed(e, deployment.Name);
            }
        });

        _restored = true;
    }

    /// <summary>
    /// Makes this process serve what the store holds for <paramref name="name"/>: another replica changed or
    /// deleted it. A newer revision is loaded and warmed (reusing what serves now) before the atomic swap, as
    /// for a local change; if loading fails the current revision keeps serving and the state says why.
    /// </summary>
    public async Task SyncAsync(string name, CancellationToken cancellationToken)
    {
        await _changes.WaitAsync(cancellationToken);
        try
        {
            await SyncLockedAsync(name, await _store.GetAsync(name, cancellationToken), cancellationToken);
        }
        finally
        {
            _changes.Release();
        }
    }

    /// <summary>Brings every deployment in line with the store (the periodic reconcile, and after missed signals).</summary>
    public async Task SyncAllAsync(CancellationToken cancellationToken)
    {
        var stored = await _store.ListAsync(cancellationToken);
        foreach (var deployment in stored)
        {
            await _changes.WaitAsync(cancellationToken);
            try
            {
                await SyncLockedAsync(deployment.Name, deployment, cancellationToken);
            }
            finally
            {
                _changes.Release();
            }
        }

        foreach (var name in _states.Keys.Except(stored.Select(d => d.Name), StringComparer.Ordinal).ToArray())
        {
            await SyncAsync(name, cancellationToken);
        }
    }

    private async Task SyncLockedAsync(string name, Deployment? stored, CancellationToken cancellationToken)
    {
        var served = _table.TryGet(name, out var entry) ? entry : null;
        if (stored is null)
        {
            if (served is not null || _states.ContainsKey(name))
            {
                Unserve(name);
                LogSyncedDelete(name);
            }

            return;
        }

        if (served?.Deployment.Revision == stored.Revision)
        {
            return;
        }

        try
        {
            var variants = await LoadVariantsAsync(name, stored.Variants, served, cancellationToken);
            _table.Swap(new ServedDeployment(stored, variants, _time));
            _states[name] = new DeploymentState(name, DeploymentStatus.Ready);
            LogSynced(name, stored.Revision, Describe(stored.Variants));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _states[name] = new DeploymentState(name, served is null ? DeploymentStatus.Failed : DeploymentStatus.Ready, $"revision {stored.Revision} could not be loaded: {e.Message}");
            LogSyncFailed(e, name, stored.Revision);
        }
    }

    private void Unserve(string name)
    {
        _table.Remove(name);
        _retained.ReleaseAll(name);
        _states.TryRemove(name, out _);
        foreach (var observer in _observers)
        {
            observer.DeploymentDeleted(name);
        }
    }

    /// <summary>Releases blue-green and promotion leftovers whose time is up; the canary controller calls it on its schedule.</summary>
    public void ReleaseExpired() => _retained.ReleaseExpired();

    private sealed record Plan(IReadOnlyList<DeploymentVariant> Variants, DeploymentSettings Settings, CanaryRollout? Canary, string Change, string Reason);

    /// <summary>The one way a deployment changes: plan from the current record, load, store a revision, swap.</summary>
    /// <remarks>
    /// A plan built from a record read before the lock (<paramref name="basedOn"/>: its revision) is refused when
    /// another change committed in between, so it cannot silently undo that change (e.g. a shadow set during a
    /// blue-green flip putting the old primary back).
    /// </remarks>
    private async Task<Deployment> ChangeAsync(string name, Func<Deployment?, Plan?> plan, string actor, CancellationToken cancellationToken, TimeSpan? keepOld = null, int? basedOn = null)
    {
        await _changes.WaitAsync(cancellationToken);
        try
        {
            var served = _table.TryGet(name, out var entry) ? entry : null;
            // The store, not this process's table, is the truth: another replica may have changed the deployment.
            var current = await _store.GetAsync(name, cancellationToken);
            if (basedOn is { } expected && current?.Revision != expected)
            {
                throw new KilnException(Core.Errors.KilnErrorKind.Conflict,
                    $"'{name}' changed to revision {current?.Revision} while this change was being prepared from revision {expected}; nothing was changed, retry.");
            }

            if (plan(current) is not { } next)
            {
                return current!;
            }

            _states.TryAdd(name, new DeploymentState(name, DeploymentStatus.Loading));
            var variants = await LoadVariantsAsync(name, next.Variants, served, cancellationToken);
            Deployment record;
            try
            {
                record = await _store.SaveAsync(
                    new DeploymentChange(name, next.Variants, next.Settings, next.Canary, actor, next.Change, next.Reason, current?.Revision ?? 0),
                    cancellationToken);
            }
            catch
            {
                foreach (var variant in variants)
                {
                    variant.Model.Release();
                }

                throw;
            }

            if (served is not null && keepOld is { } keep)
            {
                _retained.Keep(name, served.Variants.Where(old => variants.All(v => !ReferenceEquals(v.Model, old.Model))).Select(v => v.Model), keep);
            }

            _table.Swap(new ServedDeployment(record, variants, _time));
            _states[name] = new DeploymentState(name, DeploymentStatus.Ready);
            LogChanged(name, record.Revision, next.Change, next.Reason);
            foreach (var observer in _observers)
            {
                observer.DeploymentChanged(name, record.Revision);
            }

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

    /// <summary>Warm models for every variant: reused from what serves now (or was kept after a flip) when the version matches, else loaded and warmed.</summary>
    private async Task<ServedVariant[]> LoadVariantsAsync(string deployment, IReadOnlyList<DeploymentVariant> variants, ServedDeployment? reuse, CancellationToken cancellationToken)
    {
        var loaded = new List<ServedVariant>(variants.Count);
        try
        {
            foreach (var variant in variants)
            {
                var model = Reuse(reuse, variant) ?? _retained.TryTake(deployment, variant.ModelName, variant.ModelVersion)
                    ?? loaded.Select(l => l.Model).FirstOrDefault(m => m.ModelName == variant.ModelName && m.Version == variant.ModelVersion && m.TryAcquire())
                    ?? await LoadAsync(deployment, variant, cancellationToken);
                loaded.Add(new ServedVariant(variant, model));
            }

            return [.. loaded];
        }
        catch
        {
            foreach (var served in loaded)
            {
                served.Model.Release();
            }

            throw;
        }
    }

    private static LoadedModel? Reuse(ServedDeployment? served, DeploymentVariant variant)
    {
        if (served is null)
        {
            return null;
        }

        foreach (var candidate in served.Variants)
        {
            if (candidate.Model.ModelName == variant.ModelName && candidate.Model.Version == variant.ModelVersion && candidate.Model.TryAcquire())
            {
                return candidate.Model;
            }
        }

        return null;
    }

    private async Task<LoadedModel> LoadAsync(string deployment, DeploymentVariant variant, CancellationToken cancellationToken)
    {
        var version = await _registry.GetVersionAsync(variant.ModelName, variant.ModelVersion, cancellationToken)
            ?? throw KilnException.NotFound("Model version", $"{variant.ModelName}/{variant.ModelVersion}");
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

    private async Task<ModelVersion> ResolveAsync(string modelReference, string field, CancellationToken cancellationToken)
    {
        var reference = ModelReference.Parse(modelReference, field);
        return await _registry.ResolveAsync(reference, cancellationToken) ?? throw KilnException.NotFound("Model version", reference.ToString());
    }

    private async Task<Deployment> RequireAsync(string name, CancellationToken cancellationToken) =>
        (_table.TryGet(name, out var served) ? served.Deployment : await _store.GetAsync(name, cancellationToken)) ?? throw KilnException.NotFound("Deployment", name);

    private static IEnumerable<DeploymentVariant> Weights(IReadOnlyList<DeploymentVariant> variants, DeploymentVariant primary, int weight) =>
        variants.Select(v => v == primary ? v with { Weight = weight } : v);

    private static string Describe(IReadOnlyList<DeploymentVariant> variants) =>
        string.Join(", ", variants.Select(v => $"{v.Name}={v.ModelName}/{v.ModelVersion}{(v.Role == VariantRole.Shadow ? " (shadow)" : $" {v.Weight}%")}"));

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Deployment {Deployment} revision {Revision} ({Change}): {Reason}")]
    private partial void LogChanged(string deployment, int revision, string change, string reason);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "Changing deployment {Deployment} failed")]
    private partial void LogDeployFailed(Exception exception, string deployment);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Information, Message = "Restored deployment {Deployment} revision {Revision}: {Variants}")]
    private partial void LogRestored(string deployment, string variants, int revision);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Error, Message = "Could not restore deployment {Deployment}")]
    private partial void LogRestoreFailed(Exception exception, string deployment);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Information, Message = "Deployment {Deployment} revision {Revision} from another replica now serves here: {Variants}")]
    private partial void LogSynced(string deployment, int revision, string variants);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Information, Message = "Deployment {Deployment} was deleted through another replica; no longer served here")]
    private partial void LogSyncedDelete(string deployment);

    [LoggerMessage(EventId = 2007, Level = LogLevel.Error, Message = "Could not load deployment {Deployment} revision {Revision} changed by another replica; the previous revision keeps serving")]
    private partial void LogSyncFailed(Exception exception, string deployment, int revision);
}
