using System.Globalization;
using System.Text;
using Kiln.Core;
using Kiln.Core.Tracking;
using Kiln.Core.Tracking.Search;
using Kiln.Storage.Entities;
using Microsoft.EntityFrameworkCore;

namespace Kiln.Storage.Stores;

/// <summary>
/// Experiments and runs on EF Core, with MLflow's semantics: params are write-once (the same value
/// again is fine), metrics are append-only series with a maintained latest value, tags are mutable.
/// Search loads the candidate runs and filters and orders them with <see cref="RunFilter"/> and <see cref="RunOrdering"/>.
/// </summary>
public sealed class EfTrackingStore(IDbContextFactory<KilnDbContext> contexts, TimeProvider time) : ITrackingStore
{
    private static readonly IReadOnlyDictionary<string, string> NoParams = new Dictionary<string, string>();
    private static readonly IReadOnlyDictionary<string, double> NoMetrics = new Dictionary<string, double>();

    public const int MaxKeyLength = 250;
    public const int MaxParamValueLength = 6000;
    public const int MaxTagValueLength = 8000;

    public async Task<Experiment> CreateExperimentAsync(string name, IReadOnlyDictionary<string, string>? tags, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > 256)
        {
            throw KilnException.Invalid("name", "an experiment needs a name of 1–256 characters.");
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        if (await db.Experiments.AnyAsync(e => e.Name == name, cancellationToken))
        {
            throw KilnException.Conflict($"Experiment '{name}' already exists.");
        }

        var now = time.GetUtcNow();
        var entity = new ExperimentEntity { Name = name, ArtifactLocation = "", CreatedAt = now, UpdatedAt = now, TagsJson = StoredJson.Write(tags) };
        db.Experiments.Add(entity);
        await db.SaveChangesAsync(cancellationToken);
        entity.ArtifactLocation = $"kiln-artifacts:/experiments/{entity.Id}";
        await db.SaveChangesAsync(cancellationToken);
        return ToExperiment(entity);
    }

    public async Task<Experiment?> GetExperimentAsync(string id, CancellationToken cancellationToken)
    {
        if (!int.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            return null;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var entity = await db.Experiments.AsNoTracking().SingleOrDefaultAsync(e => e.Id == number, cancellationToken);
        return entity is null ? null : ToExperiment(entity);
    }

    public async Task<Experiment?> GetExperimentByNameAsync(string name, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var entity = await db.Experiments.AsNoTracking().SingleOrDefaultAsync(e => e.Name == name, cancellationToken);
        return entity is null ? null : ToExperiment(entity);
    }

    public async Task<IReadOnlyList<Experiment>> ListExperimentsAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var entities = await db.Experiments.AsNoTracking().OrderBy(e => e.Name).ToListAsync(cancellationToken);
        return entities.Select(ToExperiment).ToArray();
    }

    public async Task<Experiment> RenameExperimentAsync(string id, string newName, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(newName) || newName.Length > 256)
        {
            throw KilnException.Invalid("new_name", "an experiment needs a name of 1–256 characters.");
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var entity = await FindExperimentAsync(db, id, cancellationToken);
        if (entity.Name != newName && await db.Experiments.AnyAsync(e => e.Name == newName, cancellationToken))
        {
            throw KilnException.Conflict($"Experiment '{newName}' already exists.");
        }

        entity.Name = newName;
        entity.UpdatedAt = time.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        return ToExperiment(entity);
    }

    public async Task<Experiment> SetExperimentLifecycleAsync(string id, bool deleted, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var entity = await FindExperimentAsync(db, id, cancellationToken);
        entity.LifecycleStage = deleted ? "deleted" : "active";
        entity.UpdatedAt = time.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        return ToExperiment(entity);
    }

