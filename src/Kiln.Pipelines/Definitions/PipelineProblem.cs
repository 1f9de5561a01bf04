namespace Kiln.Pipelines.Definitions;

/// <summary>One thing wrong with a pipeline file: where, which field (a dotted path), and what.</summary>
public sealed record PipelineProblem(SourcePosition Position, string Path, string Message)
{
    public override string ToString() => Path.Length == 0 ? $"{Position}: {Message}" : $"{Position}: {Path}: {Message}";
}

/// <summary>A pipeline file as read: the definition when it is valid, and every problem found otherwise.</summary>
public sealed record PipelineFile(PipelineDefinition? Definition, IReadOnlyList<PipelineProblem> Problems)
{
    public bool IsValid => Definition is not null && Problems.Count == 0;
}
