using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Kiln.Core;
using Kiln.Core.Deployments;
using Kiln.Core.Monitoring;
using Kiln.Core.Registry;
using Kiln.Pipelines.Definitions;
using Kiln.Pipelines.Execution;
using Kiln.Training.Data;
using Kiln.Training.Demo;

namespace Kiln.Server.Pipelines.Steps;

/// <summary>
/// A data step: a file or folder's dataset, the Bank Marketing generator, or a deployment's own recent production
/// rows that have their ground truth (the features it was asked to score, and the label that came back later),
/// optionally appended to an earlier dataset. The rows are stored as one CSV artifact.
/// </summary>
internal sealed class DataStepExecutor(PipelineArtifacts artifacts, IPredictionLogStore log, IDeploymentStore deployments, IModelRegistry registry, TimeProvider time)
    : IStepExecutor
{
    private const int PageRows = 5000;
    private const int DefaultGeneratorRows = 5000;
    private const int DefaultProductionLimit = 100_000;
    private static readonly TimeSpan DefaultSince = TimeSpan.FromDays(7);

    public string Kind => StepKinds.Data;

    public async ValueTask<string?> CacheIdentityAsync(StepExecution step, CancellationToken cancellationToken) => step.Text("source") switch
    {
        // A file's content decides its dataset, whatever its path; production rows change by the minute, so they are never reused.
        "file" => "file:" + await PipelineArtifacts.DigestOfPathAsync(artifacts.AllowedPath(step.Text("path")!, "path"), cancellationToken),
        "production" => $"run:{step.RunId}:{step.Attempt}",
        _ => null,
    };

    public async Task<JsonObject> ExecuteAsync(StepExecution step, CancellationToken cancellationToken)
    {
        var scratch = Directory.CreateTempSubdirectory("kiln-data-").FullName;
        try
        {
            var (path, rows, holdoutPath, holdoutRows) = step.Text("source") switch
            {
                "file" => await FileAsync(step, scratch, cancellationToken),
                "generator" => Generate(step, scratch),
                "production" => await ProductionAsync(step, scratch, cancellationToken),
                var other => throw new StepFailedException($"input source: '{other}' is not file, generator or production"),
            };
            var dataset = await artifacts.PutDatasetAsync(path, rows, cancellationToken);
            step.Log.Write($"stored {rows} rows as dataset {dataset["digest"]!.GetValue<string>()[..12]} ({dataset["size"]} bytes)");
            var outputs = new JsonObject { ["dataset"] = dataset, ["rows"] = rows, ["digest"] = dataset["digest"]!.DeepClone() };
            if (holdoutPath is not null)
            {
                outputs["holdout"] = await artifacts.PutDatasetAsync(holdoutPath, holdoutRows, cancellationToken);
                step.Log.Write($"set aside {holdoutRows} production rows as the holdout {outputs["holdout"]!["digest"]!.GetValue<string>()[..12]}");
            }

            return outputs;
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    private async Task<(string Path, long Rows, string? HoldoutPath, long HoldoutRows)> FileAsync(StepExecution step, string scratch, CancellationToken cancellationToken)
    {
        var path = artifacts.AllowedPath(step.Text("path")!, "path");
        if (!Directory.Exists(path))
        {
            var data = await TabularReader.LoadAsync(path, cancellationToken: cancellationToken);
            step.Log.Write($"read {data.Rows} rows and {data.Columns.Count} columns from {Path.GetFileName(path)}");
            return (path, data.Rows, null, 0);
        }

        // A folder: every CSV and Parquet file in it (name order), one table; a column missing from a file is empty there.
        var files = Directory.EnumerateFiles(path).Where(PipelineArtifacts.IsTable).Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0)
        {
            throw new StepFailedException($"input path: the folder '{step.Text("path")}' holds no .csv or .parquet file");
        }

        var tables = new List<TabularData>();
        foreach (var file in files)
        {
            tables.Add(await TabularReader.LoadAsync(file, cancellationToken: cancellationToken));
        }

        var columns = tables.SelectMany(t => t.Columns.Select(c => c.Name)).Distinct(StringComparer.Ordinal).ToList();
        var rows = tables.SelectMany(t => Enumerable.Range(0, t.Rows).Select(r => (IReadOnlyList<string?>)columns
            .Select(name => t.TryGetColumn(name, out var column) ? column.Text(r) : null).ToArray()));
        var combined = Path.Combine(scratch, Path.GetFileName(Path.TrimEndingDirectorySeparator(path)) + ".csv");
        await using (var writer = new StreamWriter(combined, false, new UTF8Encoding(false)))
        {
            TabularCsv.Write(writer, columns, rows);
        }

        var total = tables.Sum(t => (long)t.Rows);
        step.Log.Write($"read {total} rows and {columns.Count} columns from {files.Count} files in {Path.GetFileName(Path.TrimEndingDirectorySeparator(path))}");
        return (combined, total, null, 0);
    }


    private static (string Path, long Rows, string? HoldoutPath, long HoldoutRows) Generate(StepExecution step, string scratch)
    {
        var rows = (int)Math.Clamp(step.Integer("rows") ?? DefaultGeneratorRows, 1, 10_000_000);
        var seed = (int)(step.Integer("seed") ?? 0);
        var drift = step.Number("drift") ?? 0;
        if (drift is < 0 or > 1)
        {
            throw new StepFailedException("input drift: must be between 0 and 1");
        }

        var path = BankMarketingGenerator.WriteFile(Path.Combine(scratch, "bank-marketing.csv"), rows, seed, drift);
        step.Log.Write(string.Create(CultureInfo.InvariantCulture, $"generated {rows} Bank Marketing rows (seed {seed}, drift {drift})"));
        return (path, rows, null, 0);
    }

    private async Task<(string Path, long Rows, string? HoldoutPath, long HoldoutRows)> ProductionAsync(StepExecution step, string scratch, CancellationToken cancellationToken)
    {
        var name = step.Text("deployment")!;
        var deployment = await deployments.GetAsync(name, cancellationToken) ?? throw new StepFailedException($"input deployment: there is no deployment '{name}'");
        var label = step.Text("label") ?? await LabelOfAsync(deployment, cancellationToken);
        var since = step.Duration("since") ?? DefaultSince;
        var limit = (int)Math.Clamp(step.Integer("limit") ?? DefaultProductionLimit, 1, 10_000_000);
        var now = time.GetUtcNow();

        // Newest first is not a query the log offers; keep a ring of the newest `limit` labelled rows while paging forward.
        var newest = new Queue<PredictionRow>();
        long logged = 0;
        var after = 0L;
        while (true)
        {
            var page = 0;
            await foreach (var row in log.QueryAsync(new PredictionQuery(name, now - since, now, null, after, PageRows), cancellationToken))
            {
                page++;
                logged++;
                after = row.Id;
                if (row.Label is null)
                {
                    continue;
                }

                newest.Enqueue(row);
                if (newest.Count > limit)
                {
                    newest.Dequeue();
                }
            }

            if (page < PageRows)
            {
                break;
            }
        }

        step.Log.Write($"read {newest.Count} labelled rows of {logged} logged by {name} in the last {DurationText.Format(since)}");
        if (newest.Count == 0)
        {
            throw new StepFailedException($"deployment {name} has no labelled predictions in the last {DurationText.Format(since)}; send ground truth first (POST /api/deployments/{name}/ground-truth)");
        }

        TabularData? history = null;
        if (step.Inputs["merge"] is { } merge)
        {
            history = await TabularReader.LoadAsync(await artifacts.FetchDatasetAsync(merge, scratch, "merge", cancellationToken), cancellationToken: cancellationToken);
        }

        var columns = history?.Columns.Select(c => c.Name).ToList() ?? FeatureNames(newest.Peek()).Append(label).ToList();
        if (!columns.Contains(label))
        {
            throw new StepFailedException($"input merge: the dataset has no column '{label}' (the label)");
        }

        var share = step.Number("holdout") ?? 0;
        if (share is < 0 or > 0.9)
        {
            throw new StepFailedException("input holdout: must be between 0 and 0.9");
        }

        // Rows are set aside by a hash of their request id and row, so a rerun over the same rows sets aside the same ones.
        var (held, kept) = Split(newest, share);
        var path = Path.Combine(scratch, $"{name}-production.csv");
        var rows = await WriteAsync(path, columns, label, history, kept, step);
        if (share == 0)
        {
            return (path, rows, null, 0);
        }

        if (held.Count == 0)
        {
            throw new StepFailedException($"a holdout of {share:P0} of {newest.Count} labelled rows is empty; read more rows (a longer since) or set aside a larger share");
        }

        var holdoutPath = Path.Combine(scratch, $"{name}-holdout.csv");
        return (path, rows, holdoutPath, await WriteAsync(holdoutPath, columns, label, null, held, step));
    }

    private static (List<PredictionRow> Held, List<PredictionRow> Kept) Split(IEnumerable<PredictionRow> rows, double share)
    {
        var held = new List<PredictionRow>();
        var kept = new List<PredictionRow>();
        foreach (var row in rows)
        {
            var hash = BitConverter.ToUInt32(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes($"{row.RequestId}/{row.Row}")));
            (hash / (double)uint.MaxValue < share ? held : kept).Add(row);
        }

        return (held, kept);
    }

    /// <summary>The label column the deployment's primary model was trained on (its manifest says), else "label".</summary>
    private async Task<string> LabelOfAsync(Deployment deployment, CancellationToken cancellationToken)
    {
        var primary = deployment.Variants.FirstOrDefault(v => v.Role == VariantRole.Primary) ?? deployment.Variants.FirstOrDefault();
        var version = primary is null ? null : await registry.GetVersionAsync(primary.ModelName, primary.ModelVersion, cancellationToken);
        return version?.Manifest.Metadata.GetValueOrDefault("label") ?? "label";
    }

    /// <summary>Writes <paramref name="history"/>'s rows (when merging), then the production rows, in <paramref name="columns"/>' order.</summary>
    private static async Task<long> WriteAsync(string path, IReadOnlyList<string> columns, string label, TabularData? history, IReadOnlyList<PredictionRow> production, StepExecution step)
    {
        var all = new List<IReadOnlyList<string?>>();
        if (history is not null)
        {
            for (var r = 0; r < history.Rows; r++)
            {
                all.Add(history.Columns.Select(c => c.Text(r)).ToArray());
            }
        }

        var missing = new HashSet<string>(StringComparer.Ordinal);
        foreach (var row in production)
        {
            using var inputs = JsonDocument.Parse(row.InputsJson);
            var values = new string?[columns.Count];
            for (var c = 0; c < columns.Count; c++)
            {
                if (columns[c] == label)
                {
                    values[c] = row.Label;
                }
                else if (inputs.RootElement.TryGetProperty(columns[c], out var value))
                {
                    values[c] = value.ValueKind switch
                    {
                        JsonValueKind.Number => TabularCsv.Number(value.GetDouble()),
                        JsonValueKind.String => value.GetString(),
                        JsonValueKind.Null => null,
                        _ => value.GetRawText(),
                    };
                }
                else
                {
                    missing.Add(columns[c]);
                }
            }

            all.Add(values);
        }

        await using (var writer = new StreamWriter(path, false, new UTF8Encoding(false)))
        {
            TabularCsv.Write(writer, columns, all);
        }

        if (history is not null)
        {
            step.Log.Write($"appended {production.Count} production rows to {history.Rows} rows of the merged dataset");
        }

        if (missing.Count > 0)
        {
            step.Log.Write($"production rows lack {string.Join(", ", missing.Order(StringComparer.Ordinal))}; those values are empty (missing)");
        }

        return all.Count;
    }

    private static IEnumerable<string> FeatureNames(PredictionRow row)
    {
        using var inputs = JsonDocument.Parse(row.InputsJson);
        return inputs.RootElement.EnumerateObject().Select(p => p.Name).ToList();
    }
}