    public async Task SetExperimentTagAsync(string id, string key, string value, CancellationToken cancellationToken)
    {
        var tag = new Dictionary<string, string> { [key] = value ?? "" };
        ValidateTags(tag);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var entity = await FindExperimentAsync(db, id, cancellationToken);
        var tags = StoredJson.ReadTags(entity.TagsJson);
        tags[key] = value ?? "";
        entity.TagsJson = StoredJson.Write(tags);
        entity.UpdatedAt = time.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task<Run> CreateRunAsync(string experimentId, string? name, IReadOnlyDictionary<string, string>? tags, CancellationToken cancellationToken)
    {
        var experiment = await GetExperimentAsync(experimentId, cancellationToken) ?? throw KilnException.NotFound("Experiment", experimentId);
        ValidateTags(tags);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var id = Guid.NewGuid().ToString("N");
        var entity = new RunEntity
        {
            Id = id,
            ExperimentId = int.Parse(experiment.Id, CultureInfo.InvariantCulture),
            Name = string.IsNullOrWhiteSpace(name) ? $"run-{id[..8]}" : name.Trim(),
            Status = (int)RunStatus.Running,
            StartTime = time.GetUtcNow(),
            ArtifactUri = $"{experiment.ArtifactLocation}/{id}/artifacts",
            TagsJson = StoredJson.Write(tags),
        };
        db.Runs.Add(entity);
        await db.SaveChangesAsync(cancellationToken);
        return ToRun(entity, [], [], []);
    }

    public async Task<Run?> GetRunAsync(string runId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var runs = await LoadRunsAsync(db, db.Runs.Where(r => r.Id == runId), cancellationToken);
        return runs.Count == 0 ? null : runs[0];
    }

    public async Task<Run> UpdateRunAsync(string runId, RunStatus? status, string? name, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var entity = await db.Runs.SingleOrDefaultAsync(r => r.Id == runId, cancellationToken) ?? throw KilnException.NotFound("Run", runId);
        if (status is { } newStatus)
        {
            entity.Status = (int)newStatus;
            entity.EndTime = newStatus is RunStatus.Finished or RunStatus.Failed or RunStatus.Killed ? time.GetUtcNow() : null;
        }

        if (!string.IsNullOrWhiteSpace(name))
        {
            entity.Name = name.Trim();
        }

        await db.SaveChangesAsync(cancellationToken);
        return (await GetRunAsync(runId, cancellationToken))!;
    }

    public async Task SetRunLifecycleAsync(string runId, bool deleted, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var entity = await db.Runs.SingleOrDefaultAsync(r => r.Id == runId, cancellationToken) ?? throw KilnException.NotFound("Run", runId);
        entity.LifecycleStage = deleted ? "deleted" : "active";
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task DeleteRunTagAsync(string runId, string key, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var entity = await db.Runs.SingleOrDefaultAsync(r => r.Id == runId, cancellationToken) ?? throw KilnException.NotFound("Run", runId);
        var tags = StoredJson.ReadTags(entity.TagsJson);
        if (!tags.Remove(key))
        {
            throw KilnException.NotFound("Tag", key);
        }

        entity.TagsJson = StoredJson.Write(tags);
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task LogAsync(string runId, RunLog log, CancellationToken cancellationToken)
    {
        ValidateLog(log);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var run = await db.Runs.SingleOrDefaultAsync(r => r.Id == runId, cancellationToken) ?? throw KilnException.NotFound("Run", runId);
        if (run.LifecycleStage != "active")
        {
            throw KilnException.Invalid("run_id", $"run '{runId}' is deleted; restore it before logging to it.");
        }

        if (log.Params is { Count: > 0 } parameters)
        {
            var keys = parameters.Keys.ToArray();
            var existing = await db.RunParams.Where(p => p.RunId == runId && keys.Contains(p.Key)).ToDictionaryAsync(p => p.Key, p => p.Value, cancellationToken);
            foreach (var (key, value) in parameters)
            {
                if (existing.TryGetValue(key, out var old))
                {
                    if (old != value)
                    {
                        throw KilnException.Invalid($"params.{key}", $"is already logged as '{Shorten(old)}'; params are write-once (log '{Shorten(value)}' under another key).");
                    }

                    continue;
                }

                db.RunParams.Add(new RunParamEntity { RunId = runId, Key = key, Value = value });
            }
        }

        if (log.Metrics is { Count: > 0 } metrics)
        {
            await AppendMetricsAsync(db, runId, metrics, cancellationToken);
        }

        if (log.Tags is { Count: > 0 } tags)
        {
            var merged = StoredJson.ReadTags(run.TagsJson);
            foreach (var (key, value) in tags)
            {
                merged[key] = value;
            }

            run.TagsJson = StoredJson.Write(merged);
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task LogInputsAsync(string runId, IReadOnlyList<DatasetInput> inputs, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var run = await db.Runs.SingleOrDefaultAsync(r => r.Id == runId, cancellationToken) ?? throw KilnException.NotFound("Run", runId);
        var all = StoredJson.ReadInputs(run.InputsJson).ToList();
        foreach (var input in inputs)
        {
            if (string.IsNullOrWhiteSpace(input.Name) || string.IsNullOrWhiteSpace(input.Digest))
            {
                throw KilnException.Invalid("datasets", "every dataset needs a name and a digest.");
            }

            all.RemoveAll(d => d.Name == input.Name && d.Digest == input.Digest && d.Context == input.Context);
            all.Add(input);
        }

        run.InputsJson = StoredJson.Write(all);
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<MetricPoint>> GetMetricHistoryAsync(string runId, string key, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        if (!await db.Runs.AnyAsync(r => r.Id == runId, cancellationToken))
        {
            throw KilnException.NotFound("Run", runId);
        }

        var points = await db.RunMetrics.AsNoTracking().Where(m => m.RunId == runId && m.Key == key)
            .OrderBy(m => m.Step).ThenBy(m => m.Timestamp).ThenBy(m => m.Id).ToListAsync(cancellationToken);
        return points.Select(m => new MetricPoint(m.Key, m.Value, m.Timestamp, m.Step)).ToArray();
    }

    public async Task<RunPage> SearchRunsAsync(RunQuery query, CancellationToken cancellationToken)
    {
        if (query.MaxResults is < 1 or > 50_000)
        {
            throw KilnException.Invalid("maxResults", "must be between 1 and 50000.");
        }

        var filter = RunFilter.Parse(query.Filter);
        var ordering = RunOrdering.Parse(query.OrderBy);
        var offset = DecodePageToken(query.PageToken);
        var experimentIds = (query.ExperimentIds ?? []).Select(id =>
            int.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : throw KilnException.Invalid("experimentIds", $"'{id}' is not an experiment id.")).ToArray();

        IQueryable<RunEntity> Candidates(KilnDbContext db) => experimentIds.Length > 0
            ? db.Runs.Where(r => r.LifecycleStage == "active" && experimentIds.Contains(r.ExperimentId))
            : db.Runs.Where(r => r.LifecycleStage == "active");

        // Filter and sort on slim runs that carry only the fields the filter and ordering read, then load the page whole:
        // with 10,000 runs that is 10,000 narrow rows per referenced key instead of every param and metric of every run.
        var fields = filter.Fields.Concat(ordering.Fields).ToArray();
        var slim = await LoadSlimRunsAsync(Candidates, fields, cancellationToken);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var matching = slim.Where(filter.Matches).Order(ordering).ToList();
        var pageIds = matching.Skip(offset).Take(query.MaxResults).Select(r => r.Id).ToArray();
        var loaded = (await LoadRunsAsync(db, db.Runs.Where(r => pageIds.Contains(r.Id)), cancellationToken)).ToDictionary(r => r.Id);
        var page = pageIds.Select(id => loaded[id]).ToArray();
        var next = offset + page.Length < matching.Count ? EncodePageToken(offset + page.Length) : null;
        return new RunPage(page, next);
    }

    /// <summary>
    /// The candidates' attributes, plus only the params, latest metrics and tags that <paramref name="fields"/> name: runs
    /// to filter and sort, never returned. Read as narrow projections (not entities) and built without ordering or
    /// copying, since at 10,000 runs materialising entities and full runs cost more than the queries.
    /// </summary>
    private async Task<List<Run>> LoadSlimRunsAsync(Func<KilnDbContext, IQueryable<RunEntity>> candidates, IReadOnlyList<RunField> fields, CancellationToken cancellationToken)
    {
        var metricKeys = fields.Where(f => f.Kind == RunFieldKind.Metric).Select(f => f.Key).Distinct().ToArray();
        var paramKeys = fields.Where(f => f.Kind == RunFieldKind.Param).Select(f => f.Key).Distinct().ToArray();
        var withTags = fields.Any(f => f.Kind == RunFieldKind.Tag);
        // Never the dataset inputs (their profiles can be large); the tags only when a field names one. The three reads are
        // independent: each on its own context, side by side.
        var runsTask = ReadAsync(db => candidates(db)
            .Select(r => new SlimRun(r.Id, r.ExperimentId, r.Name, r.Status, r.StartTime, r.EndTime, r.LifecycleStage, withTags ? r.TagsJson : null)));
        var metricsTask = metricKeys.Length == 0 ? Task.FromResult(new List<KeyValue<double>>()) : ReadAsync(db =>
        {
            var ids = candidates(db).Select(r => r.Id);
            return db.RunLatestMetrics.Where(m => metricKeys.Contains(m.Key) && ids.Contains(m.RunId)).Select(m => new KeyValue<double>(m.RunId, m.Key, m.Value));
        });
        var paramsTask = paramKeys.Length == 0 ? Task.FromResult(new List<KeyValue<string>>()) : ReadAsync(db =>
        {
            var ids = candidates(db).Select(r => r.Id);
            return db.RunParams.Where(p => paramKeys.Contains(p.Key) && ids.Contains(p.RunId)).Select(p => new KeyValue<string>(p.RunId, p.Key, p.Value));
        });
        var runs = await runsTask;
        var metrics = ByRun(await metricsTask);
        var parameters = ByRun(await paramsTask);

        async Task<List<T>> ReadAsync<T>(Func<KilnDbContext, IQueryable<T>> query)
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            return await query(db).ToListAsync(cancellationToken);
        }

        return runs.Select(r => new Run
        {
            Id = r.Id,
            ExperimentId = r.ExperimentId.ToString(CultureInfo.InvariantCulture),
            Name = r.Name,
            Status = (RunStatus)r.Status,
            StartTime = r.StartTime,
            EndTime = r.EndTime,
            LifecycleStage = r.LifecycleStage,
            ArtifactUri = string.Empty,
            Params = parameters.GetValueOrDefault(r.Id) ?? NoParams,
            Metrics = metrics.GetValueOrDefault(r.Id) ?? NoMetrics,
            Tags = r.TagsJson is null ? NoParams : StoredJson.ReadTags(r.TagsJson),
        }).ToList();
    }

    private static Dictionary<string, Dictionary<string, T>> ByRun<T>(List<KeyValue<T>> values)
    {
        var byRun = new Dictionary<string, Dictionary<string, T>>(StringComparer.Ordinal);
        foreach (var v in values)
        {
            (byRun.TryGetValue(v.RunId, out var of) ? of : byRun[v.RunId] = new(StringComparer.Ordinal))[v.Key] = v.Value;
        }

        return byRun;
    }

    private sealed record SlimRun(string Id, int ExperimentId, string Name, int Status, DateTimeOffset StartTime, DateTimeOffset? EndTime, string LifecycleStage, string? TagsJson);

    private sealed record KeyValue<T>(string RunId, string Key, T Value);

    public async Task AddArtifactAsync(string runId, RunArtifact artifact, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        if (!await db.Runs.AnyAsync(r => r.Id == runId, cancellationToken))
        {
            throw KilnException.NotFound("Run", runId);
        }

        var existing = await db.RunArtifacts.SingleOrDefaultAsync(a => a.RunId == runId && a.Path == artifact.Path, cancellationToken);
        if (existing is null)
        {
            db.RunArtifacts.Add(new RunArtifactEntity { RunId = runId, Path = artifact.Path, Sha256 = artifact.Sha256, Size = artifact.Size });
        }
        else
        {
            existing.Sha256 = artifact.Sha256;
            existing.Size = artifact.Size;
        }

        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<RunArtifact>> ListArtifactsAsync(string runId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        if (!await db.Runs.AnyAsync(r => r.Id == runId, cancellationToken))
        {
            throw KilnException.NotFound("Run", runId);
        }

        var artifacts = await db.RunArtifacts.AsNoTracking().Where(a => a.RunId == runId).OrderBy(a => a.Path).ToListAsync(cancellationToken);
        return artifacts.Select(a => new RunArtifact(a.Path, a.Size, a.Sha256)).ToArray();
    }

    private static async Task<ExperimentEntity> FindExperimentAsync(KilnDbContext db, string id, CancellationToken cancellationToken)
    {
        var number = int.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : -1;
        return await db.Experiments.SingleOrDefaultAsync(e => e.Id == number, cancellationToken) ?? throw KilnException.NotFound("Experiment", id);
    }

    private async Task AppendMetricsAsync(KilnDbContext db, string runId, IReadOnlyList<MetricPoint> metrics, CancellationToken cancellationToken)
    {
        var keys = metrics.Select(m => m.Key).Distinct().ToArray();
        var latest = await db.RunLatestMetrics.Where(m => m.RunId == runId && keys.Contains(m.Key)).ToDictionaryAsync(m => m.Key, cancellationToken);
        foreach (var point in metrics)
        {
            var timestamp = point.Timestamp == default ? time.GetUtcNow() : point.Timestamp;
            db.RunMetrics.Add(new RunMetricEntity { RunId = runId, Key = point.Key, Value = point.Value, Timestamp = timestamp, Step = point.Step });
            if (!latest.TryGetValue(point.Key, out var current))
            {
                current = new RunLatestMetricEntity { RunId = runId, Key = point.Key, Value = point.Value, Timestamp = timestamp, Step = point.Step };
                latest[point.Key] = current;
                db.RunLatestMetrics.Add(current);
            }
            else if (point.Step > current.Step || (point.Step == current.Step && timestamp >= current.Timestamp))
            {
                current.Value = point.Value;
                current.Timestamp = timestamp;
                current.Step = point.Step;
            }
        }
    }

    private static async Task<List<Run>> LoadRunsAsync(KilnDbContext db, IQueryable<RunEntity> runs, CancellationToken cancellationToken)
    {
        var entities = await runs.AsNoTracking().ToListAsync(cancellationToken);
        if (entities.Count == 0)
        {
            return [];
        }

        var ids = entities.Select(r => r.Id).ToArray();
        var parameters = (await db.RunParams.AsNoTracking().Where(p => ids.Contains(p.RunId)).ToListAsync(cancellationToken)).ToLookup(p => p.RunId);
        var metrics = (await db.RunLatestMetrics.AsNoTracking().Where(m => ids.Contains(m.RunId)).ToListAsync(cancellationToken)).ToLookup(m => m.RunId);
        return entities.Select(r => ToRun(r, parameters[r.Id], metrics[r.Id], StoredJson.ReadInputs(r.InputsJson))).ToList();
    }

    private static Run ToRun(RunEntity entity, IEnumerable<RunParamEntity> parameters, IEnumerable<RunLatestMetricEntity> metrics, IReadOnlyList<DatasetInput> inputs) => new()
    {
        Id = entity.Id,
        ExperimentId = entity.ExperimentId.ToString(CultureInfo.InvariantCulture),
        Name = entity.Name,
        Status = (RunStatus)entity.Status,
        StartTime = entity.StartTime,
        EndTime = entity.EndTime,
        LifecycleStage = entity.LifecycleStage,
        ArtifactUri = entity.ArtifactUri,
        Params = parameters.OrderBy(p => p.Key, StringComparer.Ordinal).ToDictionary(p => p.Key, p => p.Value),
        Metrics = metrics.OrderBy(m => m.Key, StringComparer.Ordinal).ToDictionary(m => m.Key, m => m.Value),
        LatestMetricPoints = metrics.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => new MetricPoint(m.Key, m.Value, m.Timestamp, m.Step)).ToArray(),
        Tags = StoredJson.ReadTags(entity.TagsJson),
        Inputs = inputs,
    };

    private static Experiment ToExperiment(ExperimentEntity entity) => new()
    {
        Id = entity.Id.ToString(CultureInfo.InvariantCulture),
        Name = entity.Name,
        ArtifactLocation = entity.ArtifactLocation,
        LifecycleStage = entity.LifecycleStage,
        CreatedAt = entity.CreatedAt,
        UpdatedAt = entity.UpdatedAt,
        Tags = StoredJson.ReadTags(entity.TagsJson),
    };

    private static void ValidateLog(RunLog log)
    {
        foreach (var (key, value) in log.Params ?? new Dictionary<string, string>())
        {
            ValidateKey(key, "params");
            if (value.Length > MaxParamValueLength)
            {
                throw KilnException.Invalid($"params.{key}", $"is longer than {MaxParamValueLength} characters.");
            }
        }

        foreach (var point in log.Metrics ?? [])
        {
            ValidateKey(point.Key, "metrics");
        }

        ValidateTags(log.Tags);
    }

    private static void ValidateTags(IReadOnlyDictionary<string, string>? tags)
    {
        foreach (var (key, value) in tags ?? new Dictionary<string, string>())
        {
            ValidateKey(key, "tags");
            if (value.Length > MaxTagValueLength)
            {
                throw KilnException.Invalid($"tags.{key}", $"is longer than {MaxTagValueLength} characters.");
            }
        }
    }

    private static void ValidateKey(string key, string field)
    {
        if (string.IsNullOrWhiteSpace(key) || key.Length > MaxKeyLength || key.Any(char.IsControl) || key.Contains("..", StringComparison.Ordinal) || key.StartsWith('/'))
        {
            throw KilnException.Invalid(field, $"key '{Shorten(key)}' must be 1–{MaxKeyLength} characters, without control characters, '..' or a leading '/'.");
        }
    }

    private static string Shorten(string value) => value.Length <= 40 ? value : value[..40] + "…";

    private static int DecodePageToken(string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return 0;
        }

        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(token));
            return text.StartsWith("offset:", StringComparison.Ordinal) && int.TryParse(text.AsSpan(7), NumberStyles.None, CultureInfo.InvariantCulture, out var offset)
                ? offset
                : throw KilnException.Invalid("pageToken", "is not a token this server gave out.");
        }
        catch (FormatException)
        {
            throw KilnException.Invalid("pageToken", "is not a token this server gave out.");
        }
    }

    private static string EncodePageToken(int offset) => Convert.ToBase64String(Encoding.UTF8.GetBytes($"offset:{offset.ToString(CultureInfo.InvariantCulture)}"));
}
