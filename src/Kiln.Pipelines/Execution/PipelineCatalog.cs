using System.Security.Cryptography;
using System.Text;
using Kiln.Core.Pipelines;
using Kiln.Pipelines.Definitions;

namespace Kiln.Pipelines.Execution;

/// <summary>Applies pipeline files: reads and checks them, then stores each new text as the pipeline's next version.</summary>
public sealed class PipelineCatalog(IPipelineStore store, TimeProvider time)
{
    /// <summary>The outcome of applying a file: the problems when it was refused, else the stored version and its definition.</summary>
    public sealed record Applied(IReadOnlyList<PipelineProblem> Problems, PipelineVersionRecord? Version, PipelineDefinition? Definition, bool Created);

    public async Task<Applied> ApplyAsync(string yaml, string? appliedBy, CancellationToken cancellationToken)
    {
        var file = PipelineFileReader.Read(yaml);
        if (!file.IsValid)
        {
            return new Applied(file.Problems, null, null, false);
        }

        var definition = file.Definition!;
        var (version, created) = await store.ApplyAsync(definition.Name, yaml, Digest(yaml), definition.Description, appliedBy, time.GetUtcNow(), cancellationToken);
        return new Applied([], version, definition, created);
    }

    /// <summary>The SHA-256 of a file's text, as stored with each version.</summary>
    public static string Digest(string yaml) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(yaml)));
}
