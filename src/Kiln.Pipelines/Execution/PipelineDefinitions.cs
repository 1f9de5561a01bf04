using System.Collections.Concurrent;
using Kiln.Core;
using Kiln.Core.Pipelines;
using Kiln.Pipelines.Definitions;

namespace Kiln.Pipelines.Execution;

/// <summary>Stored pipeline versions, read back into definitions once each (a version never changes).</summary>
public sealed class PipelineDefinitions(IPipelineStore store)
{
    private readonly ConcurrentDictionary<(string, int), PipelineDefinition> _read = new();

    public async Task<PipelineDefinition> GetAsync(string pipeline, int version, CancellationToken cancellationToken)
    {
        if (_read.TryGetValue((pipeline, version), out var cached))
        {
            return cached;
        }

        var stored = await store.GetVersionAsync(pipeline, version, cancellationToken)
            ?? throw KilnException.NotFound("Pipeline version", $"{pipeline}/{version}");
        var definition = Read(stored);
        _read.TryAdd((pipeline, version), definition);
        return definition;
    }

    /// <summary>The definition of a stored version. Stored versions were valid when applied; a file this server can no longer read is an error, not a crash.</summary>
    public static PipelineDefinition Read(PipelineVersionRecord stored)
    {
        var file = PipelineFileReader.Read(stored.Source);
        return file.Definition ?? throw KilnException.Conflict(
            $"Pipeline {stored.Pipeline} version {stored.Version} no longer reads on this server: {string.Join("; ", file.Problems.Take(3))}");
    }
}
