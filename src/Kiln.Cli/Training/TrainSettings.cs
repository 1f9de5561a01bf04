using Kiln.Training.Data;

namespace Kiln.Cli.Training;

/// <summary>What <c>kiln train</c> (and <c>kiln quickstart</c>) asks of a sweep, and where its results go.</summary>
internal sealed record TrainSettings
{
    public required string DataPath { get; init; }

    public required string Label { get; init; }

    public TrainingTask? Task { get; init; }

    public IReadOnlyList<string>? Algorithms { get; init; }

    public int Trials { get; init; } = 6;

    public string Experiment { get; init; } = "Default";

    public IReadOnlyList<string> ExcludeColumns { get; init; } = [];

    public int Seed { get; init; } = 1;

    public string? RegisterAs { get; init; }

    public string? Alias { get; init; }
}
